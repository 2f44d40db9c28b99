"""Documents the workflow produces: the evidence in full, and the form payroll needs after approval."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from dialogs.messages import Attachment
from dialogs.plan import evidence_slots
from knowledge.models import Pack
from storage import applications, decisions, directory
from storage.tables import Application

if TYPE_CHECKING:
    from dialogs.turn import Turn

__all__ = ["Attachment", "evidence_in_full", "evidence_progress", "evidence_summary", "payroll"]


def evidence_progress(session: Session, pack: Pack, app: Application) -> tuple[int, int, list[str]]:
    """How many evidence slots have enough examples, out of how many, and the titles still short."""
    slots = evidence_slots(pack, pack.level(app.target_level))
    items = applications.list_evidence(session, app.id)
    counts = {slot.key: sum(1 for i in items if i.competency == slot.key) for slot in slots}
    short = [slot.title for slot in slots if counts[slot.key] < slot.examples]
    return len(slots) - len(short), len(slots), short


def evidence_headline(session: Session, pack: Pack, app: Application) -> tuple[str, list[str]]:
    """'14 of 20 competencies have 3 examples', and the titles still short."""
    done, total, short = evidence_progress(session, pack, app)
    slots = evidence_slots(pack, pack.level(app.target_level))
    per = slots[0].examples if slots else 1
    unit = f"have {per} examples" if per > 1 else "are answered"
    return f"{done} of {total} {'competencies' if per > 1 else 'items'} {unit}", short


def evidence_summary(session: Session, pack: Pack, app: Application) -> str:
    headline, short = evidence_headline(session, pack, app)
    return headline + (f"; fewer for: {', '.join(short)}" if short else "")


def evidence_in_full(session: Session, pack: Pack, app: Application) -> Attachment:
    worker = directory.get_person(session, app.person_id)
    lines = [f"Evidence for {pack.level(app.target_level).name}: {worker.name if worker else ''}", ""]
    items = applications.list_evidence(session, app.id)
    for slot in evidence_slots(pack, pack.level(app.target_level)):
        lines.append(f"## {slot.title}")
        examples = [i.text for i in items if i.competency == slot.key]
        lines += [f"{n}. {text}" for n, text in enumerate(examples, 1)] or ["(none given)"]
        lines.append("")
    return Attachment(filename=f"application-{app.id}-evidence.txt", content="\n".join(lines))


def payroll(turn: Turn, app: Application) -> Attachment | None:
    """The pack's payroll form filled in from the application, where the policy has one."""
    pack = turn.pack
    form = next((f for f in pack.process.forms if f.send_to), None)
    if form is None:
        return None
    worker = directory.get_person(turn.session, app.person_id)
    signed = {d.stage: d for d in decisions.decisions_of(turn.session, app.id)}
    from dialogs.outcomes import new_point  # the point rule lives with the outcomes

    point = new_point(pack, app)
    lines = [
        form.name, "",
        f"Name: {worker.name if worker else ''}", f"Email: {worker.email if worker else ''}",
        f"Progression from spinal point: {app.from_point or ''} ({app.from_level})",
        f"To spinal point: {point.point if point else ''} ({pack.level(app.target_level).name})",
        f"Effective from: {app.effective_date or ''}",
        f"Date of progression assessment: {app.decided_at.date() if app.decided_at else ''}",
        "Recommendation: progressed; all competencies met.",
    ]  # fmt: skip
    for stage, label in (("recommend", "Line manager"), ("authorise", "Authorised")):
        decision = signed.get(stage)
        if decision:
            person = directory.get_person(turn.session, decision.decided_by)
            lines.append(f"{label}: {person.name if person else ''}, {decision.decided_at:%-d %B %Y}")
    lines += ["", form.text]
    return Attachment(filename=f"application-{app.id}-payroll.txt", content="\n".join(lines))
