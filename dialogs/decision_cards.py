"""The cards a decider sees: what is asked of them at this stage, addressed to them, and the card once it
is decided, withdrawn or passed to someone else."""

from __future__ import annotations

from datetime import date

from dialogs import authorisation, documents, story
from dialogs.checklist_marks import MARKS, legend
from dialogs.messages import Action, Button, Card, CardField, Form, FormField, Reply, button
from dialogs.plan import checklist, evidence_slots
from dialogs.route import Route, route_of
from dialogs.turn import Turn
from knowledge.models import RouteStage
from storage import audit, decisions, directory, evidence_files, posts
from storage.tables import Application, Person

# What a card asks of its reader, by the kind of stage ("{level}": the level applied for).
REQUESTS = {
    "recommendation": "for your recommendation on their application for {level}",
    "authorisation": "to authorise their application for {level}, or not",
    "appraisal": "for your decision at appraisal on their application for {level}",
    "panel": "to record the {stage}'s decision on their application for {level}",
    "vacancy": "to record the outcome of the {stage} on their application for {level}",
}


ENDED = {"not_approved": "not agreed", "drafting": "a draft, not sent"}  # statuses in plain words


def card_key(app: Application, stage: RouteStage) -> str:
    return f"application-{app.id}-{stage.id}"


def decision_card(
    turn: Turn, route: Route, app: Application, stage: RouteStage, reader: Person, note: str = ""
) -> Card:
    """The stage's card as `reader` sees it: what is asked of them and in what capacity, what has
    happened so far, the checklist (with what its marks mean) and the evidence."""
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
              CardField(label="Route", value=f"{route.citation}, {stage.source.section}")]  # fmt: skip
    if asks:
        fields.append(CardField(label="You record", value="; ".join(asks)))
    files = evidence_files.files_of(turn.session, app.id)
    if files:
        fields.append(CardField(label="Files", value=evidence_listing(turn, app)))
    request = REQUESTS[stage.kind].format(level=target.name, stage=stage.name)
    lines = [note] if note else []  # why it has come to them (reassigned, covering), first
    lines.append(f"{worker.name} asks you, {capacity(turn, route, app, stage, reader)}, {request}.")
    lines += ["", "So far:", *(f"• {event}" for event in story.events(turn, app, reader))]
    lines += ["", "Checklist (the policy's requirements, in its words to the applicant):",
              *(f"{MARKS[i.verdict]} {i.text}" for i in items), legend(items, "decider")]  # fmt: skip
    lines += ["", f"Evidence: {evidence}"]
    base: dict[str, str | int | None] = {"application": app.id, "stage": stage.id}
    buttons = [_confirming(button(stage.approve, "decide", "primary", outcome="approved", **base), stage, worker.name, target.name),
               _confirming(button(stage.decline, "decide", "danger", outcome=stage.decline_outcome, **base), stage, worker.name, target.name),
               button("Read all the evidence", "evidence", application=app.id)]  # fmt: skip
    if not approval_form_fields(stage):  # approving records at once; this one opens the form for a note
        buttons.insert(
            1,
            button(
                f"{stage.approve}, with a note", "decide", "default", outcome="approved", note_form=1, **base
            ),
        )
    if files:
        buttons.append(button(f"Download the files ({len(files)})", "evidence_files", application=app.id))
    return Card(title=f"Progression application: {worker.name}", fields=fields, body="\n".join(lines),
                buttons=buttons, key=card_key(app, stage))  # fmt: skip


def capacity(turn: Turn, route: Route, app: Application, stage: RouteStage, reader: Person) -> str:
    """Why the card is theirs: 'as their line manager', 'covering for Tara Manager (away until ...)'."""
    away = authorisation.covering(app, stage.id).get(reader.id)
    if away is not None:
        return f"covering for {story.cover_words(turn, away)}"
    if stage.decider == "line_manager":
        worker = directory.get_person(turn.session, app.person_id)
        mine = worker is not None and worker.line_manager_id == reader.id
        return "as their line manager" if mine else "in place of their line manager"
    held = [p for p in stage.posts if p in posts.posts_of(turn.session, reader.id)]
    if held:
        return f"as {route.post_names(held[:1])}"
    if stage.decider == "above_previous":
        return f"as {reader.role.replace('_', ' ')}"
    return f"in place of the {route.post_names(stage.posts)}"


def moved_card(turn: Turn, app: Application, key: str, body: str) -> Card:
    """A card redrawn for someone a decision no longer waits on: nothing there to press."""
    worker = directory.get_person(turn.session, app.person_id)
    name = worker.name if worker else "the applicant"
    return Card(title=f"Progression application: {name} (now with someone else)", key=key, body=body)


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
    return ENDED.get(app.status, app.status.replace("_", " "))


def approval_form_fields(stage: RouteStage) -> list[FormField]:
    """What approving at this stage must record (the form's fields, a panel's date): none means the
    approval button records it at once, and a second button opens the form for a note."""
    fields = [FormField(name=f.id, label=f"{f.label}: {' or '.join(f.choices)}", multiline=False)
              for f in stage.records]  # fmt: skip
    if stage.months:
        fields.append(FormField(name="sat_on", label=f"Date the panel sat (in {' or '.join(stage.months)})",
                                kind="date", multiline=False))  # fmt: skip
    return fields


def inputs_form(app: Application, stage: RouteStage, outcome: str) -> Form:
    """What the decider gives with this decision: the stage's fields, a panel's date, reasons if declining;
    approving, always room for a note to the worker and whoever decides next (the story shows it)."""
    fields = approval_form_fields(stage)
    if outcome == "approved":
        fields.append(FormField(name="note", label="A note for the worker and whoever decides next (optional)",
                                required=False))  # fmt: skip
    if outcome != "approved":
        fields += [FormField(name="reasons", label="Reasons (the worker will see these in full)"),
                   FormField(name="actions", label="Agreed actions: what the worker needs to do to progress")]  # fmt: skip
    submit = Action(name="decide", data={"application": app.id, "stage": stage.id, "outcome": outcome,
                                         "note_form": 1 if outcome == "approved" else None})  # fmt: skip
    title = f"{stage.approve if outcome == 'approved' else stage.decline}: {stage.name}"
    return Form(title=title[:60], fields=fields, submit=submit)
