"""Where the pack says, in its own words, that the document does not say what was asked.

A fact may record that the document is silent on something ("The report does not say whether there will be
pay protection", "The framework sets no waiting time before you can apply again"). When such a silence
matches what is asked, the honest reply is that the policy doesn't say that (`answered: false`), the silence
first, then the facts that help. A silence matches the ask when:

- it is the answer's only word on a salient term of the question, and speaks to more of the question than
  that one word (a silence on something else beside an answer, "4 or more years service. The report does not
  say whether service counts from qualifying", leaves the answer standing);
- it leaves open a yes or no about what the question asks of ("does not say whether there will be pay
  protection" to "will there be pay protection for those who lose the supplement?"), measured from the
  silence: one on more than was asked is on something else;
- asked for a detail (a figure, a length, a time, a share), it names more of the detail's subject than any
  sentence of the answer that gives such a figure ("no waiting time before you can apply again" against "at
  least one year's service before applying" to "how long must I wait to apply again?").

The facts' silences are looked for across the whole pack, not only in the answer: the one that names what
was asked is the pack's account of it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.asks import SILENCE, Ask
from knowledge.fitting import doesnt_say
from knowledge.index import PackIndex
from knowledge.replies import Answer
from knowledge.retrieval import NEUTRAL
from knowledge.text import GENERAL, STOPWORDS, normalise, stem, tokens, words
from knowledge.understand import Question
from knowledge.verification import (
    ASK_UNITS,
    DETAIL_ASKS,
    DOMAIN,
    Term,
    asking_words,
    content_terms,
    gives_detail,
    salient_terms,
    subject_terms,
)

# Where a silence clause ends: the end of its sentence or list item, or a turn to what the document does say
# ("...no waiting time before you can apply again: you receive a full written statement").
_CLAUSE_END = re.compile(r"[.;:!?](\s|$)|,? but |,? although ")
_SEGMENT = re.compile(r"(?<=[.!?])\s+|;\s+")
# A silence must speak to at least this many of the question's words: one word shared is too little to tell
# a silence on what is asked from one on something else that uses the word ("move up a grade" beside "does
# not say which grade level 3 is").
MIN_NAMED = 2
# A "does not say whether ..." leaves open what was asked when the question names all but this many of its
# content words.
LEFT_OPEN_SLACK = 1
# The words a silence is said in ("does not say whether", "gives no"): not what it is silent on.
_SILENCE_WORDS = frozenset(
    stem(w) for w in ["give", "gives", "set", "sets", "state", "specify", "describe", "mention", "detail"]
)


def with_stated_silence(index: PackIndex, question: Question, answer: Answer) -> Answer:
    """The answer, unless a silence the pack states matches what is asked: then the policy doesn't say it."""
    if not answer.answered or answer.clarify or question.off_topic:
        return answer
    body = _body(answer)
    silent, spoken = silence_clauses(body)
    silent_stems, spoken_stems = _stems(" ".join(silent)), _stems(" ".join(spoken))
    terms = content_terms(index, question)  # (worked out once: every check below reads them)
    named = sum(t.covered_by(silent_stems) for t in terms)
    alone = [
        t
        for t in salient_terms(index, question)
        if t.covered_by(silent_stems) and not t.covered_by(spoken_stems)
    ]
    # The detail asked for by its name ("the deadline"), which the answer gives only a silence on.
    detail = asking_words(question, [a for a in question.asks if a in DETAIL_ASKS]) - ASK_UNITS
    alone += [
        t
        for t in terms
        if t.word in detail
        and t not in alone
        and t.covered_by(silent_stems)
        and not t.covered_by(spoken_stems)
    ]
    lines = [ln for ln in body.split("\n") if ln and not ln.endswith(":")]
    if (
        (alone and named >= MIN_NAMED)
        or _left_open(index, terms, silent, question)
        or _on_the_askers_time(question, silent)
        or _only_another_time_than_theirs(question, body, silent)
    ):
        return doesnt_say(index, question, lines)
    found = _pack_silence(index, question, terms, lines)
    if found is not None:
        return doesnt_say(index, question, [found, *lines])
    return answer


def _pack_silence(index: PackIndex, question: Question, terms: list[Term], lines: list[str]) -> str | None:
    """A fact of the pack whose silence matches what is asked better than the answer does: leaving open a yes
    or no the question asks, or naming more of a detail's subject than any sentence of the answer giving it."""
    asked = [ask for ask in question.asks if ask in DETAIL_ASKS]
    subject = subject_terms(index, question, asked) if asked else []
    # The words the detail itself is named by ("a waiting period", "the pass mark") are what a silence on it
    # names, as much as its subject.
    subject += [t for t in terms if t not in subject and t.word in asking_words(question, asked) - ASK_UNITS]
    given = max(
        (
            _named(subject, seg)
            for ln in lines
            for seg in _SEGMENT.split(ln)
            if seg and gives_detail(seg, asked)
        ),
        default=0,
    )
    for text, clauses, silent in _silences(index):
        if _left_open(index, terms, clauses, question):
            return text
        # (A silence on another kind of answer, "no repayment terms" to "how many places", is on another thing.)
        if set(asked) & silent and max(_named(subject, c) for c in clauses) > given:
            return text
    return None


_TIME_SAID = re.compile(r"\b(\d+(?:\.\d+)?) (years?|months?)\b")


def _on_the_askers_time(question: Question, clauses: list[str]) -> bool:
    """A silence on the very time the asker gives for themselves ("exactly 4 years": "does not say which
    applies at exactly 4 years"): what applies to them is what the policy leaves open."""
    if not question.personal:
        return False
    theirs = {round(d.years, 1) for d in question.durations}
    return bool(theirs & set().union(*(_times(c) for c in clauses)))


def _times(text: str) -> set[float]:
    """The lengths of time a (normalised) text says, in years."""
    return {
        round(float(n) / (12 if unit.startswith("month") else 1), 1) for n, unit in _TIME_SAID.findall(text)
    }


def _only_another_time_than_theirs(question: Question, body: str, clauses: list[str]) -> bool:
    """Asked what they would pay or get at a time of their own ("if I leave 18 months after"), where the answer
    gives the figure only for other times ("after twelve months you pay half back") and says the others are not
    given ("does not give the other points of the scale"): theirs is one the policy leaves open."""
    if not question.personal or not {Ask.amount, Ask.money, Ask.share} & set(question.asks):
        return False  # (asked whether at all, "do I owe anything?", the rule's period answers)
    theirs = {round(d.years, 1) for d in question.durations if d.since is None}
    if not theirs or not any(re.search(r"\bother\b", c) for c in clauses):
        return False
    stated = _times(normalise(body))
    # (Beyond every time the rule states, "3 years" against "within two years", theirs is outside it.)
    return bool(stated) and not theirs & stated and max(stated) > max(theirs)


def _left_open(index: PackIndex, terms: list[Term], clauses: list[str], question: Question) -> bool:
    """A silence among these leaves open a yes or no about what the question asks of (`terms`: the question's
    content terms): the question names all (but LEFT_OPEN_SLACK) of what the silence is about. The
    organisation's own name counts where both name it ("whether that experience must be with Coventry" to
    "does it have to be at Coventry?"), in a yes or no, not otherwise: most of its sentences could name it."""
    org = index.pack.organisation
    own = f"{org.short_name} {org.name} {org.document}"
    # (Asked for a detail, "how much experience do I need in Coventry?", the name is only where it is asked.)
    detail = any(a in DETAIL_ASKS for a in question.asks)
    own_asked = (
        set() if detail else {stem(w) for w in words(normalise(org.short_name))} & set(tokens(question.text))
    )
    for clause in clauses:
        if not re.search(r"\bwhether\b|\bif\b", clause):
            continue
        about = _content_stems(own, clause)
        both = len(own_asked & set(tokens(normalise(clause))))
        named = sum(any(t.covered_by(frozenset({s})) for t in terms) for s in about) + both
        if named >= MIN_NAMED and named >= len(about) + both - LEFT_OPEN_SLACK:
            return True
    return False


def silence_clauses(body: str) -> tuple[list[str], list[str]]:
    """The (lower-case) silence clauses of a text's lines, and the pieces of text around them."""
    silent: list[str] = []
    spoken: list[str] = []
    for line in body.lower().split("\n"):
        for segment in _SEGMENT.split(line):
            rest = segment
            while (found := SILENCE.search(rest)) is not None:
                end = _CLAUSE_END.search(rest, found.end())
                stop = end.start() if end else len(rest)
                spoken.append(rest[: found.start()])
                silent.append(rest[found.start() : stop])
                rest = rest[stop:]
            spoken.append(rest)
    return silent, spoken


def _silences(index: PackIndex) -> list[tuple[str, list[str], frozenset[Ask]]]:
    """Each fact of the pack that states a silence: its text, its silence clauses and the kinds of answer it
    declares the document silent on (`silent_on`; silent on the amounts, it is on the sums of money too)."""
    found = []
    for passage in index.passages:
        clauses = _clauses_of(passage.text)
        if clauses:
            silent = passage.silent | ({Ask.money} if Ask.amount in passage.silent else set())
            found.append((passage.text, clauses, frozenset(silent)))
    return found


@lru_cache(maxsize=4096)
def _clauses_of(text: str) -> list[str]:
    return silence_clauses(text)[0]


@lru_cache(maxsize=4096)
def _content_stems(own_name: str, text: str) -> tuple[str, ...]:
    """The stems of a text's content words, as content_terms takes them from a question, without those of the
    organisation's own name. (Remembered: the pack's silences are read again for every question.)"""
    own = {stem(w) for w in words(normalise(own_name))}
    skip = GENERAL | NEUTRAL | DOMAIN | own | _SILENCE_WORDS
    found = [
        stem(w)
        for w in words(normalise(text))
        if w not in STOPWORDS and len(w) >= 3 and not any(c.isdigit() for c in w)
    ]
    return tuple(dict.fromkeys(s for s in found if s not in skip))


def _named(subject: list[Term], text: str) -> int:
    stems = _stems(text)
    return sum(t.covered_by(stems) for t in subject)


def _stems(text: str) -> frozenset[str]:
    return frozenset(tokens(normalise(text)))


def _body(answer: Answer) -> str:
    return "\n".join(ln for ln in answer.text.split("\n") if not ln.startswith("Source:"))
