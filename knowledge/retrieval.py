"""Answers from retrieved passages: ranking a pack's passages for a question, the best facts on a topic,
and a best guess when no topic is clear."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, overload

from knowledge.index import PackIndex, Passage
from knowledge.models import Topic
from knowledge.replies import Answer, compose, not_stated
from knowledge.text import GENERAL, normalise, tokens
from knowledge.topics import CUES
from knowledge.understand import Question

# Words that say nothing about what is asked ("tell me about", "social worker").
NEUTRAL = {
    "tell", "explain", "info", "inform", "describ", "mean", "detail", "about", "social", "worker",
    "differ", "compar", "between", "versus", "vs",
}  # fmt: skip

# What a passage must contain to give the kind of answer asked for (ASKS): a person, a time, a figure.
FOCUS = {
    "who": re.compile(r"\b(manager|director|worker|officer|principal|panel of|chair|lead)\b"),
    "when": re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|"
                       r"december|twice|once|a year|annual|within|days|weeks|months|date)\b"),
    "amount": re.compile(r"\d|£"),
}  # fmt: skip
ASKS = {
    "who": re.compile(r"\bwho\b|\bwhom\b"),
    "when": re.compile(r"\bwhen\b|\bhow often\b|\bwhat (date|month|time)s?\b"),
    "amount": re.compile(r"\bhow (much|many|long)\b|\bmaximum\b|\bminimum\b"),
}


def unnamed_tokens(index: PackIndex, question: Question) -> list[str]:
    """The question's content words once the names of levels and the like are taken out."""
    text = question.text
    for mention in sorted(question.mentions, key=lambda m: -m.start):
        text = text[: mention.start] + " " + text[mention.end :]
    return tokens(text)


def beyond_the_topic(question: Question, topic: Topic) -> set[str]:
    """The question's words besides those that made it look like the topic: in "what feedback do I need in
    my CPD", "feedback" is what it is about, once "CPD" (and its expansion) has said it is about CPD."""
    text = question.text
    for cue in CUES[topic]:
        text = cue.pattern.sub(" ", text)
    return set(tokens(text)) - NEUTRAL - {"work"}


def topic_facts(index: PackIndex, question: Question, topic: Topic) -> Answer:
    candidates = index.with_topic(topic)
    if not candidates:
        return not_stated(index.pack, topic)
    chosen = ranked(index, question, candidates, salient=beyond_the_topic(question, topic))[:3]
    if not chosen:  # its facts are all said of other levels than the one asked about: none is an answer
        return not_stated(index.pack, topic, "that")
    if asks_a_figure_nothing_fits(question, chosen):
        return not_stated(index.pack, topic, "that")
    return compose(index.pack, [p.text for p in chosen], [p.source for p in chosen], topic)


def asks_a_figure_nothing_fits(question: Question, chosen: list[Passage]) -> bool:
    """Asked "how many/much/long" and the topic's best facts hold no figure and share no word with it."""
    if not ASKS["amount"].search(question.text) or any(FOCUS["amount"].search(p.text) for p in chosen):
        return False
    return not set(question.tokens) & set(tokens(normalise(f"{chosen[0].text} {chosen[0].keywords}")))


def best_guess(index: PackIndex, question: Question) -> Answer | None:
    """No confident topic: answer from the passages that clearly share the question's words, if any."""
    scored = ranked(index, question, list(range(len(index.passages))), with_scores=True)
    if not scored:
        return None
    scored = [(p, score) for p, score in scored if p.kind != "descriptor" or _names_its_content(question, p)]
    if not scored:
        return None
    top_passage, top_score = scored[0]
    # The glossary's names for what the asker calls by another ("attrition" for turnover) count as theirs.
    asked = set(question.tokens).union(*question.terms)
    shared = asked & set(tokens(normalise(f"{top_passage.text} {top_passage.keywords}")))
    if top_score < 3.5 or len(shared) < 2:
        return None
    chosen = [p for p, score in scored[:2] if score >= 0.75 * top_score]
    topic = next(iter(sorted(top_passage.topics)), None)
    return compose(index.pack, [p.text for p in chosen], [p.source for p in chosen], topic, confidence=0.5)


def _names_its_content(question: Question, passage: Passage) -> bool:
    """A competency's descriptor is a guess only when the question uses one of its own words ("deputise")."""
    shared = set(question.tokens) & set(tokens(normalise(passage.text)))
    return bool({w for w in shared if not w.isdigit() and w not in {"level", "social", "worker"}} - GENERAL)


@overload
def ranked(
    index: PackIndex, question: Question, candidates: list[int], *, salient: set[str] | None = None
) -> list[Passage]: ...
@overload
def ranked(
    index: PackIndex,
    question: Question,
    candidates: list[int],
    *,
    salient: set[str] | None = None,
    with_scores: Literal[True],
) -> list[tuple[Passage, float]]: ...
def ranked(
    index: PackIndex,
    question: Question,
    candidates: list[int],
    *,
    salient: set[str] | None = None,
    with_scores: bool = False,
) -> list[Passage] | list[tuple[Passage, float]]:
    """Candidates best first: shared words, named levels/pathways, what kind of answer is asked for, and
    the `salient` words (what is asked beyond the topic itself)."""
    scores = index.scores(question.terms)
    mentioned = {m.id for m in question.mentions}
    asked = {kind for kind, pattern in ASKS.items() if pattern.search(question.text)}
    salient = salient or set()
    if question.levels:
        candidates = [i for i in candidates if not of_another_level(index, index.passages[i], question)]

    def score(i: int) -> float:
        passage = index.passages[i]
        bonus = 3.0 * len(passage.tags & mentioned)
        bonus += 1.5 * len(asked & _focus(passage.text))
        bonus += 2.0 * len(salient & index.words[i])
        return scores[i] + bonus

    scored = {i: score(i) for i in dict.fromkeys(candidates)}
    order = sorted(scored, key=lambda i: (-scored[i], i))
    if not order:
        return []
    top = scored[order[0]]
    kept = [i for i in order if scored[i] >= 0.5 * top or top <= 0][:3]
    if with_scores:
        return [(index.passages[i], scored[i]) for i in kept]
    return [index.passages[i] for i in kept]


def of_another_level(index: PackIndex, passage: Passage, question: Question) -> bool:
    """The passage is said only of levels other than those the question names: asked about level 3, level 2's
    desirable award is none of level 3's requirements."""
    named = {level.id for level in question.levels}
    said_of = passage.tags & index.level_ids
    # What is said of a whole grade (BCC's "BG10": induction, probation, the ASYE) is said of each level on it.
    named |= {grade for level in named if (grade := index.grade_level_of.get(level))}
    return bool(named and said_of) and not said_of & named


@lru_cache(maxsize=16384)
def _focus(text: str) -> frozenset[str]:
    """The kinds of answer (who, when, a figure) a passage's words give, by FOCUS."""
    lowered = text.lower()
    return frozenset(kind for kind, pattern in FOCUS.items() if pattern.search(lowered))
