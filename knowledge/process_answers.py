"""Answers about the process: how to apply, the evidence rule, training, the panel and who signs off."""

from __future__ import annotations

import re

from knowledge.index import PackIndex
from knowledge.models import Source, Topic
from knowledge.replies import Answer, compose, not_stated, sentence
from knowledge.retrieval import ASKS, FOCUS, ranked, topic_facts
from knowledge.text import stem, tokens
from knowledge.understand import Question

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
]  # fmt: skip


_WHO_SITS = re.compile(r"\bwho\b.*\b(on|sits?|runs?|chairs?|in|members?)\b|\bmembers?\b|\bsits? on\b")


_MANDATORY = re.compile(r"\b(mandatory|compulsory|obligatory)\b")


def apply(index: PackIndex, question: Question, topic: Topic) -> Answer:
    """The policy's steps in order, where it sets them out, then the fact that best fits the question."""
    return _rule_first(index, question, topic, "steps", [step.source for step in index.pack.process.steps])


def evidence(index: PackIndex, question: Question, topic: Topic) -> Answer:
    """The policy's evidence rule, where it has one, then the fact that best fits the question."""
    rule = index.pack.process.evidence
    return _rule_first(index, question, topic, "evidence", [rule.source] if rule else [])


def _rule_first(
    index: PackIndex, question: Question, topic: Topic, kind: str, sources: list[Source]
) -> Answer:
    """The pack's own rule for the topic (a passage of `kind`) leads; the best other fact follows."""
    rule = [i for i in index.with_topic(topic) if index.passages[i].kind == kind]
    if not rule:
        return topic_facts(index, question, topic)
    others = [p for p in ranked(index, question, index.with_topic(topic)) if p.kind != kind][:1]
    chosen = [index.passages[rule[0]], *others]
    return compose(index.pack, [p.text for p in chosen], sources + [p.source for p in others], topic)


def training(index: PackIndex, question: Question, topic: Topic) -> Answer:
    """Training facts; asked what is mandatory where the policy lists no mandatory training, say so."""
    pack = index.pack
    if not _MANDATORY.search(question.text):
        return topic_facts(index, question, topic)
    mandatory = [t for t in pack.training if t.mandatory]
    if not mandatory:
        return not_stated(pack, topic, "mandatory training")
    asked = set(tokens(question.text))
    staged = [t for t in pack.training if t.stage and stem(t.stage.lower()) in asked]
    if staged and not any(t.mandatory for t in staged):
        # "is the ongoing training mandatory?": that stage's training is the subject, and the policy does not
        # call it mandatory; what it does say of it follows.
        names = " or the ".join(t.name for t in staged)
        stems = {stem(t.stage.lower()) for t in staged}
        own = [
            i for i in index.with_topic(topic) if index.passages[i].kind == "fact" and stems & index.words[i]
        ]
        said = ranked(index, question, own)[:1]  # (the policy's words on that stage's training)
        lines = [f"The policy doesn't list the {names} as mandatory.", *(p.text for p in said)]
        return compose(pack, lines, [*(t.source for t in staged), *(p.source for p in said)], topic)
    frameworks = question.ids("framework")
    shown = [t for t in mandatory if not frameworks or t.framework in (None, *frameworks)] or mandatory
    lines = [f"{t.name}: " + "; ".join(t.items) + "." for t in shown]
    return compose(pack, lines, [t.source for t in shown], topic)


def panel(index: PackIndex, question: Question, topic: Topic) -> Answer:
    """A panel the policy has; asked when it sits where the policy gives no dates or frequency, say so."""
    found = index.pack.process.panel
    if found and not found.months and ASKS["when"].search(question.text):
        dated = [p for p in index.with_topic(topic) if FOCUS["when"].search(index.passages[p].text.lower())]
        if not dated:
            return not_stated(index.pack, topic, f"when the {found.name} sits", [sentence(found.text)])
    if found and found.members and _WHO_SITS.search(question.text):
        lines = [f"Who sits on the {found.name}: {found.members.rstrip('.')}."]
        lines += [f"Feedback on the outcome: {found.feedback_by.rstrip('.')}."] if found.feedback_by else []
        return compose(index.pack, lines, [found.source], topic)
    named_month = any(month.lower() in question.text.split() for month in _MONTHS)
    if found and found.months and (ASKS["when"].search(question.text) or named_month):
        return compose(index.pack, [found.text], [found.source], topic)  # "can I submit in March?"
    return topic_facts(index, question, topic)


def signoff(index: PackIndex, question: Question, topic: Topic) -> Answer:
    """The whole decision chain, in order, then anything else the policy says about it."""
    chain = index.pack.process.signoff
    if not chain:
        return topic_facts(index, question, topic)
    lines = [sentence(step.text) for step in chain]
    others = [p for p in ranked(index, question, index.with_topic(topic)) if p.text not in lines]
    lines += [p.text for p in others[:1]]
    return compose(index.pack, lines, [s.source for s in chain] + [p.source for p in others[:1]], topic)
