"""The cards a decider sees: what is asked of them at this stage, and the card once it is decided."""

from __future__ import annotations

from datetime import date

from dialogs import documents
from dialogs.messages import Action, Button, Card, CardField, Form, FormField, Reply, button
from dialogs.plan import checklist, evidence_slots
from dialogs.route import Route, route_of
from dialogs.turn import Turn
from knowledge.models import RouteStage
from storage import audit, decisions, directory, evidence_files
from storage.tables import Application

MARKS = {"met": "✓", "not_met": "✗", "unknown": "?", "later": "…", "desirable": "◦"}


def card_key(app: Application, stage: RouteStage) -> str:
    return f"application-{app.id}-{stage.id}"


def decision_card(turn: Turn, route: Route, app: Application, stage: RouteStage) -> Card:
    pack = turn.pack
    worker = directory.get_person(turn.session, app.person_id)
    assert worker is not None
    target = pack.level(app.target_level)
    known = {lv.id: lv.name for lv in pack.levels}
    current = known.get(app.from_level, app.from_level or "not recorded")
    current += f", point {app.from_point}" if app.from_point else ""
    items = checklist(target, worker, turn.today)
    evidence = documents.evidence_summary(turn.session, pack, app)
    asks = [f.label + f" ({' / '.join(f.choices)})" for f in stage.records]
    if stage.months:
        asks.append(f"the date the panel sat (in {' or '.join(stage.months)})")
    fields = [CardField(label="Applicant", value=f"{worker.name} ({worker.email})"),
              CardField(label="Now", value=current), CardField(label="Applying for", value=target.name),
              CardField(label="Decision", value=f"{stage.name}: {stage.text}"),
              CardField(label="Route", value=route.citation)]  # fmt: skip
    if asks:
        fields.append(CardField(label="You record", value="; ".join(asks)))
    files = evidence_files.files_of(turn.session, app.id)
    if files:
        fields.append(CardField(label="Files", value=evidence_listing(turn, app)))
    body = (
        "Checklist:\n"
        + "\n".join(f"{MARKS[i.verdict]} {i.text}" for i in items)
        + f"\n\nEvidence: {evidence}"
    )
    base: dict[str, str | int | None] = {"application": app.id, "stage": stage.id}
    buttons = [_confirming(button(stage.approve, "decide", "primary", outcome="approved", **base), stage, worker.name, target.name),
               _confirming(button(stage.decline, "decide", "danger", outcome=stage.decline_outcome, **base), stage, worker.name, target.name),
               button("Read all the evidence", "evidence", application=app.id)]  # fmt: skip
    if files:
        buttons.append(button(f"Download the files ({len(files)})", "evidence_files", application=app.id))
    return Card(title=f"Progression application: {worker.name}", fields=fields, body=body, buttons=buttons,
                key=card_key(app, stage))  # fmt: skip


def evidence_listing(turn: Turn, app: Application) -> str:
    """'portfolio.pdf (Assessments); cert.pdf (Training)': each file with the item it is evidence for."""
    titles = {s.key: s.title for s in evidence_slots(turn.pack, turn.pack.level(app.target_level))}
    return "; ".join(f"{row.filename} ({titles.get(row.slot or '', row.slot)})"
                     for row in evidence_files.files_of(turn.session, app.id))  # fmt: skip


def _confirming(decide: Button, stage: RouteStage, worker: str, level: str) -> Button:
    """A decision button that asks first: what it records, and what is asked next if anything."""
    approving = decide.action.data.get("outcome") == "approved"
    asked = (["what the form records"] if stage.records else []) + (
        ["the date the panel sat"] if stage.months else []
    )
    if not approving:
        asked += ["your reasons and the agreed actions"]
    then = f" Next you fill in {' and '.join(asked)}." if asked else ""
    text = f"This records '{decide.label}' at the {stage.name} on {worker}'s application for {level}, and {worker} is told.{then}"
    return decide.confirming(f"{decide.label}: {worker}?", text, f"Yes: {decide.label}")


def closed_card(turn: Turn, route: Route, app: Application, stage: RouteStage, outcome: str) -> Card:
    decision = decisions.decision_for(turn.session, app.id, stage.id)
    who = directory.get_person(turn.session, decision.decided_by) if decision else None
    when = f"{decision.decided_at:%-d %B %Y %H:%M}" if decision else ""
    worker = directory.get_person(turn.session, app.person_id)
    words = stage.approve if outcome == "approved" else stage.decline
    recorded = "; ".join(f"{f.label}: {decision.recorded[f.id]}" for f in stage.records
                         if decision and f.id in decision.recorded)  # fmt: skip
    sat = f" The panel sat on {decision.sat_on:%-d %B %Y}." if decision and decision.sat_on else ""
    body = f"{words} ({stage.name}) by {who.name if who else 'someone'} on {when}.{sat}"
    body += f" {recorded}." if recorded else ""
    return Card(
        title=f"Progression application: {worker.name if worker else ''}", key=card_key(app, stage), body=body
    )


def already_decided(turn: Turn, app: Application, stage: RouteStage) -> Reply:
    decision = decisions.decision_for(turn.session, app.id, stage.id)
    if decision is None and app.status == "withdrawn":
        card = withdrawn_card(turn, app, stage)
        return Reply(text=card.body, card=card, replaces=card.key, card_fallback=True)
    if decision is None:
        return Reply(
            text=f"This application is no longer waiting for this decision ({status_words(turn, app)})."
        )
    card = closed_card(turn, route_of(turn), app, stage, decision.outcome)
    # Not the card's fallback: it tells the person pressing that it was decided before they pressed.
    return Reply(text=f"Already decided: {card.body}", card=card, replaces=card.key)


def withdrawn_on(turn: Turn, app: Application) -> date | None:
    """When the worker withdrew it, from the audit log (the application row keeps no such date)."""
    entries = [e for e in audit.for_application(turn.session, app.id) if e.action == "withdrawn"]
    return entries[-1].at.date() if entries else None


def withdrawn_card(turn: Turn, app: Application, stage: RouteStage) -> Card:
    worker = directory.get_person(turn.session, app.person_id)
    name = worker.name if worker else "The applicant"
    on = withdrawn_on(turn, app)
    when = f" on {on:%-d %B %Y}" if on else ""
    body = f"{name} withdrew this application{when}, before the {stage.name}. There is nothing to decide."
    return Card(title=f"Progression application: {name} (withdrawn)", key=card_key(app, stage), body=body)


def sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def status_words(turn: Turn, app: Application) -> str:
    """Where an application stands, in words."""
    route = route_of(turn)
    if app.status.startswith("awaiting:"):
        stage = route.stage(app.status.removeprefix("awaiting:"))
        return f"waiting for the {stage.name}" if stage else "waiting for a decision"
    return app.status.replace("_", " ")


def inputs_form(app: Application, stage: RouteStage, outcome: str) -> Form:
    """What the decider gives with this decision: the stage's fields, a panel's date, reasons if declining."""
    fields = [FormField(name=f.id, label=f"{f.label}: {' or '.join(f.choices)}", multiline=False)
              for f in stage.records]  # fmt: skip
    if stage.months:
        fields.append(FormField(name="sat_on", label=f"Date the panel sat (in {' or '.join(stage.months)})",
                                kind="date", multiline=False))  # fmt: skip
    if outcome != "approved":
        fields += [FormField(name="reasons", label="Reasons (the worker will see these in full)"),
                   FormField(name="actions", label="Agreed actions: what the worker needs to do to progress")]  # fmt: skip
    submit = Action(name="decide", data={"application": app.id, "stage": stage.id, "outcome": outcome})
    title = f"{stage.approve if outcome == 'approved' else stage.decline}: {stage.name}"
    return Form(title=title[:60], fields=fields, submit=submit)
