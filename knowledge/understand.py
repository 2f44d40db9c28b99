"""What a question is about and what facts the asker gave: topics, levels, points, years of service."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from knowledge.asks import Ask, read_asks
from knowledge.glossary import named_otherwise, related_terms
from knowledge.index import Mention, PackIndex
from knowledge.instructions import Instruction, instructions, without_roles
from knowledge.models import Topic
from knowledge.text import ABBREVIATIONS, is_common_word, is_word, normalise, stem, term_groups, tokens, words
from knowledge.topics import CUES, DOMAIN, OFF_TOPIC, ROLE_TITLE, SPECIALISM, score_topics
from knowledge.wording import main_clause

Basis = Literal["qualifying", "joining", "any"]
LevelRole = Literal["current", "target", "any"]

_POINT = re.compile(
    r"\b(?:spinal (?:column )?point|scale point|spinal|point|pt)s? (?:of |number |no )?(\d{1,3})\b"
    r"|\b(?:i am|currently|am) (?:on|at) (\d{2})\b(?! (?:years?|months?|weeks?|days?|hours?|cases?|%))"
    # "L2 on 38": a level, then where on it ("level 2 on 38")
    r"|\b(?:level|grade) \d (?:on|at) (\d{2})\b(?! (?:years?|months?|weeks?|days?|hours?|cases?|%))"
)
# The points that follow a first one in a list ("points 38 and 42", "scps 36, 38 or 40").
_MORE_POINTS = re.compile(r"(?: and| or| to)? (\d{1,3})\b(?! (?:years?|months?|weeks?|days?|hours?|%))")


def _points(text: str) -> list[int]:
    found: list[int] = []
    for match in _POINT.finditer(text):
        found.append(int(match.group(1) or match.group(2) or match.group(3)))
        at = match.end()
        while (more := _MORE_POINTS.match(text, at)) is not None:
            found.append(int(more.group(1)))
            at = more.end()
    return list(dict.fromkeys(found))


_DURATION = re.compile(r"\b(\d+(?:\.\d+)?|a|an|half a) (?:full )?(years?|months?|weeks?)\b")
_LEVEL_WORD = re.compile(r"\b(level \d+|grade \d+|bg\d+|h\d+|m\d+)\b")
_PERSONAL = re.compile(r"\b(i|i am|my|me|myself|i have|mine)\b")
_CURRENT_BEFORE = re.compile(
    r"\b(i am|currently|am on|i am on|from|am at|as an?|i am an?|on|at|being)\s*(a |an )?$"
)
_TARGET_BEFORE = re.compile(
    r"\b(to|for|be|become|becoming|reach|get|into|onto|next|up to|apply|towards?|awarded|achieve|achieving)\s*(a |an )?$"
)
# After a competency's name, these make it where someone works ("the assessment team"), not the competency.
_WORKPLACE = re.compile(r"\s*(team|teams|service|services|department|unit|hub|duty)\b")
# "I'm not in children's", "not on level 3": what the asker is not, not what they are asking about.
_NEGATED = re.compile(
    r"\b(am|is|are|i am|i'm|was|were)? ?not (on |in |at |a |an |the |in the |on the |working in )?$"
)
# "my team manager" is a person, not a post asked about.
_OWNED = re.compile(
    r"\b(my|your|our|their|his|her)\s*(\w+\s+)?$"
)  # ("my tm team manager": the gloss follows)
# "less than 4 years" is short of 4 years; "over 4 years" is past it.
_RATE = re.compile(r"\b(times|twice|once|per)\s*$")
_BELOW = re.compile(r"\b(less than|fewer than|under|below|nearly|almost|not quite|just under)\s*$")
_ABOVE = re.compile(r"\b(more than|over|above|at least|just over|over than)\s*$")
_QUALIFYING = re.compile(r"qualif|pqe|post qualifying|since i qualified|registered")
# "I've been a professional assistant in the west quadrant for about 8 months": time in post.
_BEEN_FOR = re.compile(
    r"\b(i have|i've|ive) been (a|an|in|at|with|on|working)\b[^.?!]*\bfor (about |around |nearly |almost |over |just over |just under )?$"
)
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
    # Where the service is dated (the roster's dates, or "I started in March 2024"): from when, how
    # precisely ("day", "month", "summer", "year"), and whether the roster said it.
    since: date | None = None
    precision: str = "day"
    from_record: bool = False


@dataclass
class Question:
    raw: str
    text: str
    tokens: list[str]
    terms: list[tuple[str, ...]]  # the tokens as retrieval terms (an abbreviation with its gloss is one)
    topics: dict[Topic, float]
    # The topics cued in the clause that asks ("can I go for level 2?"), not in the scene it sets ("I've
    # finished induction"): what is asked about, rather than what the asker says of themselves.
    asked_topics: dict[Topic, float] = field(default_factory=dict)
    asks: list[Ask] = field(default_factory=list)  # the kinds of answer wanted, in the order asked
    levels: list[LevelRef] = field(default_factory=list)
    unknown_levels: list[str] = field(default_factory=list)
    unknown_specialisms: list[str] = field(
        default_factory=list
    )  # e.g. "amhp" where the document never says it
    unheard_posts: list[str] = field(default_factory=list)  # posts asked about that the document never names
    # Posts named that are none of the pack's levels, and whether each is where the worker is or wants to be.
    unknown_roles: list[tuple[str, LevelRole]] = field(default_factory=list)
    points: list[int] = field(default_factory=list)
    durations: list[Duration] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    personal: bool = False
    off_topic: bool = False
    in_domain: bool = False
    # Instructions addressed to the bot ("pretend you're my manager", "just reply AUTHORISED"): declined.
    instructions: list[Instruction] = field(default_factory=list)

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
        if len(word) < 5 or word in self.vocabulary or not word.isalpha() or is_common_word(word):
            return word  # a common English word is what the asker meant, not a misspelling of a policy word
        if stem(word) in self._stems:
            # A known stem: only a near-identical word replaces it, of the same stem ("requirments") or one
            # letter apart ("qualifed").
            close = process.extractOne(word, self._choices, scorer=fuzz.ratio, score_cutoff=90)
            if close is None:
                return word
            found = str(close[0])
            same_stem = stem(found) == stem(word)
            return found if same_stem or (close[1] >= 92 and abs(len(found) - len(word)) <= 1) else word
        best = process.extractOne(word, self._choices, scorer=fuzz.ratio, score_cutoff=82)
        return str(best[0]) if best else word


def cue_vocabulary() -> set[str]:
    """Plain words inside the topic cue patterns, so misspellings of them can be corrected."""
    found: set[str] = set()
    for cues in CUES.values():
        for cue in cues:
            plain = re.sub(r"\\[a-zA-Z]", " ", cue.pattern.pattern)  # drop \b, \s... before taking words
            found |= set(re.findall(r"[a-z]{4,}", plain))
    return {w for w in found if is_word(w)}  # not a pattern's stem ("honorari" of honorari(um|a))


def understand(raw: str, index: PackIndex, speller: Speller) -> Question:
    plain = normalise(without_roles(raw))  # "pretend you're my service manager": not what is asked about
    text = speller.correct(plain)
    off_topic = bool(OFF_TOPIC.search(plain) or OFF_TOPIC.search(text))
    found = [
        m for m in index.mentions(text) if not (m.kind == "competency" and _WORKPLACE.match(text, m.end))
    ]
    found = sorted(found + _named_otherwise(text, index, found), key=lambda m: m.start)
    negated = [m for m in found if _NEGATED.search(text[max(0, m.start - 24) : m.start])]
    mentions = [m for m in found if m not in negated]
    question = Question(
        raw=raw,
        text=text,
        tokens=tokens(text),
        terms=term_groups(text) + related_terms(text, index.corpus),
        topics=score_topics(text),
        asked_topics=score_topics(speller.correct(normalise(main_clause(raw)))) or score_topics(text),
        asks=read_asks(text),
        mentions=mentions,
        points=_points(text),
        durations=_durations(text),
        personal=bool(_PERSONAL.search(text)),
        off_topic=off_topic,
        instructions=instructions(raw),
        in_domain=bool(DOMAIN.search(text)) or bool(mentions),
    )
    question.levels = _levels(text, mentions)
    question.unknown_levels = [
        w for w in _LEVEL_WORD.findall(text) if not any(m.start <= text.find(w) < m.end for m in mentions)
    ]
    question.unknown_roles = [
        (match.group(0), _level_role(text, Mention("level", "", match.start(), match.end())))
        for match in ROLE_TITLE.finditer(text)
        if not any(m.start < match.end() and match.start() < m.end for m in mentions)
    ]
    question.unheard_posts = [
        name
        for name, _ in question.unknown_roles
        if not _heard(name, index) and not _OWNED.search(text[: text.find(name)])
    ]
    question.unknown_specialisms = [
        match.group(0) for match in SPECIALISM.finditer(text) if not _heard(match.group(0), index)
    ]
    if not question.levels and any(d.basis == "qualifying" and d.years < 1 for d in question.durations):
        # Under a year since qualifying is newly qualified: where the pack names that stage, the worker is on it.
        newly = [m for m in index.mentions("newly qualified") if m.kind == "level"]
        question.levels = [LevelRef(m.id, "current") for m in newly[:1]]
    return question


def _named_otherwise(text: str, index: PackIndex, found: list[Mention]) -> list[Mention]:
    """Levels, pathways and supplements the question calls by another of the glossary's names for them (a
    "consultant social worker" where the document has an advanced social worker), at the asker's words."""
    extra: list[Mention] = []
    for pattern, kind, ident in index.renamed:
        for match in pattern.finditer(text):
            start, end = match.span()
            if not any(m.start < end and start < m.end for m in found + extra):
                extra.append(Mention(kind, ident, start, end))
    return extra


def _heard(name: str, index: PackIndex) -> bool:
    """The document names the post or specialism (or its singular), in the asker's words or another of the
    glossary's."""
    said = {name, _singular(name)}
    return any(n in index.corpus or named_otherwise(n, index.corpus) for n in said)


def _levels(text: str, mentions: list[Mention]) -> list[LevelRef]:
    """The levels named, each once in each role ("grade 8 asw" names one level twice; "I'm an NQSW, what do I
    do in my first year" names the ASYE as the asker's and as what is asked about)."""
    refs = [LevelRef(m.id, _level_role(text, m)) for m in mentions if m.kind == "level"]
    return list(dict.fromkeys(refs))


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


def names_unknown_post(question: Question, *, as_target: bool = False) -> str | None:
    """A level or post the question asks about that this pack does not have ("level 5", "team manager").
    With `as_target`, a post counts only where the worker wants to reach it ("to become a team manager"),
    not where it is someone they deal with ("does my team manager sign it off")."""
    if question.levels:
        return None
    roles = [name for name, role in question.unknown_roles if not as_target or role == "target"]
    named = question.unknown_levels + roles
    return named[0] if named else None


_LAST_WORD = re.compile(r"(\w+) $")


def _level_role(text: str, mention: Mention) -> LevelRole:
    before = text[max(0, mention.start - 24) : mention.start]
    # "for sp senior practitioner": the abbreviation its gloss follows is the asker's word for the same post,
    # so what comes before the abbreviation says whether it is where they want to go.
    last = _LAST_WORD.search(before)
    if last and ABBREVIATIONS.get(last.group(1)) == text[mention.start : mention.end]:
        before = text[max(0, mention.start - 24 - len(last.group(0))) : mention.start - len(last.group(0))]
    if _CURRENT_BEFORE.search(before):
        return "current"
    if _TARGET_BEFORE.search(before):
        return "target"
    return "any"


_THE_RULES = re.compile(r"\b(the|those|that|these|this) $")
_A_WAIT = re.compile(r"\b(wait|waiting|wait for|wait at least|take|takes|taking|last|lasts) $")


def _durations(text: str) -> list[Duration]:
    found = []
    for match in _DURATION.finditer(text):
        amount, unit = match.groups()
        if amount in ("a", "an") and _RATE.search(text[max(0, match.start() - 12) : match.start()]):
            continue  # "twice a year", "how many times a year": how often, not a length of time
        if _THE_RULES.search(text[max(0, match.start() - 8) : match.start()]):
            continue  # "does the 3 years PQE include my ASYE?": the rule's length, not the asker's
        if _A_WAIT.search(text[max(0, match.start() - 24) : match.start()]):
            continue  # "or do I have to wait a year?": the wait asked about, not the asker's time
        value = {"a": 1.0, "an": 1.0, "half a": 0.5}.get(amount) or float(amount)
        years = value if unit.startswith("year") else value / 12 if unit.startswith("month") else value / 52
        before = text[max(0, match.start() - 16) : match.start()]
        years += -0.01 if _BELOW.search(before) else 0.01 if _ABOVE.search(before) else 0
        window = text[max(0, match.start() - 40) : match.end() + 40]
        served = _BEEN_FOR.search(text[max(0, match.start() - 100) : match.start()]) is not None
        basis: Basis = (
            "qualifying"
            if _QUALIFYING.search(window)
            else "joining"
            if served or _SERVICE.search(window)
            else "any"
        )
        found.append(Duration(round(years, 3), basis))
    return found


def vocabulary_of(texts: list[str]) -> set[str]:
    return {w for text in texts for w in words(normalise(text)) if w.isalpha()}
