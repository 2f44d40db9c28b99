"""Questions with several parts: each part is answered on its own, with what the asker said about themselves,
and the answers are put together (every part answered, or said plainly not to be in the policy)."""

from __future__ import annotations

import re

from knowledge.asks import PROCESS_LENGTH, STRICT, answers_of
from knowledge.models import Pack, Source
from knowledge.replies import Answer, compose
from knowledge.understand import Question

_ASKING = re.compile(
    r"^\s*(how|what|what's|whats|which|who|whom|whose|when|where|why|do|does|did|is|are|am|can|could|will|would"
    r"|should|must|may|has|have|any|and what|and how|and who|and when|and is|and do|and can|what about)\b",
    re.IGNORECASE,
)
# Where one asking part ends and the next begins inside a sentence: ", and what ...", "; is it ...".
_JOIN = re.compile(
    r"(?:,\s*|;\s*|\s+)(?:and|also|plus)\s+(?=(?:how|what|which|who|when|where|why|is|are|do|does|can|will)\b)"
    r"|\s*[;,]\s*(?=(?:how|what|which|who|when|where|why)\b)",
    re.IGNORECASE,
)  # not "or": "is it X or does it Y" is one question with two answers to choose from
# A piece that sets a condition and then asks ("if I get accelerated to point 41 whats the salary"): a part.
_ASKS_INSIDE = re.compile(
    r"^(?:if|once|when|after|as)\b.*\b(?:what|whats|what's|how much|how many|how long|who|which)\b", re.I
)
_SENTENCE = re.compile(r"(?<=[?!.:])\s+|\s+[-–—]\s+|\?(?=\S)")
PART_LINES = 3  # of each part's answer, so that every part fits
# A request for several things ("please provide the number of X, its value, and the number of Y"): each thing
# is a part, asked as "what is ...".
_REQUEST = re.compile(
    r"\b(?:please\s+)?(?:provide|state|give|tell me|list|confirm|send)\s+(?:me\s+)?(?P<items>.+)$",
    re.IGNORECASE,
)
_ITEM = re.compile(r"\s*\(\w\)\s*|,\s*(?:and\s+)?(?=(?:the|its|their|how|what|which|when|who)\b)"
                   r"|\s+and\s+(?=\(\w\)|(?:the|its|their)\b)|\s*,?\s*together with\s+", re.IGNORECASE)  # fmt: skip
MIN_WORDS = 3  # a shorter piece ("or not?") belongs to the part before it
# Numbered or lettered items ("(1) ..., (2) ..., and (3) ..."), the way a formal request lists what it asks.
_MARK = re.compile(r"(?:^|\s)\((?:\d{1,2}|[a-h]|i{1,3}|iv|v|vi)\)\s*", re.IGNORECASE)
_LEADING_JOIN = re.compile(r"^(?:and|also|plus)\s+", re.IGNORECASE)
_TRAILING_JOIN = re.compile(
    r"[\s,;]+(?:and|also|plus|or)$", re.IGNORECASE
)  # "..., and (3)": the join is no part


def question_parts(text: str) -> list[str]:
    """The asking parts of a question, each with the statements that set the scene ("I'm level 2.").
    One part (the usual case) is the question as given."""
    enumerated = _enumerated(text)
    if enumerated:
        return enumerated
    sentences = [s.strip() for s in _SENTENCE.split(text.strip()) if s and s.strip()]
    context = [s for s in sentences if not _ASKING.match(s) and not s.endswith("?")]
    asking = [s for s in sentences if s not in context]
    pieces: list[str] = []
    for sentence in asking:
        split = [p.strip(" ,;") for p in _JOIN.split(sentence) if p.strip(" ,;")]
        if len(split) > 1 and not _ASKING.match(split[0]) and not _ASKS_INSIDE.search(split[0]):
            context.append(split.pop(0))  # "I'm level 1 and can evidence level 2, where would I go?"
            split = [" ".join(split)] if not all(_ASKING.match(p) for p in split) else split
        for piece in split:
            if pieces and len(piece.split()) < MIN_WORDS:
                pieces[-1] = f"{pieces[-1]} {piece}"
            elif piece:
                pieces.append(piece)
    if len(pieces) < 2:
        requested = _requested(text)
        return requested if len(requested) > 1 else [text]
    scene = " ".join(context)
    return [f"{scene} {piece}".strip() for piece in pieces]


def own_words(part: str, before: str) -> str:
    """What a part asks in its own words: without the scene it shares with the part before it."""
    mine, theirs = part.split(), before.split()
    shared = next(
        (i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b), min(len(mine), len(theirs))
    )
    return " ".join(mine[shared:])


def refers_back(part: str, before: str) -> str | None:
    """The part's own words, where they point back by a pronoun to what the part before asks about ("is there a
    probation period, and how long is it?")."""
    own = own_words(part, before)
    return own if _POINTS_BACK.search(own) else None


# A pronoun that stands for the thing asked about before ("how long is it", "who signs it off", "are they paid").
_POINTS_BACK = re.compile(r"\b(it|its|that|this|they|them)\b", re.I)


def _enumerated(text: str) -> list[str]:
    """The items of a question that numbers what it asks, each as a question of its own (an item that does
    not ask, "the date the framework was agreed", asked as "what is ..."); none for fewer than two items."""
    pieces = _MARK.split(text.strip())
    items = [_TRAILING_JOIN.sub("", _LEADING_JOIN.sub("", p.strip(" ,;."))).rstrip(" ,;") for p in pieces[1:]]
    items = [i for i in items if len(i.split()) >= MIN_WORDS]
    if len(items) < 2:
        return []
    return [i if _ASKING.match(i) else f"what is {i.rstrip('?')}?" for i in items]


def _requested(text: str) -> list[str]:
    """The things a formal request asks for, each as a question of its own."""
    found = _REQUEST.search(text.strip().rstrip(".?"))
    if found is None:
        return []
    items = [i.strip(" ,;") for i in _ITEM.split(found.group("items")) if i and len(i.split()) >= 2]
    return [f"what is {item}?" for item in items] if len(items) > 1 else []


def combined(pack: Pack, answers: list[Answer], parts: list[Question] | None = None) -> Answer:
    """One reply answering every part in turn; answered when every part is. Of each part's answer, the lines
    that give what the part asks for (a figure, a person, a time: knowledge.asks) come first."""
    lines: list[str] = []
    sources: list[Source] = []
    for n, answer in enumerate(answers):
        body = [line for line in answer.text.split("\n") if not line.startswith("Source:")]
        if parts is not None and answer.answered:  # (a decline's first line says what the policy doesn't say)
            body = _giving_first(body, parts[n])
        # The direct answer and its first detail; what the policy does not say, and who to ask once, at the end.
        body = body[:PART_LINES] if answer.answered else body[:1]
        lines += body
        sources += [Source(document=c.document, section=c.section) for c in answer.sources]
    if not all(a.answered for a in answers):
        ask = f"Please ask {pack.organisation.ask}."
        text = "\n".join(dict.fromkeys([*(ln for ln in lines if ln != ask), ask]))
        return Answer(answered=False, text=text)
    return compose(pack, lines, sources, None, confidence=min(a.confidence for a in answers if a.answered))


def _giving_first(body: list[str], part: Question) -> list[str]:
    """The answer's lines, those that give a strict ask of the part first, in their order; the rest follow.
    (Asked how long something goes on, the service a rule requires gives no such length.)"""
    strict = {ask for ask in part.asks if ask in STRICT}
    if not strict:
        return body
    of_process = PROCESS_LENGTH.search(part.text) is not None

    def gives(line: str) -> bool:
        return bool(strict & answers_of(line, of_process=of_process))

    return [ln for ln in body if gives(ln)] + [ln for ln in body if not gives(ln)]
