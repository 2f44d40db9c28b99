"""Documents the workflow produces: the evidence in full, and the form payroll needs after approval."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from dialogs.filled_form import FilledForm
from dialogs.messages import Attachment, Reply
from dialogs.plan import evidence_slots
from knowledge.models import Form, Pack
from knowledge.replies import Citation
from storage import applications, decisions, directory, evidence_files
from storage.tables import Application, Decision

if TYPE_CHECKING:
    from dialogs.turn import Turn

__all__ = ["Attachment", "evidence_in_full", "evidence_progress", "evidence_summary", "payroll"]


def evidence_progress(session: Session, pack: Pack, app: Application) -> tuple[int, int, list[str]]:
    """How many evidence slots have enough examples, out of how many, and the titles still short."""
    slots = evidence_slots(pack, pack.level(app.target_level))
    pieces = Counter(i.competency for i in applications.list_evidence(session, app.id))
    pieces.update(f.slot or "" for f in evidence_files.files_of(session, app.id))  # a file counts as a piece
    short = [slot.title for slot in slots if pieces[slot.key] < slot.examples]
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
    files = evidence_files.files_of(session, app.id)
    for slot in evidence_slots(pack, pack.level(app.target_level)):
        lines.append(f"## {slot.title}")
        examples = [i.text for i in items if i.competency == slot.key]
        attached = [f"File: {f.filename}" for f in files if f.slot == slot.key]
        lines += [f"{n}. {text}" for n, text in enumerate(examples, 1)] + attached or ["(none given)"]
        lines.append("")
    return Attachment(filename=f"application-{app.id}-evidence.txt", content="\n".join(lines))


def payroll(turn: Turn, app: Application) -> Attachment | None:
    """The policy's payroll paperwork for an approved application, where the pack has a form sent on
    (Medway's Manager Authorisation): sent as a PDF to the authoriser and to the organisation's payroll
    contact with the policy's instruction (PAY002), and returned as the worker's copy."""
    form = next((f for f in turn.pack.process.forms if f.send_to), None)
    if form is None:
        return None
    filled = authorisation_form(turn, app, form)
    attachment = Attachment.binary(
        f"application-{app.id}-{slug(form.name)}.pdf", filled.pdf(), "application/pdf", filled.text()
    )
    send_on(turn, app, form, attachment)
    return attachment


def send_on(turn: Turn, app: Application, form: Form, attachment: Attachment) -> None:
    """To the authoriser and the payroll contact (role payroll on the roster: the bot has no address
    for Payroll Services but the one HR records there). With no payroll contact, the authoriser is told
    to send it on as the policy says."""
    worker = directory.get_person(turn.session, app.person_id)
    name = worker.name if worker else "the applicant"
    sources = [Citation(document=form.source.document, section=form.source.section)]
    payroll_staff = directory.list_people(turn.session, app.org_id, roles=["payroll"])
    authorise = decisions.decision_for(turn.session, app.id, "authorise")
    authoriser = directory.get_person(turn.session, authorise.decided_by) if authorise else None
    if authoriser is not None:
        sent = ", ".join(p.name for p in payroll_staff)
        onward = (
            f"I have sent it to {sent} for {form.send_to}."
            if payroll_staff
            else f"No payroll contact is on the roster, so I have not sent it on: please send it to "
            f"{form.send_to}, or ask HR to add the payroll contact to the roster (role payroll)."
        )
        text = f"{form.name} for {name}, which you authorised, is attached. {form.text} {onward}"
        reply = Reply(text=text, attachment=attachment, sources=sources)
        turn.notify(authoriser, reply, f"payroll:{app.id}:{authoriser.id}")
    evidence = evidence_in_full(turn.session, turn.pack, app)
    for person in payroll_staff:
        text = f"{form.name} for {name} ({form.send_to}). {form.text}"
        turn.notify(
            person, Reply(text=text, attachment=attachment, sources=sources), f"payroll:{app.id}:{person.id}"
        )
        attached = Reply(text=f"The evidence form for {name}, to go with it.", attachment=evidence)
        turn.notify(person, attached, f"payroll-evidence:{app.id}:{person.id}")


def authorisation_form(turn: Turn, app: Application, form: Form) -> FilledForm:
    """The form's every field, from the roster and the decision records; what neither recorded says so."""
    pack, session = turn.pack, turn.session
    worker = directory.get_person(session, app.person_id)
    signed = {d.stage: d for d in decisions.decisions_of(session, app.id)}
    recommend, authorise = signed.get("recommend"), signed.get("authorise")
    from dialogs.outcomes import new_point  # the point rule lives with the outcomes

    point = new_point(pack, app)
    fields = [
        ("Name", worker.name if worker else NOT_RECORDED),
        ("ERN", on_roster(worker.ern if worker else None)),
        ("Job title", on_roster(worker.job_title if worker else None)),
        ("Post number", on_roster(worker.post_number if worker else None)),
        ("Progression from spinal point", f"{app.from_point} ({level_name(pack, app.from_level)})" if app.from_point else NOT_RECORDED),
        ("To spinal point", f"{point.point} ({pack.level(app.target_level).name})" if point else NOT_RECORDED),
        ("Effective from", uk_date(app.effective_date)),
        ("Date of progression assessment", uk_date(recommend.decided_at.date() if recommend else None)),
        ("Recommendation", RECOMMENDATION.get(recommend.outcome, NOT_RECORDED) if recommend else NOT_RECORDED),
        *recorded_lines(pack, recommend),
        ("Full reasons if the recommendation is not to progress",
         (recommend.reasons or NOT_RECORDED) if recommend and recommend.outcome != "approved" else "not applicable"),
        ("Line manager", signature(session, recommend)),
        ("Authorised", signature(session, authorise)),
    ]  # fmt: skip
    source = f"Source: {pack.organisation.document_title}, {form.source.section}."
    return FilledForm(title=form.name, fields=fields, statements=[form.text], footer=source)


NOT_RECORDED = "not recorded"
RECOMMENDATION = {"approved": "progressed", "not_approved": "NOT progressed"}


def recorded_lines(pack: Pack, decision: Decision | None) -> list[tuple[str, str]]:
    """One line per field the pack says that stage's decider records (Medway: met / not met on the
    competencies; have / have not on attendance, punctuality, diversity and equality), with what was
    recorded — never a default: a field nobody recorded says so."""
    stage = next((s for s in pack.process.route if decision is not None and s.id == decision.stage), None)
    recorded = decision.recorded if decision is not None and isinstance(decision.recorded, Mapping) else {}
    return [
        (field.label, str(recorded.get(field.id) or NOT_RECORDED))
        for field in (stage.records if stage else [])
    ]


def signature(session: Session, decision: Decision | None) -> str:
    person = directory.get_person(session, decision.decided_by) if decision else None
    if decision is None or person is None:
        return NOT_RECORDED
    return f"{person.name}, {uk_date(decision.decided_at.date())}"


def on_roster(value: str | None) -> str:
    return value or "not on the roster"


def level_name(pack: Pack, level_id: str) -> str:
    return next((lv.name for lv in pack.levels if lv.id == level_id), level_id or NOT_RECORDED)


def uk_date(day: date | None) -> str:
    """Dates as the council writes them: 1 April 2010."""
    return f"{day:%-d %B %Y}" if day is not None else NOT_RECORDED


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
