"""What an application needs, worked out from the organisation's pack and the worker's record.

Nothing here is written per council: targets come from the pack's levels, the checklist from the
target's requirements, and the evidence asked for from its competencies or its evidence-type
requirements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from knowledge import personal
from knowledge.models import Level, Move, Pack, Requirement, Source
from storage.tables import Person

Verdict = Literal["met", "not_met", "unknown", "later", "desirable"]
EVIDENCE_KINDS = ("competency_evidence", "qualification", "portfolio", "training", "placement")


@dataclass(frozen=True)
class ChecklistItem:
    text: str
    verdict: Verdict
    note: str = ""


@dataclass(frozen=True)
class EvidenceSlot:
    """One thing to give evidence for: a competency, or a requirement such as a qualification."""

    key: str
    title: str
    prompt: str
    examples: int  # how many examples the policy asks for (1 where it does not say)
    # The policy's sections that ask for this evidence; empty for Pathway's own catch-all statement,
    # which no policy requires (so an application is never refused for leaving it out).
    sources: tuple[Source, ...] = ()
    examples_stated: bool = False  # `examples` is the policy's own figure (Medway's "approximately 3")

    @property
    def required(self) -> bool:
        return bool(self.sources)


def current_level(pack: Pack, person: Person) -> Level | None:
    for level in pack.levels:
        if person.level and person.level.lower() in {
            level.id,
            level.name.lower(),
            *(a.lower() for a in level.aliases),
        }:
            return level
    if person.spinal_point is not None:
        found = personal.level_at_point(pack, person.spinal_point)
        return found[0] if found else None
    return None


def targets(pack: Pack, person: Person) -> list[Level]:
    """Levels above the worker's current one in their framework (all levels with requirements if unknown)."""
    framework = person.framework
    current = current_level(pack, person)
    ladder = personal.ladder(pack, framework)
    if current is None:
        return [lv for lv in ladder if lv.requirements]
    return [lv for lv in ladder if lv.rank > current.rank]


def move_to(pack: Pack, level: Level) -> Move | None:
    """What the policy says about how a worker moves to this level, where it says something."""
    return next((m for m in pack.process.moves if level.id in m.levels), None)


def applicable(pack: Pack, levels: list[Level]) -> list[Level]:
    """The levels among these that a worker reaches by an application."""
    moves = {lv.id: move_to(pack, lv) for lv in levels}
    return [lv for lv in levels if (move := moves[lv.id]) is None or move.how == "application"]


def other_routes(pack: Pack, levels: list[Level]) -> dict[str, Move]:
    """Levels among these reached some other way (recruitment, appraisal), or not a step up at all."""
    moves = {lv.id: move_to(pack, lv) for lv in levels}
    return {level_id: move for level_id, move in moves.items() if move and move.how != "application"}


def other_route_text(pack: Pack, move: Move) -> str:
    names = ", ".join(pack.level(level_id).name for level_id in move.levels)
    return f"{names}: {move.text} So I won't start an application for it. ({pack.organisation.short_name}'s policy, {move.source.section})"


def time_at_level_problem(pack: Pack, target: Level, today: date, since: date | None) -> str:
    """Why the worker can't apply for `target` yet, where the policy sets a minimum time at their
    current level first; '' if it sets none, or Pathway has no record of when they reached it
    (then their decider checks it)."""
    move = move_to(pack, target)
    if move is not None and move.min_months_at_level and since is not None:
        months = move.min_months_at_level
        reached = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
        if reached < months:
            return (f"{move.text} Your record shows you reached your level on {since:%-d %B %Y}, "
                    f"{reached} month{'' if reached == 1 else 's'} ago. ({pack.organisation.short_name}'s policy, {move.source.section})")  # fmt: skip
    return ""


def checklist(level: Level, person: Person, today: date) -> list[ChecklistItem]:
    return [_check(req, person, today) for req in level.requirements]


def _check(req: Requirement, person: Person, today: date) -> ChecklistItem:
    if not req.essential:
        return ChecklistItem(req.text, "desirable")
    if req.kind == "service_length" and req.years is not None:
        return _service(req, person, today)
    if req.kind in ("panel", "vacancy"):
        return ChecklistItem(req.text, "later", "this happens after you submit")
    if req.kind in EVIDENCE_KINDS:
        return ChecklistItem(req.text, "unknown", "you will give evidence for this")
    return ChecklistItem(req.text, "unknown", "your manager will confirm this")


def _service(req: Requirement, person: Person, today: date) -> ChecklistItem:
    start = person.qualified_on if req.counted_from == "qualifying" else person.started_on
    if req.counted_from in (None, "any"):
        known = [d for d in (person.qualified_on, person.started_on) if d]
        start = min(known) if known else None
    if start is None:
        return ChecklistItem(
            req.text, "unknown", "your record has no start date; your manager will confirm this"
        )
    years = (today - start).days / 365.25
    verdict: Verdict = "met" if req.years is not None and years >= req.years else "not_met"
    return ChecklistItem(req.text, verdict, f"your record shows {personal.describe_years(years)}")


def evidence_slots(pack: Pack, level: Level) -> list[EvidenceSlot]:
    if level.competencies_required:
        return _competency_slots(pack, level)
    slots = [
        EvidenceSlot(f"req-{i}", _short(req.text), f"Tell me how you meet this: {req.text}", 1, (req.source,))
        for i, req in enumerate(level.requirements)
        if req.essential and req.kind in EVIDENCE_KINDS
    ]
    if not slots:
        prompt = f"Write a short statement of how you meet the requirements for {level.name}."
        slots = [EvidenceSlot("statement", "Supporting statement", prompt, 1)]
    return slots


def _competency_slots(pack: Pack, level: Level) -> list[EvidenceSlot]:
    rule = pack.process.evidence
    examples = rule.examples_per_competency if rule else None
    per = examples or 1
    asked = [r.source for r in level.requirements if r.kind == "competency_evidence" and r.essential]
    sources = tuple(asked + ([rule.source] if rule and examples else []))
    slots = []
    for comp in pack.competencies:
        if comp.id not in level.competencies_required:
            continue
        expected = comp.descriptors.get(level.id) or next(iter(comp.descriptors.values()), [])
        looks_like = f" At {level.name} this looks like: {'; '.join(expected)}." if expected else ""
        prompt = f"{comp.name}.{looks_like} Send an example from your practice (what you did, not theory)."
        slots.append(EvidenceSlot(comp.id, comp.name, prompt, per, sources or (comp.source,), bool(examples)))
    return slots


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
