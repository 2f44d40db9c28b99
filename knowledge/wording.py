"""How a question is worded: its asking clause (what it asks, apart from the scene it sets), and what it
asks said back in the bot's words ("how many years do I need?" -> "how many years you need")."""

from __future__ import annotations

import re

from knowledge.text import CHAT_WORDS

_PRONOUNS = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "am": "are",
             "i'm": "you're", "im": "you're", "i've": "you've", "ive": "you've", "we": "you", "our": "your",
             "us": "you"}  # fmt: skip
_AUX = r"(do|does|did|can|could|will|would|should|must|is|are|am|was|were|have|has|may|might)"
_WH_WORD = r"(how (much|many|long|often|soon)( \w+){0,3}?|what( \w+)?|which \w+|what|which|who|whom|when|where|why|how)"
_WH = re.compile(rf"^(?P<wh>{_WH_WORD}( exactly| actually)?) (?P<aux>{_AUX}) (?P<subj>i|you|we|they|it|there|he|she)\b"
                 rf"(?P<rest>.*)$")  # fmt: skip
_WH_BE = re.compile(rf"^(?P<wh>{_WH_WORD}) (?P<aux>is|are|was|were) (?P<rest>.+)$")
_WH_SUBJECT = re.compile(r"^(who|what|which \w+) (?!(do|does|did|is|are|can|will|would|should)\b)\w+")
YES_NO = re.compile(rf"^{_AUX} (?P<subj>i|you|we|they|it|there|he|she)\b(?P<rest>.*)$")
_DO_NP = re.compile(r"^(do|does|did) (?P<rest>.*)$")


def what_was_asked(raw: str) -> str:
    """The question turned into what it asks ("how many years do I need?" -> "how many years you need")."""
    clause = main_clause(raw)
    words = [_PRONOUNS.get(w, w) for w in " ".join(CHAT_WORDS.get(w, w) for w in clause.split()).split()]
    text = " ".join(words)
    found = _WH.match(text)
    if found:
        aux = found.group("aux")
        keep = "" if aux in {"do", "does", "did"} else f" {_PRONOUNS.get(aux, aux)}"
        subj = _PRONOUNS.get(found.group("subj"), found.group("subj"))
        return f"{found.group('wh')} {subj}{keep}{found.group('rest')}"
    found = YES_NO.match(text)
    if found:
        aux = found.group(1)
        # (Only "do" goes without changing the verb: "does it have to be" is "whether it does have to be", not
        # "whether it have to be"; "did it count" is "whether it did count".)
        keep = "" if aux == "do" else f" {'are' if aux == 'am' else aux}"
        return f"whether {found.group('subj')}{keep}{found.group('rest')}"
    found = _WH_BE.match(text)
    if found:
        return f"{found.group('wh')} {found.group('rest')} {found.group('aux')}"
    if _WH_SUBJECT.match(text):
        return text  # "who signs off applications" reads the same asked or reported
    found = _DO_NP.match(text)
    if found and re.match(
        r"\S+ (\S+ ){0,2}(have|need|get|count|apply|include|mean|cover)\b", found.group("rest")
    ):
        return f"whether {found.group('rest')}"
    return f"anything that answers “{clause}?”"


def main_clause(raw: str) -> str:
    """The part of the question that asks: its first asking clause, without greetings, preamble or "if"."""
    text = raw.strip().lower().replace("\u2019", "'")
    # (A comma or point between digits is part of a figure, "£2,000", "1.5": no clause ends there.)
    pieces = [p.strip(" -–—:;,.") for p in re.split(r"[?!;:—–]|(?<!\d)[.,]|[.,](?!\d)| - ", text)]
    pieces = [p for p in pieces if p]
    asking = next((clause for p in pieces if (clause := _asking(p))), None)
    if asking is not None:
        return asking
    # No clause starts by asking: the question begins inside one ("my manager won't sign, who else can?").
    inside = next((found for p in pieces if (found := _WH_INSIDE.search(p))), None)
    if inside is not None:
        return inside.string[inside.start() :]
    return pieces[0] if pieces else text


_WH_INSIDE = re.compile(
    r"\b(who|whose|what|which|when|where|why|how) (\w+ )?(is|are|do|does|can|could|will|would|should|must|else|much|many|long|often)\b"
)


def _asks(part: str) -> bool:
    first, _, rest = part.strip().partition(" ")
    said = f"{CHAT_WORDS.get(first, first)} {rest}"  # "whats the ...", "hows it work"
    return bool(re.match(rf"^({_AUX}|how|what|which|who|whom|whose|when|where|why)\b", said))


def _asking(piece: str) -> str | None:
    """The piece, if it asks; or what it asks after the condition it sets first ("if it goes through is the
    pay rise backdated" asks "is the pay rise backdated")."""
    if _asks(piece):
        return piece
    found = _ASKS_AFTER_CONDITION.match(piece)
    return found.group("ask") if found else None


# A condition, then the asking words: an auxiliary and its subject ("if approved, is it backdated").
_ASKS_AFTER_CONDITION = re.compile(
    rf"^(?:if|once|when|after|unless)\b.*?\b(?P<ask>{_AUX} (?:i|you|we|they|it|there|he|she|the|my|this|that)\b.*)$"
)
