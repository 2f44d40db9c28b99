"""Candidate answers to a question: every producer proposes what it can say about what the question names,
and one scoring (knowledge.scoring) chooses among them.

A producer proposes an answer where the question gives it something to answer about (a level, a spinal
point, the asker's service, a competency, a pathway, a supplement, a topic the question's words point to,
the facts its words match); it never decides that its answer is the one given. Each candidate says which
topics it answers for. Declines are candidates too: the policy does not have the post, level or specialism
asked about, or the topic's facts share nothing with what else is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge import personal
from knowledge.document_passages import names
from knowledge.fitting import facts_giving_the_ask
from knowledge.framework_answers import competencies, competency_groups_asked, pathways
from knowledge.glossary import named_otherwise
from knowledge.index import PackIndex
from knowledge.level_answers import (
    TOPIC_WHAT,
    all_requirements,
    eligibility,
    level_card,
    level_requirements,
    not_a_level,
    overview,
    pay,
    point_move,
    post_name,
    requirements,
)
from knowledge.models import Topic
from knowledge.process_answers import apply, evidence, panel, signoff, training
from knowledge.replies import Answer, not_stated, out_of_scope
from knowledge.retrieval import best_guess, beyond_the_topic, topic_facts
from knowledge.supplement_answers import asker_service, supplements
from knowledge.text import normalise, tokens
from knowledge.understand import Question, names_unknown_post

Handler = Callable[[PackIndex, Question, Topic], Answer]


@dataclass(frozen=True)
class Candidate:
    """One answer a producer proposes, and the topics it answers for."""

    answer: Answer
    producer: str
    topics: frozenset[Topic] = frozenset()
    situation: bool = False  # it answers from what the asker says of themselves (their service, their point)

    @property
    def declines(self) -> bool:
        return not self.answer.answered


# Kinds of candidate that are declines because the subject asked about is not in this policy at all.
UNKNOWN_SUBJECT = frozenset({"unheard_post", "unknown_post", "unknown_specialism", "unknown_level"})
UNCOVERED = "uncovered_topic"  # the topic's facts share none of what else the question asks
NOTHING = "nothing"  # the decline when no candidate answers
ABSENT_TOPIC = "absent_topic"  # the topic asked about has no facts in this pack at all

# The evidence for a topic at which the question clearly asks about it: its cue words are then what it asks
# about, and the topic's answer is as sure as its facts.
CLEARLY_ASKED = 3.0
_ABOUT_A_POST = {Topic.pay, Topic.requirements, Topic.eligibility, Topic.apply, Topic.overview}
_ABOUT_A_ROUTE = _ABOUT_A_POST | {None, Topic.pathways, Topic.training, Topic.evidence}
_BROAD = {Topic.pay, Topic.requirements, Topic.overview, Topic.apply, Topic.training, Topic.eligibility}
# What a competency asks at a level is what that level requires of it; a pathway's stages are what each
# level requires on that route.
_COMPETENCY_TOPICS = (Topic.competencies, Topic.requirements)
_PATHWAY_TOPICS = (Topic.pathways, Topic.training, Topic.requirements)
_MOVE_TOPICS = (Topic.pay, Topic.requirements, Topic.eligibility)


def proposals(index: PackIndex, question: Question) -> list[Candidate]:
    """Every producer's candidates for the question (an off-topic question has only the decline)."""
    if question.off_topic:
        return [Candidate(out_of_scope(index.pack), "out_of_scope")]
    found: list[Candidate] = []
    for produce in PRODUCERS:
        found += produce(index, question)
    return found


def fallback(index: PackIndex, question: Question) -> Candidate:
    """What is said when no candidate answers: outside career progression, or not in this policy."""
    said = not_stated(index.pack, None, "that") if question.in_domain else out_of_scope(index.pack)
    return Candidate(said, NOTHING)


def _candidate(name: str, answer: Answer | None, *topics: Topic, situation: bool = False) -> list[Candidate]:
    return [] if answer is None else [Candidate(answer, name, frozenset(topics), situation)]


def _about_levels(index: PackIndex, question: Question) -> list[Candidate]:
    """A level named, a spinal point given, or the asker's service: what it pays, needs, and whether the
    asker's service meets its rule; moving up from the asker's point to the next level."""
    pack = index.pack
    out: list[Candidate] = []
    # Moving up from the point the asker says they are on ("I'm on 37, can I jump?").
    current = personal.current_level(pack, question) if question.points and question.personal else None
    target = personal.target_level(pack, question)
    if current and target and target.rank > current.rank:
        out += _candidate("move_from_point", point_move(index, question), *_MOVE_TOPICS, situation=True)
    if question.durations and question.personal:
        answer = eligibility(index, question, Topic.eligibility)
        out += _candidate("service_check", answer, Topic.eligibility, situation=True)
    if question.levels:
        out += _candidate("level_card", level_card(index, question), Topic.overview)
    if target is not None:
        out += _candidate("level_requirements", requirements(index, question, Topic.requirements),
                          Topic.requirements)  # fmt: skip
    elif question.levels:  # "what's needed at level 3" (where the asker may already be)
        named = pack.level(question.levels[0].id)
        answer = level_requirements(index, named, Topic.requirements, question)
        out += _candidate("level_requirements", answer, Topic.requirements)
    if question.levels or question.points:
        out += _candidate("level_pay", pay(index, question, Topic.pay), Topic.pay)
    return out


def _about_named_things(index: PackIndex, question: Question) -> list[Candidate]:
    """A competency, pathway or supplement named: what the policy says of it."""
    out: list[Candidate] = []
    if question.ids("competency"):
        out += _candidate(
            "competency", competencies(index, question, Topic.competencies), *_COMPETENCY_TOPICS
        )
    if not question.ids("competency") and competency_groups_asked(index.pack, question):
        # A group of competencies named by the document's own name for it ("the core skills"): the group whole,
        # which is also what the asker has to evidence and what the level requires.
        answer = competencies(index, question, Topic.competencies)
        out += _candidate("competency_group", answer, *_COMPETENCY_TOPICS, Topic.evidence)
    if question.ids("pathway"):
        out += _candidate("pathway", pathways(index, question, Topic.pathways), *_PATHWAY_TOPICS)
    if question.ids("supplement"):
        # (Weighing the asker's own service against a supplement's, it answers from their situation.)
        weighs = asker_service(question) is not None and any(
            s.min_years or s.max_years for s in index.pack.supplements if s.id in question.ids("supplement")
        )
        answer = supplements(index, question, Topic.supplements)
        out += _candidate("supplement", answer, Topic.supplements, situation=weighs)
    return out


def _about_topics(index: PackIndex, question: Question) -> list[Candidate]:
    """Each topic the question's words point to: its structured answer, or its best facts."""
    out: list[Candidate] = []
    absent = absent_topics(index, question)
    for topic in question.topics:
        if not index.with_topic(topic):
            if topic in absent:  # the policy has nothing on it at all, under any name for it
                out += _candidate(ABSENT_TOPIC, not_stated(index.pack, topic), topic)
        elif (
            topic == Topic.requirements
            and not question.levels
            and personal.target_level(index.pack, question) is None
        ):
            # No level named: the rule the question's own words point to ("do I need good attendance?"),
            # else every level's requirements in short.
            # (Only where requirements is what the question is most about: beside a clearer topic, the
            # words' best fact answers for that topic, not this one.)
            rule = best_guess(index, question) if main_topic(question) == topic else None
            out += _candidate("topic", rule or all_requirements(index), topic)
        else:
            answer = HANDLERS.get(topic, topic_facts)(index, question, topic)
            out += _candidate("topic", _as_sure_as_the_cue(answer, question.topics[topic]), topic)
    return out


def absent_topics(index: PackIndex, question: Question) -> list[Topic]:
    """The topics the question points to that the policy does not cover at all, under any name."""
    return [t for t in question.topics if not index.with_topic(t) and not _named_in_the_packs_terms(index, t)]


def _named_in_the_packs_terms(index: PackIndex, topic: Topic) -> bool:
    """The topic is a concept of the glossary that the pack's facts name by another of its names (the ASYE
    where the document says "newly qualified"): no fact is tagged with it, but the policy does speak of it,
    and the facts in its own term answer."""
    return named_otherwise(topic.value.replace("_", " "), index.corpus)


def _as_sure_as_the_cue(answer: Answer, weight: float) -> Answer:
    """A topic's answer to a question that only weakly points to the topic (one word that may mean it) is no
    surer than that pointer."""
    sure = min(answer.confidence, weight / CLEARLY_ASKED)
    return answer if sure == answer.confidence else answer.model_copy(update={"confidence": sure})


def _retrieved(index: PackIndex, question: Question) -> list[Candidate]:
    """The facts that share the question's words best, and the facts that give the kind of answer asked for
    (a figure, a person, a time) about its distinctive subject."""
    return _candidate("retrieved", best_guess(index, question)) + _candidate(
        "giving_the_ask", facts_giving_the_ask(index, question)
    )


def _not_in_this_policy(index: PackIndex, question: Question) -> list[Candidate]:
    """The honest no when the question is about a post, level or specialism this council's policy does not
    have: one its document never mentions, or (asked what it needs or pays) one that is none of its levels."""
    pack = index.pack
    topic = main_topic(question)
    if question.unheard_posts:
        return _candidate(
            "unheard_post", not_stated(pack, topic, post_name(question.unheard_posts[0], plural=True))
        )
    out: list[Candidate] = []
    unknown = names_unknown_post(question, as_target=True)
    if unknown and topic in _ABOUT_A_POST and topic != Topic.pay:
        assert topic is not None
        out += _candidate(
            "unknown_post", not_a_level(pack, topic, f"{TOPIC_WHAT[topic]} {post_name(unknown)}")
        )
    if question.unknown_specialisms and not question.ids("pathway") and topic in _ABOUT_A_ROUTE:
        name = question.unknown_specialisms[0]
        out += _candidate(
            "unknown_specialism", not_stated(pack, topic, name.upper() if len(name) <= 5 else name)
        )
    level = question.unknown_levels[0] if question.unknown_levels and not question.levels else None
    if level and not names(
        pack.organisation.document, level
    ):  # (a grade it names outside its levels is in it)
        what = TOPIC_WHAT.get(topic or Topic.overview, TOPIC_WHAT[Topic.overview])
        out += _candidate("unknown_level", not_a_level(pack, Topic.overview, f"{what} {post_name(level)}"))
    return out


def _uncovered_topic(index: PackIndex, question: Question) -> list[Candidate]:
    """ "can I apply if I work part time?": beyond the words that made it look like the topic, the question
    asks about something none of the topic's facts mention, and no other fact clearly shares its words."""
    topic = main_topic(question)
    if topic is None or question.mentions or not index.with_topic(topic):
        return []  # (a topic with no facts at all is said to be absent by name)
    rest = beyond_the_topic(question, topic)
    covered = {t for i in index.with_topic(topic) for t in tokens(normalise(index.passages[i].text))}
    if not rest or rest & covered or best_guess(index, question) is not None:
        return []  # (a fact elsewhere that clearly shares the question's words may be what it asks about)
    return _candidate(UNCOVERED, not_stated(index.pack, topic, "that"), topic)


def main_topic(question: Question) -> Topic | None:
    """The topic the question is most about, for saying what the policy does not cover: a specific topic
    clearly present before a broad one ("when is a pay rise backdated?" is about backdating)."""
    ranked = question.top_topics
    if not ranked:
        return None
    specific = [t for t in ranked if t not in _BROAD and question.topics[t] >= CLEARLY_ASKED]
    return specific[0] if ranked[0] in _BROAD and specific else ranked[0]


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

PRODUCERS: list[Callable[[PackIndex, Question], list[Candidate]]] = [
    _about_levels,
    _about_named_things,
    _about_topics,
    _retrieved,
    _not_in_this_policy,
    _uncovered_topic,
]
