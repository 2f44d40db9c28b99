"""Sign-off: the pack's decision chain (recommend, authorise, panel), one decision per stage, race-safe.

A decision is a conditional status change (`awaiting_X` -> next) made in the same transaction as the
decision row and the outbox notices it causes; a second click, a stale card or a manager racing
another finds the status already moved and is told who decided and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dialogs import documents
from dialogs.messages import Action, Button, Card, CardField, Form, FormField, Reply, button
from dialogs.plan import checklist
from dialogs.turn import Turn
from knowledge.models import Pack, PayPoint
from storage import applications, audit, decisions, directory
from storage.tables import Application, DecisionOutcome, DecisionStage, Person, Role

AUTHORISER_ROLES: tuple[Role, ...] = ("service_manager", "admin")
STATUS = {"recommend": "awaiting_manager", "authorise": "awaiting_authoriser", "panel": "awaiting_panel"}


@dataclass(frozen=True)
class Stage:
    name: DecisionStage
    role: str
    text: str


def chain(pack: Pack) -> list[Stage]:
    """The pack's sign-off chain; a line manager's recommendation when the policy names none."""
    stages = [Stage(s.stage, str(s.role), s.text) for s in pack.process.signoff]
    if not any(s.name == "recommend" for s in stages):
        stages.insert(0, Stage("recommend", "manager", "Your line manager considers your application."))
    if pack.process.panel and not any(s.name == "panel" for s in stages):
        stages.append(Stage("panel", "panel", pack.process.panel.text))
    return stages


def submit(turn: Turn, app: Application) -> list[Reply]:
    first = chain(turn.pack)[0]
    moved = applications.transition(
        turn.session,
        app.id,
        "drafting",
        STATUS[first.name],
        submitted_at=turn.now,
        line_manager_id=app.line_manager_id,
    )
    if not moved:
        return [Reply(text="This application has already been submitted.")]
    audit.record(turn.session, turn.org, "submitted", actor_id=turn.person.id, application_id=app.id)
    turn.session.refresh(app)
    names = _ask_deciders(turn, app, first)
    return [
        Reply(
            text=f"Submitted. I've sent it to {names}; I'll tell you here when they decide. Say 'status' any time."
        )
    ]


def _ask_deciders(turn: Turn, app: Application, stage: Stage) -> str:
    people = deciders(turn, app, stage)
    card = decision_card(turn, app, stage)
    for person in people:
        turn.notify(
            person, Reply(text=_card_text(card), card=card), f"ask:{app.id}:{stage.name}:{person.id}", "card"
        )
    return ", ".join(p.name for p in people) or "HR"


def deciders(turn: Turn, app: Application, stage: Stage) -> list[Person]:
    session = turn.session
    if stage.name == "recommend":
        manager = directory.get_person(session, app.line_manager_id) if app.line_manager_id else None
        return [manager] if manager else directory.list_people(session, app.org_id, roles=["hr"])
    if stage.name == "authorise":
        above = directory.nearest_above(session, app.line_manager_id or app.person_id, AUTHORISER_ROLES)
        return [above] if above else directory.list_people(session, app.org_id, roles=list(AUTHORISER_ROLES))
    return directory.list_people(session, app.org_id, roles=["hr"])


def may_decide(turn: Turn, app: Application, stage: Stage) -> str | None:
    """Why this person may not make this decision, or None when they may."""
    person = turn.person
    if person.id == app.person_id:
        return "You can't decide on your own application."
    if stage.name == "recommend" and person.id != app.line_manager_id:
        return "Only the line manager named on this application can make this recommendation."
    if stage.name == "authorise" and person.role not in AUTHORISER_ROLES:
        return f"Only a service manager or above can authorise this. {stage.text}"
    if stage.name == "panel" and person.role not in ("hr", "admin"):
        return "Only HR can record the panel's outcome."
    return None


def decide(turn: Turn, action: Action) -> list[Reply]:
    app = applications.get_application(turn.session, int(action.data.get("application") or 0))
    stage = next((s for s in chain(turn.pack) if s.name == action.data.get("stage")), None)
    outcome = str(action.data.get("outcome") or "")
    if (
        app is None
        or app.org_id != turn.org
        or stage is None
        or outcome not in ("approved", "not_approved", "not_yet")
    ):
        return [Reply(text="I couldn't match that button to an application. Please use the latest card.")]
    refusal = may_decide(turn, app, stage)
    if refusal:
        return [Reply(text=refusal)]
    if app.status != STATUS[stage.name]:
        return [_already_decided(turn, app, stage)]
    reasons, actions = (
        str(action.data.get("reasons") or "").strip(),
        str(action.data.get("actions") or "").strip(),
    )
    if outcome != "approved" and (not reasons or not actions):
        return [
            Reply(
                text="Please give your reasons and the agreed actions.",
                form=_reasons_form(app, stage, outcome),
            )
        ]
    return _record(turn, app, stage, outcome, reasons, actions)  # type: ignore[arg-type]


def _record(
    turn: Turn, app: Application, stage: Stage, outcome: DecisionOutcome, reasons: str, actions: str
) -> list[Reply]:
    stages = chain(turn.pack)
    later = stages[stages.index(stage) + 1 :]
    final = outcome != "approved" or not later
    to_status = ("approved" if outcome == "approved" else "not_approved") if final else STATUS[later[0].name]
    fields: dict[str, object] = {"decided_at": turn.now} if final else {}
    if stage.name == "recommend" and outcome == "approved":
        fields["manager_signed_at"] = turn.now
    if not applications.transition(turn.session, app.id, STATUS[stage.name], to_status, **fields):
        return [_already_decided(turn, app, stage)]
    recorded = decisions.record_decision(
        turn.session, app.id, stage.name, turn.person.id, outcome, reasons, actions, decided_at=turn.now
    )
    if recorded is None:
        return [_already_decided(turn, app, stage)]
    turn.session.refresh(app)
    audit.record(
        turn.session, turn.org, f"{stage.name}:{outcome}", actor_id=turn.person.id, application_id=app.id
    )
    _close_cards(turn, app, stage, outcome)
    if final:
        _finish(turn, app, outcome, reasons, actions)
    else:
        _ask_deciders(turn, app, later[0])
        _tell_worker(
            turn,
            app,
            f"{turn.person.name} has {_verb(stage, outcome)} your application. Next: {later[0].text}",
        )
    return [Reply(text=f"Recorded: {_verb(stage, outcome)}.", card=_closed_card(turn, app, stage, outcome),
                  replaces=card_key(app, stage))]  # fmt: skip


def _finish(turn: Turn, app: Application, outcome: DecisionOutcome, reasons: str, actions: str) -> None:
    if outcome == "approved":
        effective, point = effective_date(turn.pack, app), new_point(turn.pack, app)
        applications.transition(turn.session, app.id, "approved", "approved", effective_date=effective)
        turn.session.refresh(app)
        _apply_to_record(turn, app, point)
        _tell_worker(turn, app, approval_text(turn, app, effective, point), documents.payroll(turn, app))
        return
    from dialogs.review import review_offer  # review builds on approval's records

    reply = Reply(text=not_approved_text(turn, app, reasons, actions), buttons=review_offer(turn, app))
    turn.notify(_applicant(turn, app), reply, f"outcome:{app.id}")


def effective_date(pack: Pack, app: Application) -> date:
    rule = pack.process.backdating.rule if pack.process.backdating else "decision"
    signed = app.manager_signed_at
    if rule == "line_manager_signed" and signed is not None:
        return signed.date()
    return (app.decided_at or app.updated_at).date()


def new_point(pack: Pack, app: Application) -> PayPoint | None:
    target = pack.level(app.target_level)
    if target.pay is None or not target.pay.points:
        return None
    above = [p for p in target.pay.points if app.from_point is None or p.point > app.from_point]
    return min(above, key=lambda p: p.point) if above else None


def approval_text(turn: Turn, app: Application, effective: date, point: PayPoint | None) -> str:
    pack = turn.pack
    level = pack.level(app.target_level)
    text = f"Your application for {level.name} has been approved, effective from {effective:%-d %B %Y}"
    if pack.process.backdating:
        text += f" ({pack.process.backdating.text.rstrip('.').lower()})"
    text += "."
    if point is not None:
        text += f" Your new spinal point is {point.point} (£{point.salary:,} a year)."
    return text


def not_approved_text(turn: Turn, app: Application, reasons: str, actions: str) -> str:
    pack = turn.pack
    lines = [f"Your application for {pack.level(app.target_level).name} was not agreed this time, by {turn.person.name}.",
             f"Why: {reasons}", f"What you need to do to progress: {actions}"]  # fmt: skip
    if pack.process.not_approved:
        lines.append(pack.process.not_approved)
    return "\n".join(lines)


def _apply_to_record(turn: Turn, app: Application, point: PayPoint | None) -> None:
    worker = _applicant(turn, app)
    worker.level = app.target_level
    if point is not None:
        worker.spinal_point = point.point


def _tell_worker(
    turn: Turn, app: Application, text: str, attachment: documents.Attachment | None = None
) -> None:
    key = f"worker:{app.id}:{app.status}"
    turn.notify(_applicant(turn, app), Reply(text=text, attachment=attachment), key)


def _applicant(turn: Turn, app: Application) -> Person:
    person = directory.get_person(turn.session, app.person_id)
    assert person is not None  # applications reference people by foreign key
    return person


def waiting_since(turn: Turn, app: Application) -> datetime:
    """When the application reached its current stage: the last decision, or its submission."""
    made = decisions.decisions_of(turn.session, app.id)
    return made[-1].decided_at if made else (app.submitted_at or app.updated_at)


def card_key(app: Application, stage: Stage) -> str:
    return f"application-{app.id}-{stage.name}"


def decision_card(turn: Turn, app: Application, stage: Stage) -> Card:
    pack, worker = turn.pack, _applicant(turn, app)
    target = pack.level(app.target_level)
    known = {lv.id: lv.name for lv in pack.levels}
    current = known.get(app.from_level, app.from_level or "not recorded")
    current += f", point {app.from_point}" if app.from_point else ""
    items = checklist(target, worker, turn.today)
    marks = {"met": "✓", "not_met": "✗", "unknown": "?", "later": "…", "desirable": "◦"}
    evidence = documents.evidence_summary(turn.session, pack, app)
    approve, decline = ("Approve", "Not approve") if stage.name != "panel" else ("Progress", "Not yet")
    fields = [CardField(label="Applicant", value=f"{worker.name} ({worker.email})"),
              CardField(label="Now", value=current), CardField(label="Applying for", value=target.name),
              CardField(label="Decision", value=stage.text)]  # fmt: skip
    body = (
        "Checklist:\n"
        + "\n".join(f"{marks[i.verdict]} {i.text}" for i in items)
        + f"\n\nEvidence: {evidence}"
    )
    base = {"application": app.id, "stage": stage.name}
    buttons = [
        button(approve, "decide", "primary", outcome="approved", **base),
        button(
            decline,
            "decide",
            "danger",
            outcome="not_yet" if stage.name == "panel" else "not_approved",
            **base,
        ),
        button("Read all the evidence", "evidence", application=app.id),
    ]
    return Card(title=f"Progression application: {worker.name}", fields=fields, body=body, buttons=buttons,
                key=card_key(app, stage))  # fmt: skip


def _closed_card(turn: Turn, app: Application, stage: Stage, outcome: str) -> Card:
    decision = decisions.decision_for(turn.session, app.id, stage.name)
    who = directory.get_person(turn.session, decision.decided_by) if decision else None
    when = f"{decision.decided_at:%-d %B %Y %H:%M}" if decision else ""
    worker = _applicant(turn, app)
    verb = _verb(stage, outcome)
    return Card(title=f"Progression application: {worker.name}", key=card_key(app, stage),
                body=f"{verb.capitalize()} by {who.name if who else 'someone'} on {when}.")  # fmt: skip


def _close_cards(turn: Turn, app: Application, stage: Stage, outcome: str) -> None:
    """Everyone else who was shown this card sees it replaced by the decision."""
    card = _closed_card(turn, app, stage, outcome)
    for person in deciders(turn, app, stage):
        if person.id != turn.person.id:
            reply = Reply(text=card.body, card=card, replaces=card.key)
            turn.notify(person, reply, f"closed:{app.id}:{stage.name}:{person.id}", "card_update")


def _already_decided(turn: Turn, app: Application, stage: Stage) -> Reply:
    decision = decisions.decision_for(turn.session, app.id, stage.name)
    if decision is None:
        return Reply(
            text=f"This application is no longer waiting for this decision (it is {app.status.replace('_', ' ')})."
        )
    card = _closed_card(turn, app, stage, decision.outcome)
    return Reply(text=f"Already decided: {card.body}", card=card, replaces=card.key)


def _reasons_form(app: Application, stage: Stage, outcome: str) -> Form:
    fields = [FormField(name="reasons", label="Reasons (the worker will see these in full)"),
              FormField(name="actions", label="Agreed actions: what the worker needs to do to progress")]  # fmt: skip
    submit = Action(name="decide", data={"application": app.id, "stage": stage.name, "outcome": outcome})
    return Form(title="Not approved: reasons", fields=fields, submit=submit)


def _verb(stage: Stage, outcome: str) -> str:
    if outcome != "approved":
        return "not approved" if outcome == "not_approved" else "said not yet to"
    return {"recommend": "recommended", "authorise": "authorised", "panel": "progressed"}[stage.name]


def _card_text(card: Card) -> str:
    facts = "\n".join(f"{f.label}: {f.value}" for f in card.fields)
    return f"{card.title}\n{facts}\n{card.body}"


__all__ = ["Button", "chain", "decide", "submit"]
