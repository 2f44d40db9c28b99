"""Answers about the framework's content: competencies and their level descriptors, pathways and stages."""

from __future__ import annotations

import re

from knowledge import personal
from knowledge.index import PackIndex
from knowledge.models import Competency, Level, Pack, Pathway, PathwayStage, Topic
from knowledge.replies import Answer, compose, join_list, sentence
from knowledge.retrieval import topic_facts, unnamed_tokens
from knowledge.text import normalise, tokens
from knowledge.understand import Question


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
    tabled = described_at(pack, level)
    groups = groups_asked(question, tabled)
    if (
        groups
    ):  # "the core skills for level 2": that group's table whole, under the document's own name for it
        lines = [
            f"The {level.name} {group[:1].lower()}{group[1:]} are: "
            f"{join_list([c.name for c in tabled if c.group == group])}."
            for group in groups
        ]
    elif (below := _level_below(pack, level)) and _ONLY_AT.search(question.text):
        # "which competencies do I only need for level 3?": those its list has that the level below's has not
        lines = [_only_at(pack, level, below)]
    else:  # the level's own list (Medway's evidence list, which leaves some of the tables' rows to level 3)
        ids = level.competencies_required or [c.id for c in pack.competencies]
        names = [c.name for c in pack.competencies if c.id in ids]
        lines = [f"The {level.name} competencies are: {join_list(names)}."]
    if pack.process.evidence:
        lines.append(pack.process.evidence.text)
    sources = [pack.competencies[0].source] + (
        [pack.process.evidence.source] if pack.process.evidence else []
    )
    return compose(pack, lines, sources, topic)


# Asked what a level requires beyond the one below: "only for level 3", "extra at level 3", "on top of level 2".
_ONLY_AT = re.compile(
    r"\bonly (need|needed|required|asked|for|at|if|when)\b|\b(extra|additional|added|more|different)\b"
    r"|\bon top of\b|\bbeyond\b|\bover and above\b|\bnot (needed|required) (for|at)\b"
)


def _level_below(pack: Pack, level: Level) -> Level | None:
    """The level under this one on its ladder, when both list the competencies they require."""
    lower = [lv for lv in personal.ladder(pack, level.framework) if lv.rank < level.rank]
    below = lower[-1] if lower else None
    return below if below and below.competencies_required and level.competencies_required else None


def _only_at(pack: Pack, level: Level, below: Level) -> str:
    only = [
        c.name
        for c in pack.competencies
        if c.id in set(level.competencies_required) - set(below.competencies_required)
    ]
    if not only:
        return f"{level.name} lists the same competencies as {below.name}."
    return (
        f"Only {level.name} lists {join_list(only)}; its other competencies are on {below.name}'s list too."
    )


def described_at(pack: Pack, level: Level) -> list[Competency]:
    """The competencies in the framework's tables for a level: those it requires, and those with a row
    describing them at it, in the framework's order; a level with neither, all of them."""
    ids = set(level.competencies_required) | {c.id for c in pack.competencies if level.id in c.descriptors}
    return [c for c in pack.competencies if c.id in ids] or list(pack.competencies)


def competency_groups_asked(pack: Pack, question: Question) -> list[str]:
    """The groups of the framework's competencies the question names, at the level it asks about."""
    if not pack.competencies:
        return []
    level_id = question.level("target") or question.level("any") or question.level("current")
    level = pack.level(level_id) if level_id else None
    return groups_asked(question, described_at(pack, level) if level else list(pack.competencies))


def groups_asked(question: Question, listed: list[Competency]) -> list[str]:
    """The groups of competencies the question names by every word of the group's name ("core skills"
    against "core competencies"), in the framework's order."""
    asked = set(tokens(question.text))
    groups = dict.fromkeys(c.group for c in listed if c.group)
    return [g for g in groups if (words := set(tokens(normalise(g)))) and words <= asked]


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
    stages = _stages_asked_about(pack, pathway.stages, question, _stage_words(index, question, pathway))
    lines = [] if len(stages) < len(pathway.stages) else [f"{pathway.name}: {pathway.summary}"]
    for stage in stages:
        modules = f" Modules: {'; '.join(stage.modules)}." if stage.modules else ""
        lines.append(f"• {pack.level(stage.level).name}: {sentence(stage.text)}{modules}")
    return compose(pack, lines, [*(s.source for s in stages), pathway.source], topic)


def _stage_words(index: PackIndex, question: Question, pathway: Pathway) -> set[str]:
    """The question's words that could single out a stage: those outside the pathway's name, plus names it
    was called by that belong to a stage rather than the whole pathway ("MPL" is part of PEPS stage 1)."""
    whole = set(tokens(normalise(f"{pathway.name} {pathway.summary}")))
    named = [question.text[m.start : m.end] for m in question.mentions if m.id == pathway.id]
    return set(unnamed_tokens(index, question)) | {t for n in named for t in tokens(n) if t not in whole}


def _stages_asked_about(
    pack: Pack, stages: list[PathwayStage], question: Question, asked: set[str]
) -> list[PathwayStage]:
    """The stages the question singles out ("stage 1", "the diploma", "for BG12"), else all of them.
    A stage is singled out by a named level, or by words besides the pathway's name that only some stages use.
    A level named singles out the stage that leads to it and the stage done at it (the next on the same
    ladder): "what do I do for BG11" is said of both, and which is meant the words alone don't tell."""
    levels = {ref.id for ref in question.levels}
    levels |= {
        later.level for stage in stages if stage.level in levels if (later := _done_at(pack, stages, stage))
    }
    texts = [normalise(f"{s.text} {' '.join(s.modules)}") for s in stages]
    # A number counts only with the word before it, in the stage's own text ("stage 2"), not as any "2".
    numbered = set(re.findall(r"[a-z]+ \d+", question.text))
    own = [
        {t for t in tokens(text) if not t.isdigit()} | {n for n in numbered if n in normalise(s.text)}
        for s, text in zip(stages, texts, strict=True)
    ]
    asked = {t for t in asked if not t.isdigit()} | numbered
    shared = set.intersection(*own) if own else set()
    picked = [
        s for s, words in zip(stages, own, strict=True) if s.level in levels or (asked & (words - shared))
    ]
    distinct = [s for s, words in zip(stages, own, strict=True) if asked & (words - shared)]
    return distinct or picked or stages


def _done_at(pack: Pack, stages: list[PathwayStage], stage: PathwayStage) -> PathwayStage | None:
    """The pathway's next stage on the same ladder as the level `stage` leads to: the one done at that level."""
    reached = pack.level(stage.level)
    return next(
        (
            s
            for s in stages[stages.index(stage) + 1 :]
            if (lv := pack.level(s.level)).framework == reached.framework and lv.rank > reached.rank
        ),
        None,
    )
