from __future__ import annotations

import re
from collections.abc import Callable

from knowledge import personal
from knowledge.fitting import fit_to_ask
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
from knowledge.models import Pack, Source, Topic
from knowledge.process_answers import apply, evidence, panel, signoff, training
from knowledge.replies import Answer, not_stated, out_of_scope
from knowledge.retrieval import NEUTRAL, best_guess, beyond_the_topic, topic_facts, unnamed_tokens
from knowledge.supplement_answers import supplements
from knowledge.text import normalise, tokens
from knowledge.understand import Question, names_unknown_post
from knowledge.verification import verified

Handler = Callable[[PackIndex, Question, Topic], Answer]


_BROAD = {Topic.pay, Topic.requirements, Topic.overview, Topic.apply, Topic.training, Topic.eligibility}


CONFIDENT = 3.0  # topic weight above which the topic's handler answers without a retrieval check


_ABOUT_A_POST = {Topic.pay, Topic.requirements, Topic.eligibility, Topic.apply, Topic.overview}


_ABOUT_A_ROUTE = _ABOUT_A_POST | {None, Topic.pathways, Topic.training, Topic.evidence}


def _specialism_name(name: str) -> str:
    return name.upper() if len(name) <= 5 else name


# Topics a question is about even when the worker mentions their service ("5 years in CP, what supplement?").
_OWN_SUBJECT = {
    Topic.supplements, Topic.clawback, Topic.secondary_employment, Topic.caseload, Topic.review,
    Topic.backdating, Topic.forms, Topic.probation, Topic.panel, Topic.signoff,
}  # fmt: skip


_MOVE = re.compile(
    r"\b(jump|accelerat|skip|move|moving|progress|go up|where (would|do|will|should|could|might) i|what point"
    r"|which point|end up|land)"
)


def respond(index: PackIndex, question: Question) -> Answer:
    """The routed answer, kept only where it gives what was asked about what was asked (knowledge.fitting)
    and speaks to every salient term of the question (knowledge.verification)."""
    return verified(index, question, fit_to_ask(index, question, _routed(index, question)))


def _routed(index: PackIndex, question: Question) -> Answer:
    pack = index.pack
    if question.off_topic:
        return out_of_scope(pack)
    if question.points and question.personal and _moving_from_a_point(pack, question):
        return point_move(index, question)
    topic = _choose_topic(question)
    if (
        question.personal
        and question.durations
        and (question.levels or Topic.eligibility in question.topics)
        and topic not in _OWN_SUBJECT
    ):
        return eligibility(index, question, Topic.eligibility)  # "I've 3 years' service, can I be an SP?"
    unsaid = _not_in_this_policy(pack, question, topic)
    if unsaid is not None:
        return unsaid
    if question.ids("competency") and topic in (None, Topic.overview, Topic.requirements, Topic.competencies):
        return competencies(index, question, Topic.competencies)  # "what do I need to show for recording?"
    if question.ids("pathway") and (
        topic in (None, Topic.overview, Topic.pathways, Topic.training)
        or (topic == Topic.requirements and not question.levels)
    ):
        return pathways(index, question, Topic.pathways)  # "what does PEPS stage 1 involve?"
    if topic is not None and question.topics[topic] >= CONFIDENT:
        return HANDLERS.get(topic, topic_facts)(index, question, topic)
    if (
        question.level("current")
        and question.level("target")
        and topic in _ABOUT_A_POST - {Topic.pay} | {None}
    ):
        return requirements(index, question, Topic.requirements)  # "how do I get from level 2 to BG11?"
    if question.levels and not set(unnamed_tokens(index, question)) - NEUTRAL:
        return level_card(index, question)  # "what's M1?", "level 2?"
    guess = best_guess(index, question)
    if guess is not None:
        return guess
    if topic is not None and not question.mentions and _nothing_on(index, question, topic):
        return not_stated(pack, topic, "that")  # "can I apply if I work part time?": the rest is not covered
    if topic is not None:
        return HANDLERS.get(topic, topic_facts)(index, question, topic)
    for kind, handler in (("level", None), ("competency", competencies), ("pathway", pathways),
                          ("supplement", supplements)):  # fmt: skip
        if question.ids(kind):
            return (
                level_card(index, question) if handler is None else handler(index, question, Topic.overview)
            )
    return not_stated(pack, None, "that") if question.in_domain else out_of_scope(pack)


def _not_in_this_policy(pack: Pack, question: Question, topic: Topic | None) -> Answer | None:
    """The honest no when the question is about a post or specialism this council's policy does not have:
    one its document never mentions, or (asked what it needs or pays) one that is none of its levels."""
    if question.unheard_posts:
        return not_stated(pack, topic, post_name(question.unheard_posts[0], plural=True))
    unknown = names_unknown_post(question, as_target=True)
    if unknown and topic in _ABOUT_A_POST and topic != Topic.pay:
        return not_a_level(pack, topic, f"{TOPIC_WHAT[topic]} {post_name(unknown)}")
    if question.unknown_specialisms and not question.ids("pathway") and topic in _ABOUT_A_ROUTE:
        return not_stated(pack, topic, _specialism_name(question.unknown_specialisms[0]))
    return None


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


def _choose_topic(question: Question) -> Topic | None:
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


__all__ = ["Answer", "Source", "respond"]
