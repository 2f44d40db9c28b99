"""What a question is about and what facts the asker gave: topics, levels, points, years of service."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from knowledge.index import Mention, PackIndex
from knowledge.models import Topic
from knowledge.text import normalise, stem, tokens, words
from knowledge.topics import CUES, DOMAIN, OFF_TOPIC, score_topics

Basis = Literal["qualifying", "joining", "any"]
LevelRole = Literal["current", "target", "any"]

_POINT = re.compile(
    r"\b(?:spinal (?:column )?point|scale point|spinal|point|pt)s? (?:of |number |no )?(\d{1,3})\b"
)
_DURATION = re.compile(r"\b(\d+(?:\.\d+)?|a|an|half a) (?:full )?(years?|months?|weeks?)\b")
_LEVEL_WORD = re.compile(r"\b(level \d+|grade \d+|bg\d+|h\d+|m\d+)\b")
_PERSONAL = re.compile(r"\b(i|i am|my|me|myself|i have|mine)\b")
_CURRENT_BEFORE = re.compile(
    r"\b(i am|currently|am on|i am on|from|am at|as an?|i am an?|on|at|being)\s*(a |an )?$"
)
_TARGET_BEFORE = re.compile(
    r"\b(to|for|become|becoming|reach|get|into|onto|next|up to|apply|towards?)\s*(a |an )?$"
)
_QUALIFYING = re.compile(r"qualif|pqe|post qualifying|since i qualified|registered")
_SERVICE = re.compile(
    r"service|with the (council|authority)|here|employed|worked|working|in (a|the|my) .*team|in post"
)


@dataclass(frozen=True)
class LevelRef:
    id: str
    role: LevelRole


@dataclass(frozen=True)
class Duration:
    years: float
    basis: Basis


@dataclass
class Question:
    raw: str
    text: str
    tokens: list[str]
    topics: dict[Topic, float]
    levels: list[LevelRef] = field(default_factory=list)
    unknown_levels: list[str] = field(default_factory=list)
    points: list[int] = field(default_factory=list)
    durations: list[Duration] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    personal: bool = False
    off_topic: bool = False
    in_domain: bool = False

    def ids(self, kind: str) -> list[str]:
        return list(dict.fromkeys(m.id for m in self.mentions if m.kind == kind))

    def level(self, role: LevelRole) -> str | None:
        return next((lv.id for lv in self.levels if lv.role == role), None)

    @property
    def top_topics(self) -> list[Topic]:
        return sorted(self.topics, key=lambda t: -self.topics[t])


class Speller:
    """Corrects words not in the policies' vocabulary to the closest one that is (rapidfuzz)."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.vocabulary = vocabulary
        self._stems = {stem(w) for w in vocabulary}
        self._choices = sorted(w for w in vocabulary if len(w) >= 4)

    def correct(self, text: str) -> str:
        return " ".join(self._word(w) for w in text.split(" "))

    @lru_cache(maxsize=32768)  # noqa: B019 - one Speller lives as long as the library
    def _word(self, word: str) -> str:
        if len(word) < 5 or word in self.vocabulary or not word.isalpha():
            return word
        if stem(word) in self._stems:
            # A known stem: only a near-identical word of the same stem replaces it ("requirments").
            close = process.extractOne(word, self._choices, scorer=fuzz.ratio, score_cutoff=90)
            return str(close[0]) if close and stem(str(close[0])) == stem(word) else word
        best = process.extractOne(word, self._choices, scorer=fuzz.ratio, score_cutoff=82)
        return str(best[0]) if best else word


def cue_vocabulary() -> set[str]:
    """Plain words inside the topic cue patterns, so misspellings of them can be corrected."""
    found: set[str] = set()
    for cues in CUES.values():
        for cue in cues:
            plain = re.sub(r"\\[a-zA-Z]", " ", cue.pattern.pattern)  # drop \b, \s... before taking words
            found |= set(re.findall(r"[a-z]{4,}", plain))
    return found


def understand(raw: str, index: PackIndex, speller: Speller) -> Question:
    plain = normalise(raw)
    text = speller.correct(plain)
    off_topic = bool(OFF_TOPIC.search(plain) or OFF_TOPIC.search(text))
    mentions = index.mentions(text)
    question = Question(
        raw=raw,
        text=text,
        tokens=tokens(text),
        topics=score_topics(text),
        mentions=mentions,
        points=[int(p) for p in _POINT.findall(text)],
        durations=_durations(text),
        personal=bool(_PERSONAL.search(text)),
        off_topic=off_topic,
        in_domain=bool(DOMAIN.search(text)) or bool(mentions),
    )
    question.levels = [LevelRef(m.id, _level_role(text, m)) for m in mentions if m.kind == "level"]
    question.unknown_levels = [
        w for w in _LEVEL_WORD.findall(text) if not any(m.start <= text.find(w) < m.end for m in mentions)
    ]
    return question


def _level_role(text: str, mention: Mention) -> LevelRole:
    before = text[max(0, mention.start - 24) : mention.start]
    if _CURRENT_BEFORE.search(before):
        return "current"
    if _TARGET_BEFORE.search(before):
        return "target"
    return "any"


def _durations(text: str) -> list[Duration]:
    found = []
    for match in _DURATION.finditer(text):
        amount, unit = match.groups()
        value = {"a": 1.0, "an": 1.0, "half a": 0.5}.get(amount) or float(amount)
        years = value if unit.startswith("year") else value / 12 if unit.startswith("month") else value / 52
        window = text[max(0, match.start() - 40) : match.end() + 40]
        basis: Basis = (
            "qualifying" if _QUALIFYING.search(window) else "joining" if _SERVICE.search(window) else "any"
        )
        found.append(Duration(round(years, 3), basis))
    return found


def vocabulary_of(texts: list[str]) -> set[str]:
    return {w for text in texts for w in words(normalise(text)) if w.isalpha()}
