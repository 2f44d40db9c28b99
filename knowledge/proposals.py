"""Candidate answers to a question: every producer proposes what it can say, and one scoring chooses.

A producer reads the question and the pack and proposes an answer where it has one to give; it never
decides that its answer is the one given. Each candidate carries a prior: the order in which the old chain
of routes tried the producers (the first is the highest), so that scoring can replace it step by step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge import personal
from knowledge.framework_answers import competencies, pathways
from knowledge.index import PackIndex
from knowledge.level_answers import (
    TOPIC_WHAT,
    eligibility,
    level_card,
    not_a_level,
    overview,
    pay,
    point_move,
    post_name,
    requirements,
)
from knowledge.models import Pack, Topic
from knowledge.process_answers import apply, evidence, panel, signoff, training
from knowledge.replies import Answer, not_stated, out_of_scope
from knowledge.retrieval import NEUTRAL, best_guess, beyond_the_topic, topic_facts, unnamed_tokens
from knowledge.supplement_answers import supplements
from knowledge.text import normalise, tokens
from knowledge.understand import Question, names_unknown_post

Handler = Callable[[PackIndex, Question, Topic], Answer]


@dataclass(frozen=True)
class Candidate:
    """One answer a producer proposes, and how strongly the old order of routes preferred it."""

    answer: Answer
    producer: str
    prior: float


_BROAD = {Topic.pay, Topic.requirements, Topic.overview, Topic.apply, Topic.training, Topic.eligibility}
CONFIDENT = 3.0  # topic weight above which the topic's handler answers without a retrieval check
_ABOUT_A_POST = {Topic.pay, Topic.requirements, Topic.eligibility, Topic.apply, Topic.overview}
_ABOUT_A_ROUTE = _ABOUT_A_POST | {None, Topic.pathways, Topic.training, Topic.evidence}
# Topics a question is about even when the worker mentions their service ("5 years in CP, what supplement?").
_OWN_SUBJECT = {
    Topic.supplements, Topic.clawback, Topic.secondary_employment, Topic.caseload, Topic.review,
    Topic.backdating, Topic.forms, Topic.probation, Topic.panel, Topic.signoff,
}  # fmt: skip
_MOVE = re.compile(
    r"\b(jump|accelerat|skip|move|moving|progress|go up|where (would|do|will|should|could|might) i|what point"
    r"|which point|end up|land)"
)

Producer = Callable[[PackIndex, Question, Topic | None], Answer | None]


def proposals(index: PackIndex, question: Question) -> list[Candidate]:
    """Every producer's candidate for the question (an off-topic question has only the decline)."""
    if question.off_topic:
        return [Candidate(out_of_scope(index.pack), "out_of_scope", float(len(PRODUCERS)))]
    topic = choose_topic(question)
    found = []
    for rank, (name, produce) in enumerate(PRODUCERS):
        answer = produce(index, question, topic)
        if answer is not None:
            found.append(Candidate(answer, name, float(len(PRODUCERS) - rank)))
    return found


def _point_move(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    if question.points and question.personal and _moving_from_a_point(index.pack, question):
        return point_move(index, question)
    return None


def _service_eligibility(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    """ "I've 3 years' service, can I be an SP?" """
    if (
        question.personal
        and question.durations
        and (question.levels or Topic.eligibility in question.topics)
        and topic not in _OWN_SUBJECT
    ):
        return eligibility(index, question, Topic.eligibility)
    return None


def _not_in_this_policy(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    """The honest no when the question is about a post or specialism this council's policy does not have:
    one its document never mentions, or (asked what it needs or pays) one that is none of its levels."""
    pack = index.pack
    if question.unheard_posts:
        return not_stated(pack, topic, post_name(question.unheard_posts[0], plural=True))
    unknown = names_unknown_post(question, as_target=True)
    if unknown and topic in _ABOUT_A_POST and topic != Topic.pay:
        assert topic is not None
        return not_a_level(pack, topic, f"{TOPIC_WHAT[topic]} {post_name(unknown)}")
    if question.unknown_specialisms and not question.ids("pathway") and topic in _ABOUT_A_ROUTE:
        return not_stated(pack, topic, _specialism_name(question.unknown_specialisms[0]))
    return None


def _named_competency(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    """ "what do I need to show for recording?" """
    if question.ids("competency") and topic in (None, Topic.overview, Topic.requirements, Topic.competencies):
        return competencies(index, question, Topic.competencies)
    return None


def _named_pathway(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    """ "what does PEPS stage 1 involve?" """
    if question.ids("pathway") and (
        topic in (None, Topic.overview, Topic.pathways, Topic.training)
        or (topic == Topic.requirements and not question.levels)
    ):
        return pathways(index, question, Topic.pathways)
    return None


def _confident_topic(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    if topic is not None and question.topics[topic] >= CONFIDENT:
        return HANDLERS.get(topic, topic_facts)(index, question, topic)
    return None


def _level_to_level(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    """ "how do I get from level 2 to BG11?" """
    if (
        question.level("current")
        and question.level("target")
        and topic in _ABOUT_A_POST - {Topic.pay} | {None}
    ):
        return requirements(index, question, Topic.requirements)
    return None


def _bare_level(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    """ "what's M1?", "level 2?" """
    if question.levels and not set(unnamed_tokens(index, question)) - NEUTRAL:
        return level_card(index, question)
    return None


def _best_guess(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    return best_guess(index, question)


def _nothing_on_topic(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    """ "can I apply if I work part time?": the rest is not covered"""
    if topic is not None and not question.mentions and _nothing_on(index, question, topic):
        return not_stated(index.pack, topic, "that")
    return None


def _weak_topic(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    if topic is not None:
        return HANDLERS.get(topic, topic_facts)(index, question, topic)
    return None


def _named_thing(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    for kind, handler in (("level", None), ("competency", competencies), ("pathway", pathways),
                          ("supplement", supplements)):  # fmt: skip
        if question.ids(kind):
            return (
                level_card(index, question) if handler is None else handler(index, question, Topic.overview)
            )
    return None


def _nothing_stated(index: PackIndex, question: Question, topic: Topic | None) -> Answer | None:
    return not_stated(index.pack, None, "that") if question.in_domain else out_of_scope(index.pack)


def _specialism_name(name: str) -> str:
    return name.upper() if len(name) <= 5 else name


def _nothing_on(index: PackIndex, question: Question, topic: Topic) -> bool:
    """A weakly recognised topic whose facts share none of the question's other words: beyond the words
    that made it look like the topic ("can I apply"), the question asks about something they never cover."""
    rest = beyond_the_topic(question, topic)
    if not rest:
        return False
    covered = {t for i in index.with_topic(topic) for t in tokens(normalise(index.passages[i].text))}
    return not rest & covered


def _moving_from_a_point(pack: Pack, question: Question) -> bool:
    """The worker gives their spinal point and asks about moving up, or names a level above theirs."""
    current = personal.current_level(pack, question)
    if current is None:
        return False
    target = personal.target_level(pack, question)
    named = target is not None and target.id in question.ids("level") and target.rank > current.rank
    return bool(_MOVE.search(question.text)) or named


def choose_topic(question: Question) -> Topic | None:
    ranked = question.top_topics
    if not ranked:
        return None
    top = ranked[0]
    # A specific topic clearly present beats a broad one ("when is a pay rise backdated?" is about backdating).
    specific = [t for t in ranked if t not in _BROAD and question.topics[t] >= 4]
    if top in _BROAD and specific:
        top = specific[0]
    if top == Topic.supplements and Topic.eligibility in question.topics and question.level("target"):
        return Topic.eligibility  # "I'm not on the supplement, can I still apply for advanced?"
    return top


HANDLERS: dict[Topic, Handler] = {
    Topic.pay: pay,
    Topic.requirements: requirements,
    Topic.eligibility: eligibility,
    Topic.competencies: competencies,
    Topic.pathways: pathways,
    Topic.supplements: supplements,
    Topic.overview: overview,
    Topic.signoff: signoff,
    Topic.panel: panel,
    Topic.training: training,
    Topic.apply: apply,
    Topic.evidence: evidence,
}

# In the old chain's order: the first that had an answer gave it.
PRODUCERS: list[tuple[str, Producer]] = [
    ("point_move", _point_move),
    ("service_eligibility", _service_eligibility),
    ("not_in_this_policy", _not_in_this_policy),
    ("named_competency", _named_competency),
    ("named_pathway", _named_pathway),
    ("confident_topic", _confident_topic),
    ("level_to_level", _level_to_level),
    ("bare_level", _bare_level),
    ("best_guess", _best_guess),
    ("nothing_on_topic", _nothing_on_topic),
    ("weak_topic", _weak_topic),
    ("named_thing", _named_thing),
    ("nothing_stated", _nothing_stated),
]
