"""The shape of an answer: direct answer first, then detail, then the source line; or an honest no."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz

from knowledge.instructions import Instruction
from knowledge.models import Pack, Source, Topic
from knowledge.topics import TOPIC_PHRASES

_MIN_LIST_ROOM = 160  # below this, a long list is left out rather than cut to a stub
CHAT_LIMIT = 1200  # what one chat message of ours holds (the scorer draws the line there too)
MAX_CHARS = 1000  # an answer's body, leaving room for its source line within CHAT_LIMIT


class Citation(BaseModel):
    model_config = ConfigDict(frozen=True)
    document: str
    section: str


class Answer(BaseModel):
    """What the bot says to a question, and what it rests on."""

    model_config = ConfigDict(frozen=True)
    answered: bool
    text: str
    sources: list[Citation] = []
    topic: str | None = None
    confidence: float = 0.0
    clarify: list[
        str
    ] = []  # the readings to choose between, when the question has two with different answers


def compose(
    pack: Pack, lines: Iterable[str], sources: Iterable[Source], topic: Topic | None, confidence: float = 1.0
) -> Answer:
    """Join the lines (most important first), dropping trailing detail that would make it too long."""
    cited = _unique(sources)
    footer = source_line(pack, cited)
    kept: list[str] = []
    for line in (ln.strip() for ln in lines):
        if not line or any(_same_fact(line, k) for k in kept):
            continue  # the same fact said twice (e.g. in a level and in a fact) is said once
        room = MAX_CHARS - sum(len(k) + 1 for k in kept) - len(footer) - 1
        if len(line) > room:
            if not kept:
                kept.append(_shorten(line, room))
            elif (
                room >= _MIN_LIST_ROOM
                and line.count("; ") >= 3
                and len(cut := _first_items(line, room)) <= room
            ):
                kept.append(cut)  # a long list: its first items, said to go on (if its first item fits)
            continue  # a shorter line further on may still fit
        kept.append(line)
    citations = [Citation(document=s.document, section=s.section) for s in cited]
    text = "\n".join([*kept, footer])
    return Answer(answered=True, text=text, sources=citations, topic=topic.value if topic else None,
                  confidence=confidence)  # fmt: skip


def fitting(lines: Iterable[str], room: int) -> list[str]:
    """The lines, in order, that fit in `room` characters with a line break after each: one too long is left
    out (a shorter one after it may still fit), so that a reply stays one chat message."""
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) + 1 <= room:
            kept.append(line)
    return kept


def not_stated(
    pack: Pack, topic: Topic | None, what: str | None = None, detail: Iterable[str] = ()
) -> Answer:
    """The honest answer when this organisation's policy does not cover the question."""
    org = pack.organisation
    subject = what or (TOPIC_PHRASES[topic] if topic else "that")
    head = f"{org.short_name}'s policy doesn't say anything about {subject}."
    tail = f"Please ask {org.ask}."
    lines = [head, *fitting(detail, CHAT_LIMIT - len(head) - len(tail) - 2), tail]  # no source line
    return Answer(answered=False, text="\n".join(lines), topic=topic.value if topic else None)


def out_of_scope(pack: Pack) -> Answer:
    org = pack.organisation
    text = (
        f"I can only help with career progression under {org.short_name}'s policy: levels and grades, pay, "
        f"what each level needs, applying, sign-off and reviews. For anything else, please ask {org.ask}."
    )
    return Answer(answered=False, text=text, topic=None)


# What the bot does not do, for each kind of instruction a question may give it (knowledge.instructions).
_WONT = {
    Instruction.role: "act as anyone else",
    Instruction.act: "approve or authorise anything",
    Instruction.output: "say what I'm told to or make anything up",
    Instruction.override: "set aside my rules or {org}'s policy",
}


def instruction_declined(pack: Pack, kinds: Iterable[Instruction], answer: Answer) -> Answer:
    """A question that tells the bot to take a role, act, say given words or drop its rules: say what it
    won't do, then what the policy says about the rest of the question (or what it can help with),
    `answered: false` since what was asked for is not done."""
    org = pack.organisation
    wont = [_WONT[kind].format(org=org.short_name) for kind in dict.fromkeys(kinds)]
    said = " or ".join(wont) if len(wont) <= 2 else ", ".join(wont[:-1]) + f", or {wont[-1]}"
    lines = [f"I can't {said}: I only tell you what {org.short_name}'s policy says, citing it."]
    body = [ln for ln in answer.text.split("\n") if ln]
    if answer.answered:
        lines += ["What it says that might help:", *body]
    elif answer.text != out_of_scope(pack).text:
        lines += [ln for ln in body if not ln.startswith("Please ask")][:1]  # what the policy doesn't say
    if not answer.answered:
        lines.append(
            f"Ask me about {org.short_name}'s levels and grades, pay, what each level needs, applying, "
            "sign-off and reviews."
        )
    return Answer(answered=False, text="\n".join(lines), sources=answer.sources, topic=answer.topic)


def source_line(pack: Pack, sources: list[Source]) -> str:
    if not sources:
        return ""
    by_document: dict[str, list[str]] = {}
    for source in sources:
        by_document.setdefault(source.document, []).append(_section(source.section))
    parts = []
    for document, sections in by_document.items():
        title = pack.organisation.document_title if document == pack.organisation.document else document
        parts.append(f"{title}, {', '.join(sections)}")
    return "Source: " + "; ".join(parts)


def money(amount: int) -> str:
    return f"£{amount:,}"


def join_list(items: list[str], limit: int = 30) -> str:
    shown = items[:limit]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    if len(shown) == 1:
        return shown[0] + more
    return ", ".join(shown[:-1]) + (f", {shown[-1]}{more}" if more else f" and {shown[-1]}")


def sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?:" else text + "."


def _section(label: str) -> str:
    return f"§{label}" if re.fullmatch(r"\d+(\.\d+)*", label) else f"'{label}'"


def _same_fact(line: str, other: str) -> bool:
    """Near-identical wording with the same figures ("£2,000 ... less than 4 years" is not "£3,000 ... more")."""
    numbers = re.compile(r"\d[\d,.]*")
    return numbers.findall(line) == numbers.findall(other) and fuzz.token_set_ratio(line, other) >= 90


def _unique(sources: Iterable[Source]) -> list[Source]:
    return list(dict.fromkeys(sources))


def _first_items(text: str, limit: int) -> str:
    """The items of a "; "-separated list that fit in `limit` characters, whole, then "and more"."""
    items = text.split("; ")
    while len(items) > 1 and len("; ".join(items)) + len("; and more.") > limit:
        items.pop()
    return "; ".join(items).rstrip(".") + "; and more."


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
