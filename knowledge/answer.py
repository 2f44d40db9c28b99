"""From an understood question to an answer composed of one pack's facts.

Routing: off-topic -> decline; worker's own situation -> personal rules; a post, specialism or topic
this pack's document never mentions -> "the policy doesn't say"; structured topics (pay, requirements,
competencies, pathways, supplements, apply, panel...) -> their handlers; any other topic -> the best
passages tagged with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge import personal
from knowledge.fitting import fit_to_ask
from knowledge.framework_answers import competencies, pathways
from knowledge.index import PackIndex, pay_text
from knowledge.models import Level, Pack, Source, Topic
from knowledge.replies import Answer, compose, join_list, money, not_stated, out_of_scope, sentence
from knowledge.retrieval import (
    ASKS,
    FOCUS,
    NEUTRAL,
    best_guess,
    beyond_the_topic,
    ranked,
    topic_facts,
    unnamed_tokens,
)
from knowledge.supplement_answers import supplements
from knowledge.text import normalise, tokens
from knowledge.understand import Question, names_unknown_post
from knowledge.verification import verified

Handler = Callable[[PackIndex, Question, Topic], Answer]

TOPIC_WHAT = {
    Topic.requirements: "what is needed for",
    Topic.eligibility: "who can become",
    Topic.apply: "how to apply for",
    Topic.overview: "the post of",
    Topic.pay: "the salary for",
}
_BROAD = {Topic.pay, Topic.requirements, Topic.overview, Topic.apply, Topic.training, Topic.eligibility}
CONFIDENT = 3.0  # topic weight above which the topic's handler answers without a retrieval check
_LEVEL_LIKE = re.compile(r"level \d+|grade \d+|[a-z]{1,2}\d+")
_ABOUT_A_POST = {Topic.pay, Topic.requirements, Topic.eligibility, Topic.apply, Topic.overview}
_ABOUT_A_ROUTE = _ABOUT_A_POST | {None, Topic.pathways, Topic.training, Topic.evidence}


def _specialism_name(name: str) -> str:
    return name.upper() if len(name) <= 5 else name


# Topics a question is about even when the worker mentions their service ("5 years in CP, what supplement?").
_OWN_SUBJECT = {
    Topic.supplements, Topic.clawback, Topic.secondary_employment, Topic.caseload, Topic.review,
    Topic.backdating, Topic.forms, Topic.probation, Topic.panel, Topic.signoff,
}  # fmt: skip
_ASKS_GRADE = re.compile(r"\b(what|which) (pay )?grade\b|\bgrade (is|for|of)\b")
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
        return not_stated(pack, topic, _post_name(question.unheard_posts[0], plural=True))
    unknown = names_unknown_post(question, as_target=True)
    if unknown and topic in _ABOUT_A_POST and topic != Topic.pay:
        return _not_a_level(pack, topic, f"{TOPIC_WHAT[topic]} {_post_name(unknown)}")
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


def pay(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    named = [pack.level(ref.id) for ref in question.levels]
    if question.points:
        # "I'm on SCP 33, what's the most I can earn at level 1?": the point, then the level it names.
        return _pay_at_points(pack, question.points, [lv for lv in named if lv.pay])
    unknown = names_unknown_post(question)
    if unknown and not named:
        return _not_a_level(pack, topic, f"the salary for {_post_name(unknown)}")
    levels = named or [lv for lv in personal.ladder(pack, None) if lv.pay]
    if not levels:
        return not_stated(pack, topic, "salaries or pay scales", _unpriced_detail(index))
    priced = [lv for lv in levels if lv.pay]
    if not priced:
        names = join_list([lv.name for lv in levels])
        return not_stated(pack, topic, f"the salary for {names}", _unpriced_detail(index, levels))
    lines = [_pay_line(lv) for lv in priced]
    lines += [f"The policy doesn't state the salary for {lv.name}." for lv in levels if not lv.pay]
    return compose(pack, lines, [lv.pay.source for lv in priced if lv.pay], topic)


def _pay_at_points(pack: Pack, points: list[int], levels: list[Level]) -> Answer:
    lines, sources = [], []
    for point in points:
        found = personal.level_at_point(pack, point)
        if found is None:
            known = sorted(p.point for lv in pack.levels if lv.pay for p in lv.pay.points)
            span = f" (its pay table runs from point {known[0]} to {known[-1]})" if known else ""
            return not_stated(pack, Topic.pay, f"a salary for spinal point {point}{span}")
        level, pay_point = found
        lines.append(f"Spinal point {point} pays {money(pay_point.salary)} a year ({level.name}).")
        sources.append(level.pay.source if level.pay else level.source)
    lines += [_pay_line(level) for level in levels]
    sources += [level.pay.source for level in levels if level.pay]
    return compose(pack, lines, sources, Topic.pay)


def _pay_line(level: Level) -> str:
    return pay_text(level)


def _unpriced_detail(index: PackIndex, levels: list[Level] | None = None) -> list[str]:
    """What the policy does say about pay, minus figures that could be mistaken for a salary."""
    ids = {lv.id for lv in levels or []}
    passages = [
        p for p in index.passages if Topic.pay in p.topics and (not ids or p.tags & ids or not p.tags)
    ]
    return [p.text for p in passages if not re.search(r"£\s?\d", p.text)][:1]


def requirements(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    unknown = names_unknown_post(question, as_target=True)
    if unknown:
        return _not_a_level(pack, topic, f"what is needed for {_post_name(unknown)}")
    level = personal.target_level(pack, question)
    if level is None:
        # No level named: a rule the question's own words point to ("do I need good attendance?"), else all.
        return best_guess(index, question) or _all_requirements(index)
    return _level_requirements(index, level, topic, question)


def _level_requirements(index: PackIndex, level: Level, topic: Topic, question: Question) -> Answer:
    pack = index.pack
    essential = [r for r in level.requirements if r.essential]
    desirable = [r for r in level.requirements if not r.essential]
    if not level.requirements:
        extra = ranked(index, question, [i for i, p in enumerate(index.passages) if level.id in p.tags])
        if not extra:
            return not_stated(pack, topic, f"what is needed for {level.name}")
        return compose(pack, [p.text for p in extra[:3]], [p.source for p in extra[:3]], topic)
    lines = [f"To reach {level.name} you need:"]
    lines += [f"• {sentence(r.text)}" for r in essential]
    if level.competencies_required:
        lines.append(_competency_count(pack, level))
    if desirable:
        lines.append("Desirable: " + " ".join(sentence(r.text) for r in desirable))
    sources = [r.source for r in level.requirements]
    if level.competencies_required and pack.process.evidence:
        sources.append(pack.process.evidence.source)
    return compose(pack, lines, sources, topic)


def _competency_count(pack: Pack, level: Level) -> str:
    # No count here: a figure the document does not print is one the bot must not state.
    examples = pack.process.evidence.examples_per_competency if pack.process.evidence else None
    each = f", about {examples} practice examples for each" if examples else ""
    return f"• Evidence against every competency for {level.name}{each}."


def _all_requirements(index: PackIndex) -> Answer:
    pack = index.pack
    lines, sources = [], []
    for level in personal.ladder(pack, None):
        essential = [r for r in level.requirements if r.essential]
        if essential:
            lines.append(f"{level.name}: {sentence(essential[0].text)}")
            sources.append(essential[0].source)
    if not lines:
        return not_stated(pack, Topic.requirements)
    return compose(pack, ["Each level needs, in short:", *lines], sources, Topic.requirements)


def _not_a_level(pack: Pack, topic: Topic, what: str) -> Answer:
    names = join_list([lv.name for lv in personal.ladder(pack, None)])
    return not_stated(pack, topic, what, [f"Its levels are {names}."])


def _post_name(name: str, *, plural: bool = False) -> str:
    if _LEVEL_LIKE.fullmatch(name):
        return name.title() if " " in name else name.upper()  # "Level 4", "BG15"
    if name.endswith("s"):
        return name
    if plural:
        return f"{name}s"
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def eligibility(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    unknown = names_unknown_post(question, as_target=True)
    if unknown:
        return _not_a_level(pack, topic, f"who can become {_post_name(unknown)}")
    if not question.durations and not question.levels and index.with_topic(topic):
        return topic_facts(index, question, topic)
    level = personal.target_level(pack, question, default_first=True)
    if level is None:
        return topic_facts(index, question, topic)
    checks = personal.checks(level, question.durations)
    failing = [c for c in checks if c.verdict == "not_met"]
    passing = [c for c in checks if c.verdict == "met"]
    if failing:
        lines = [f"Not yet, going by the policy. For {level.name}: {sentence(failing[0].requirement.text)}"]
        lines[0] += personal.service_said(question.durations, failing[0].requirement)
    elif passing:
        lines = [f"On service, yes: {sentence(passing[0].requirement.text)}"]
        lines[0] += personal.service_said(question.durations)
    else:
        lines = [f"For {level.name}:"]
    rest = [
        c.requirement for c in checks if c not in failing and c not in passing and c.requirement.essential
    ]
    lines += [f"• {sentence(r.text)}" for r in rest]
    if level.competencies_required:
        lines.append(_competency_count(pack, level))
    if not checks:
        return _level_requirements(index, level, topic, question)
    return compose(pack, lines, [c.requirement.source for c in checks], topic)


def point_move(index: PackIndex, question: Question) -> Answer:
    pack = index.pack
    current = personal.current_level(pack, question)
    target = personal.target_level(pack, question)
    if current is None or target is None or target.pay is None or not target.pay.points:
        return requirements(index, question, Topic.requirements)
    point = question.points[0]
    new = min((p for p in target.pay.points if p.point > point), key=lambda p: p.point, default=None)
    if new is None:
        return _level_requirements(index, target, Topic.requirements, question)
    now = personal.level_at_point(pack, point)
    now_pay = f", {money(now[1].salary)}" if now else ""
    lines = [
        f"If you can evidence {target.name} competency, you could progress from {current.name} "
        f"(point {point}{now_pay}) to {target.name} at spinal point {new.point} ({money(new.salary)} a year)."
    ]
    examples = ranked(
        index, question, index.with_topic(Topic.requirements) + index.with_topic(Topic.overview)
    )
    lines += [p.text for p in examples[:1]]
    lines += [f"You need: {sentence(r.text)}" for r in target.requirements if r.essential][:2]
    sources = [target.pay.source, *(p.source for p in examples[:1])]
    sources += [r.source for r in target.requirements if r.essential][:2]
    return compose(pack, lines, sources, Topic.requirements)


def level_card(index: PackIndex, question: Question, topic: Topic | None = None) -> Answer:
    """What a level is, pays and needs; for two or three levels named ("BG11 vs BG12"), each in turn."""
    pack = index.pack
    named = list(dict.fromkeys(ref.id for ref in question.levels))[:3]
    lines: list[str] = []
    sources: list[Source] = []
    for level in (pack.level(level_id) for level_id in named):
        grade = f" ({level.grade})" if level.grade and level.grade.lower() not in level.name.lower() else ""
        if not level.grade and _ASKS_GRADE.search(question.text):  # say so, rather than answer beside it
            lines.append(f"The policy doesn't say which grade {level.name} is.")
        lines.append(f"{level.name}{grade}." + (f" {level.summary}" if level.summary else ""))
        sources.append(level.source)
        if level.pay:
            lines.append(_pay_line(level))
            sources.append(level.pay.source)
        essential = [r for r in level.requirements if r.essential][: 2 if len(named) == 1 else 1]
        lines += [f"To reach {level.name}: {sentence(r.text)}" for r in essential]
        sources += [r.source for r in essential]
    return compose(pack, lines, sources, topic or Topic.overview)


def overview(index: PackIndex, question: Question, topic: Topic) -> Answer:
    if question.levels:
        return level_card(index, question, topic)
    return topic_facts(index, question, topic)


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
