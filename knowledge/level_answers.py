"""Answers about a level: what it pays, what it needs, who can reach it and when, moving up from a spinal
point, and the level's card (what it is, pays and needs)."""

from __future__ import annotations

import re

from knowledge import personal
from knowledge.asks import Ask
from knowledge.index import PackIndex, pay_text
from knowledge.models import Level, Pack, Source, Topic
from knowledge.replies import Answer, compose, join_list, money, not_stated, sentence
from knowledge.retrieval import best_guess, ranked, topic_facts
from knowledge.understand import Question, names_unknown_post

TOPIC_WHAT = {
    Topic.requirements: "what is needed for",
    Topic.eligibility: "who can become",
    Topic.apply: "how to apply for",
    Topic.overview: "the post of",
    Topic.pay: "the salary for",
}


_LEVEL_LIKE = re.compile(r"level \d+|grade \d+|[a-z]{1,2}\d+")


_ASKS_GRADE = re.compile(r"\b(what|which) (pay )?grade\b|\bgrade (is|for|of)\b")


def pay(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    named = [
        pack.level(ident) for ident in dict.fromkeys(ref.id for ref in question.levels)
    ]  # ("grade 8 ASW")
    if question.points:
        # "I'm on SCP 33, what's the most I can earn at level 1?": the point, then the level it names; asked how
        # far their own level goes ("the most I can get before I'm out of my band"), the point's level.
        levels = [lv for lv in named if lv.pay]
        top = not levels and len(question.points) == 1 and bool(_TOP_OF_THEIR_LEVEL.search(question.text))
        return _pay_at_points(
            pack, question.points, levels, next_up=bool(_NEXT_POINT.search(question.text)), top=top
        )
    unknown = names_unknown_post(question)
    if unknown and not named:
        return not_a_level(pack, topic, f"the salary for {post_name(unknown)}")
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


# "the most I can get before I'm out of my band", "the top of my level": the top of the asker's point's level.
_TOP_OF_THEIR_LEVEL = re.compile(
    r"\b(most|max|maximum|highest|top)\b.*\b(my|this) (band|level|grade|scale)\b"
    r"|\bout of (my|this) (band|level|grade)\b|\btop of (my|the|this) (band|level|grade|scale)\b"
)
# "what would the next point up pay", "my next increment": the point above the asker's, from the same table.
_NEXT_POINT = re.compile(
    r"\bnext (spinal |pay |scale )?(point|increment|step up|scp)\b|\b(point|scp|one) (up|above|higher)\b"
    r"|\bup (a|one) point\b"
)


def _pay_at_points(
    pack: Pack, points: list[int], levels: list[Level], *, next_up: bool = False, top: bool = False
) -> Answer:
    """What each point pays; with `top`, the top of the point's own level too (and its whole table)."""
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
    if next_up and len(points) == 1:
        lines += _next_point(pack, points[0])
    if top and level.pay:  # (one point asked of: `level` is its level, from the loop above)
        highest = max(level.pay.points, key=lambda p: p.point)
        lines.append(
            f"The top of {level.name} is spinal point {highest.point}, {money(highest.salary)} a year."
        )
        levels = [level]
    lines += [_pay_line(level) for level in levels]
    sources += [level.pay.source for level in levels if level.pay]
    return compose(pack, lines, sources, Topic.pay)


def _next_point(pack: Pack, point: int) -> list[str]:
    """What the point above pays, and whether it is in another level (reached by progressing, not an
    increment), or that the point is the top of the table."""
    here, above = personal.level_at_point(pack, point), personal.level_at_point(pack, point + 1)
    if here is None:
        return []
    if above is None:
        return [f"Spinal point {point} is the top of {here[0].name}'s pay, and of the pay table."]
    level, pay_point = above
    if level.id == here[0].id:
        return [f"The next point up, {point + 1}, pays {money(pay_point.salary)} a year ({level.name})."]
    return [
        f"Spinal point {point} is the top of {here[0].name}; the next point, {point + 1}, is {level.name}'s "
        f"and pays {money(pay_point.salary)} a year: you reach it by progressing to {level.name}."
    ]


def _pay_line(level: Level) -> str:
    return pay_text(level)


def _unpriced_detail(index: PackIndex, levels: list[Level] | None = None) -> list[str]:
    """What the policy does say about pay, minus figures that could be mistaken for a salary."""
    ids = {lv.id for lv in levels or []}
    passages = [
        p for p in index.passages if Topic.pay in p.topics and (not ids or p.tags & ids or not p.tags)
    ]
    # A fact that records the silence on the amount ("gives no salary for Grade 8 ... comparable to the
    # market supplement") is what the policy says about that pay, before a fact that names the grade.
    passages.sort(key=lambda p: not p.silent & {Ask.amount, Ask.money})
    return [p.text for p in passages if not re.search(r"£\s?\d", p.text)][:1]


def requirements(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    unknown = names_unknown_post(question, as_target=True)
    if unknown:
        return not_a_level(pack, topic, f"what is needed for {post_name(unknown)}")
    level = personal.target_level(pack, question)
    if level is None:
        # No level named: a rule the question's own words point to ("do I need good attendance?"), else all.
        return best_guess(index, question) or all_requirements(index)
    return level_requirements(index, level, topic, question)


def level_requirements(index: PackIndex, level: Level, topic: Topic, question: Question) -> Answer:
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


def all_requirements(index: PackIndex) -> Answer:
    """Each level's first essential requirement, in ladder order."""
    pack = index.pack
    lines, sources = [], []
    for level in personal.ladder(pack, None):
        essential = [r for r in level.requirements if r.essential]
        if essential:
            lines.append(f"{level.name}: {sentence(essential[0].text)}")
            sources.append(essential[0].source)
    if not lines:
        return not_stated(pack, Topic.requirements)
    # A summary of every level, for a question that names none: less sure than an answer about one.
    return compose(pack, ["Each level needs, in short:", *lines], sources, Topic.requirements, confidence=0.5)


def not_a_level(pack: Pack, topic: Topic, what: str) -> Answer:
    names = join_list([lv.name for lv in personal.ladder(pack, None)])
    return not_stated(pack, topic, what, [f"Its levels are {names}."])


def post_name(name: str, *, plural: bool = False) -> str:
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
        return not_a_level(pack, topic, f"who can become {post_name(unknown)}")
    if not question.durations and not question.levels and index.with_topic(topic):
        return topic_facts(index, question, topic)
    level = personal.target_level(pack, question, default_first=True)
    if level is None:
        return topic_facts(index, question, topic)
    checks = personal.checks(level, question.durations)
    weighed = [c for c in checks if c.verdict in ("met", "not_met")]
    if not weighed and personal.target_level(pack, question) is None:
        # The asker's service against no level they name, and the first level sets no rule of service to
        # weigh it against: what the policy says of service ("not structured by years of service") answers,
        # not the first level's list.
        return topic_facts(index, question, topic)
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
        return level_requirements(index, level, topic, question)
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
        return level_requirements(index, target, Topic.requirements, question)
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
