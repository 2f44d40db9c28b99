"""From an understood question to an answer composed of one pack's facts.

Routing: off-topic -> decline; worker's own situation -> personal rules; structured topics (pay,
requirements, competencies, pathways, supplements) -> their handlers; any other topic -> the
best passages tagged with it; a topic with no facts in this pack -> "the policy doesn't say".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal, overload

from knowledge import personal
from knowledge.index import PackIndex, Passage, supplement_headline
from knowledge.models import Level, Pack, Source, Topic
from knowledge.replies import Answer, compose, join_list, money, not_stated, out_of_scope, sentence
from knowledge.text import normalise, tokens
from knowledge.understand import Question

Handler = Callable[[PackIndex, Question, Topic], Answer]

_NEUTRAL = {"tell", "explain", "info", "inform", "describ", "mean", "detail", "about", "social", "worker"}
_BROAD = {Topic.pay, Topic.requirements, Topic.overview, Topic.apply, Topic.training, Topic.eligibility}
CONFIDENT = 3.0  # topic weight above which the topic's handler answers without a retrieval check
_MOVE = re.compile(r"\b(jump|accelerat|skip|move|moving|progress|go up|where would i|what point|which point)")
_FOCUS = {
    "who": re.compile(r"\b(manager|director|worker|officer|principal|panel of|chair|lead)\b"),
    "when": re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|"
                       r"december|twice|once|a year|annual|within|days|weeks|months|date)\b"),
    "amount": re.compile(r"\d|£"),
}  # fmt: skip
_ASKS = {
    "who": re.compile(r"\bwho\b|\bwhom\b"),
    "when": re.compile(r"\bwhen\b|\bhow often\b|\bwhat (date|month|time)s?\b"),
    "amount": re.compile(r"\bhow (much|many|long)\b|\bmaximum\b|\bminimum\b"),
}


def respond(index: PackIndex, question: Question) -> Answer:
    pack = index.pack
    if question.off_topic:
        return out_of_scope(pack)
    if (
        question.points
        and question.personal
        and _MOVE.search(question.text)
        and personal.current_level(pack, question)
    ):
        return point_move(index, question)
    if question.personal and question.durations and (question.levels or Topic.eligibility in question.topics):
        return eligibility(index, question, Topic.eligibility)  # "I've 3 years' service, can I be an SP?"
    topic = _choose_topic(question)
    if topic is not None and question.topics[topic] >= CONFIDENT:
        return HANDLERS.get(topic, topic_facts)(index, question, topic)
    if question.ids("competency") and topic in (None, Topic.overview, Topic.requirements, Topic.competencies):
        return competencies(index, question, Topic.competencies)  # "what does good recording look like?"
    if question.levels and not set(_unnamed_tokens(index, question)) - _NEUTRAL:
        return level_card(index, question)  # "what's M1?", "level 2?"
    guess = best_guess(index, question)
    if guess is not None:
        return guess
    if topic is not None:
        return HANDLERS.get(topic, topic_facts)(index, question, topic)
    for kind, handler in (("level", None), ("competency", competencies), ("pathway", pathways),
                          ("supplement", supplements)):  # fmt: skip
        if question.ids(kind):
            return (
                level_card(index, question) if handler is None else handler(index, question, Topic.overview)
            )
    return not_stated(pack, None, "that") if question.in_domain else out_of_scope(pack)


def _unnamed_tokens(index: PackIndex, question: Question) -> list[str]:
    """The question's content words once the names of levels and the like are taken out."""
    text = question.text
    for mention in sorted(question.mentions, key=lambda m: -m.start):
        text = text[: mention.start] + " " + text[mention.end :]
    return tokens(text)


def _choose_topic(question: Question) -> Topic | None:
    ranked = question.top_topics
    if not ranked:
        return None
    top = ranked[0]
    # A specific topic clearly present beats a broad one ("when is a pay rise backdated?" is about backdating).
    specific = [t for t in ranked if t not in _BROAD and question.topics[t] >= 4]
    if top in _BROAD and specific:
        top = specific[0]
    return top


def pay(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    if question.points:
        return _pay_at_points(pack, question.points)
    named = [pack.level(ref.id) for ref in question.levels]
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


def _pay_at_points(pack: Pack, points: list[int]) -> Answer:
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
    return compose(pack, lines, sources, Topic.pay)


def _pay_line(level: Level) -> str:
    assert level.pay is not None
    pay = level.pay
    if pay.points:
        points = sorted(pay.points, key=lambda p: p.point)
        detail = ", ".join(f"point {p.point} {money(p.salary)}" for p in points)
        return f"{level.name}: spinal points {points[0].point}–{points[-1].point}, {detail}."
    return f"{level.name}: {money(pay.low)} to {money(pay.high)} a year."


def _unpriced_detail(index: PackIndex, levels: list[Level] | None = None) -> list[str]:
    """What the policy does say about pay, minus figures that could be mistaken for a salary."""
    ids = {lv.id for lv in levels or []}
    passages = [
        p for p in index.passages if Topic.pay in p.topics and (not ids or p.tags & ids or not p.tags)
    ]
    return [p.text for p in passages if not re.search(r"£\s?\d", p.text)][:1]


def requirements(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    level = personal.target_level(pack, question)
    if level is None:
        return _unknown_level(pack, question, topic) if question.unknown_levels else _all_requirements(index)
    return _level_requirements(index, level, topic, question)


def _level_requirements(index: PackIndex, level: Level, topic: Topic, question: Question) -> Answer:
    pack = index.pack
    essential = [r for r in level.requirements if r.essential]
    desirable = [r for r in level.requirements if not r.essential]
    if not level.requirements:
        extra = _ranked(index, question, [i for i, p in enumerate(index.passages) if level.id in p.tags])
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


def _unknown_level(pack: Pack, question: Question, topic: Topic) -> Answer:
    names = join_list([lv.name for lv in personal.ladder(pack, None)])
    return not_stated(pack, topic, question.unknown_levels[0].title(), [f"Its levels are {names}."])


def eligibility(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    if not question.durations and not question.levels and index.with_topic(topic):
        return topic_facts(index, question, topic)
    level = personal.target_level(pack, question, default_first=True)
    if level is None:
        return topic_facts(index, question, topic)
    checks = personal.checks(level, question.durations)
    failing = [c for c in checks if c.verdict == "not_met"]
    passing = [c for c in checks if c.verdict == "met"]
    given = personal.describe_years(question.durations[0].years) if question.durations else ""
    if failing:
        lines = [f"Not yet, going by the policy. For {level.name}: {sentence(failing[0].requirement.text)}"]
        lines[0] += f" You have told me about {given}."
    elif passing:
        lines = [f"On service, yes: {sentence(passing[0].requirement.text)} You have told me about {given}."]
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
    examples = _ranked(
        index, question, index.with_topic(Topic.requirements) + index.with_topic(Topic.overview)
    )
    lines += [p.text for p in examples[:1]]
    lines += [f"You need: {sentence(r.text)}" for r in target.requirements if r.essential][:2]
    sources = [target.pay.source, *(p.source for p in examples[:1])]
    sources += [r.source for r in target.requirements if r.essential][:2]
    return compose(pack, lines, sources, Topic.requirements)


def level_card(index: PackIndex, question: Question, topic: Topic | None = None) -> Answer:
    pack = index.pack
    level = pack.level(question.levels[0].id)
    grade = f" ({level.grade})" if level.grade and level.grade.lower() not in level.name.lower() else ""
    lines = [f"{level.name}{grade}." + (f" {level.summary}" if level.summary else "")]
    sources = [level.source]
    if level.pay:
        lines.append(_pay_line(level))
        sources.append(level.pay.source)
    essential = [r for r in level.requirements if r.essential]
    lines += [f"To reach it: {sentence(r.text)}" for r in essential[:2]]
    sources += [r.source for r in essential[:2]]
    return compose(pack, lines, sources, topic or Topic.overview)


def overview(index: PackIndex, question: Question, topic: Topic) -> Answer:
    if question.levels:
        return level_card(index, question, topic)
    return topic_facts(index, question, topic)


def competencies(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    if not pack.competencies:
        return topic_facts(index, question, topic)
    named = question.ids("competency")
    level_id = question.level("target") or question.level("any") or question.level("current")
    if named:
        comp = next(c for c in pack.competencies if c.id == named[0])
        levels = [level_id] if level_id in comp.descriptors else list(comp.descriptors)
        lines = [f"{comp.name} at {pack.level(lv).name}: {'; '.join(comp.descriptors[lv])}." for lv in levels]
        if level_id and level_id not in comp.descriptors:  # say so rather than pass another level off as it
            described = join_list([pack.level(lv).name for lv in levels])
            lines.insert(
                0,
                f"The framework describes {comp.name} for {described} only, not {pack.level(level_id).name}.",
            )
        return compose(pack, lines, [comp.source], topic)
    level = (
        pack.level(level_id) if level_id else max(pack.levels, key=lambda lv: len(lv.competencies_required))
    )
    ids = level.competencies_required or [c.id for c in pack.competencies]
    names = [c.name for c in pack.competencies if c.id in ids]
    lines = [f"The {level.name} competencies are: {join_list(names)}."]
    if pack.process.evidence:
        lines.append(pack.process.evidence.text)
    sources = [pack.competencies[0].source] + (
        [pack.process.evidence.source] if pack.process.evidence else []
    )
    return compose(pack, lines, sources, topic)


def pathways(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    named = question.ids("pathway")
    if not named:
        if not pack.pathways:
            return topic_facts(index, question, topic)
        framework = next(iter(question.ids("framework")), None)
        shown = [p for p in pack.pathways if framework is None or p.framework in (None, framework)]
        lines = ["The progression pathways are:", *(f"• {p.name}: {p.summary}" for p in shown)]
        return compose(pack, lines, [p.source for p in shown], topic)
    pathway = next(p for p in pack.pathways if p.id == named[0])
    lines = [f"{pathway.name}: {pathway.summary}"]
    for stage in pathway.stages:
        modules = f" Modules: {'; '.join(stage.modules)}." if stage.modules else ""
        lines.append(f"• {pack.level(stage.level).name}: {sentence(stage.text)}{modules}")
    return compose(pack, lines, [pathway.source, *(s.source for s in pathway.stages)], topic)


def supplements(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    if not pack.supplements:
        return topic_facts(index, question, topic)
    chosen = list(pack.supplements)
    named = question.ids("supplement")
    if named:
        chosen = [s for s in chosen if s.id in named]
    if question.durations and any(s.min_years is not None or s.max_years is not None for s in chosen):
        years = question.durations[0].years
        bounded = [s for s in chosen if s.min_years is not None or s.max_years is not None]
        chosen = [
            s for s in bounded if (s.min_years or 0) <= years and (s.max_years is None or years < s.max_years)
        ]
    asked = set(index_tokens(question.text))
    scored = [(len(asked & set(index_tokens(f"{s.who} {' '.join(s.roles + s.aliases)}"))), s) for s in chosen]
    best = max((score for score, _ in scored), default=0)
    if best > 0 and len(chosen) > 1:
        chosen = [s for score, s in scored if score == best]
    if not chosen:
        return not_stated(pack, topic, "a supplement for that situation")
    lines = [supplement_headline(s) for s in chosen[:4]]
    conditions: list[str] = []
    for supplement in chosen[:4]:
        conditions += [sentence(c) for c in supplement.conditions if sentence(c) not in conditions]
    lines += conditions
    return compose(pack, lines, [s.source for s in chosen[:4]], topic)


_GENERIC_WORDS = {
    "market", "supplement", "social", "worker", "qualifi", "pay", "paid", "payment", "year", "servic", "get",
    "one", "go", "amount", "receiv", "entitl", "honorarium", "allow", "forc", "work",
}  # fmt: skip


def index_tokens(text: str) -> list[str]:
    return [t for t in tokens(normalise(text)) if t not in _GENERIC_WORDS and not t.isdigit()]


def signoff(index: PackIndex, question: Question, topic: Topic) -> Answer:
    """The whole decision chain, in order, then anything else the policy says about it."""
    chain = index.pack.process.signoff
    if not chain:
        return topic_facts(index, question, topic)
    lines = [sentence(step.text) for step in chain]
    others = [p for p in _ranked(index, question, index.with_topic(topic)) if p.text not in lines]
    lines += [p.text for p in others[:1]]
    return compose(index.pack, lines, [s.source for s in chain] + [p.source for p in others[:1]], topic)


def topic_facts(index: PackIndex, question: Question, topic: Topic) -> Answer:
    candidates = index.with_topic(topic)
    if not candidates:
        return not_stated(index.pack, topic)
    ranked = _ranked(index, question, candidates)
    chosen = ranked[:3]
    return compose(index.pack, [p.text for p in chosen], [p.source for p in chosen], topic)


def best_guess(index: PackIndex, question: Question) -> Answer | None:
    """No confident topic: answer from the passages that clearly share the question's words, if any."""
    ranked = _ranked(index, question, list(range(len(index.passages))), with_scores=True)
    if not ranked:
        return None
    top_passage, top_score = ranked[0]
    shared = set(question.tokens) & set(tokens(normalise(f"{top_passage.text} {top_passage.keywords}")))
    if top_score < 3.5 or len(shared) < 2:
        return None
    chosen = [p for p, score in ranked[:2] if score >= 0.75 * top_score]
    topic = next(iter(sorted(top_passage.topics)), None)
    return compose(index.pack, [p.text for p in chosen], [p.source for p in chosen], topic, confidence=0.5)


@overload
def _ranked(index: PackIndex, question: Question, candidates: list[int]) -> list[Passage]: ...
@overload
def _ranked(
    index: PackIndex, question: Question, candidates: list[int], *, with_scores: Literal[True]
) -> list[tuple[Passage, float]]: ...
def _ranked(
    index: PackIndex, question: Question, candidates: list[int], *, with_scores: bool = False
) -> list[Passage] | list[tuple[Passage, float]]:
    """Candidates best first: shared words, named levels/pathways, and what kind of answer is asked for."""
    scores = index.scores(question.tokens)
    mentioned = {m.id for m in question.mentions}
    asked = [kind for kind, pattern in _ASKS.items() if pattern.search(question.text)]

    def score(i: int) -> float:
        passage = index.passages[i]
        bonus = 3.0 * len(passage.tags & mentioned)
        bonus += sum(1.5 for kind in asked if _FOCUS[kind].search(passage.text.lower()))
        return scores[i] + bonus

    order = sorted(dict.fromkeys(candidates), key=lambda i: (-score(i), i))
    if not order:
        return []
    top = score(order[0])
    kept = [i for i in order if score(i) >= 0.5 * top or top <= 0][:3]
    if with_scores:
        return [(index.passages[i], score(i)) for i in kept]
    return [index.passages[i] for i in kept]


HANDLERS: dict[Topic, Handler] = {
    Topic.pay: pay,
    Topic.requirements: requirements,
    Topic.eligibility: eligibility,
    Topic.competencies: competencies,
    Topic.pathways: pathways,
    Topic.supplements: supplements,
    Topic.overview: overview,
    Topic.signoff: signoff,
}

__all__ = ["Answer", "Source", "respond"]
