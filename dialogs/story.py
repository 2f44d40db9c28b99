"""An application's story in plain English, for whoever is reading it: who sent it, who decided what
at each stage and with what note, who it was passed to and why, and where it is now. The decision
cards, 'status' and 'history' all tell it from here, so they say the same thing in the same words.

The policy's own word for each outcome ("Progressed", "Not yet") is quoted; the sentence around it is
ours, chosen by the kind of stage, and says nothing the records do not hold.
"""

from __future__ import annotations

from datetime import date, datetime

from dialogs import authorisation
from dialogs.route import Route, route_of, waiting_stage
from dialogs.turn import Turn
from dialogs.when import long_date
from knowledge.models import RouteStage
from storage import audit, decisions, delegations, directory
from storage.tables import Application, AuditEntry, Decision, Person

# What a decider did, by the kind of stage: (approved, not approved). "{stage}" is the stage's name.
DONE = {
    "recommendation": ("recommended it", "did not recommend it"),
    "authorisation": ("authorised it", "did not authorise it"),
    "appraisal": ("agreed it at appraisal", "did not agree it at appraisal"),
    "panel": ("recorded the {stage}'s decision", "recorded the {stage}'s decision"),
    "vacancy": ("recorded the outcome of the {stage}", "recorded the outcome of the {stage}"),
}
# The audit entries of a waiting decision moving from one person to another: passed on (see
# dialogs.reassignment), and handed on because its decider left (dialogs.leavers).
HANDOVER, LEFT = "reassigned", "handed_over"


def day(moment: datetime | date) -> str:
    return f"{moment:%-d %B %Y}"


def name_of(turn: Turn, person_id: int | None, reader: Person | None = None) -> str:
    """A person's name; "you" when they are the reader."""
    if reader is not None and person_id == reader.id:
        return "you"
    person = directory.get_person(turn.session, person_id) if person_id else None
    return person.name if person else "someone no longer on the roster"


def did(stage: RouteStage | None, outcome: str) -> str:
    """'recommended it ('Progressed')': what the decider did, with the policy's word for it."""
    if stage is None:
        return f"recorded '{outcome.replace('_', ' ')}'"
    approved, declined = DONE.get(stage.kind, ("recorded", "recorded"))
    phrase = (approved if outcome == "approved" else declined).format(stage=stage.name)
    return f"{phrase} ('{stage.approve if outcome == 'approved' else stage.decline}')"


def decision_sentence(turn: Turn, made: Decision, reader: Person | None = None, *, notes: bool = True) -> str:
    """'Tara Manager recommended it ('Progressed') on 23 November 2026. Recorded: ... Note: ...'"""
    stage = route_of(turn).stage(made.stage)
    who = name_of(turn, made.decided_by, reader)
    line = f"{_cap(who)} {did(stage, made.outcome)} on {day(made.decided_at)}."
    if not notes:
        return line
    if stage is not None and made.recorded:
        shown = [f"{f.label}: {made.recorded[f.id]}" for f in stage.records if f.id in made.recorded]
        line += f" Recorded: {'; '.join(shown)}." if shown else ""
    if made.sat_on:
        line += f" The panel sat on {day(made.sat_on)}."
    if made.reasons:
        line += f" {'Note' if made.outcome == 'approved' else 'Reasons'}: {made.reasons.rstrip('.')}."
    if made.agreed_actions:
        line += f" Agreed actions: {made.agreed_actions.rstrip('.')}."
    return line


def events(turn: Turn, app: Application, reader: Person | None = None) -> list[str]:
    """Everything that has happened to the application, oldest first, in sentences."""
    dated: list[tuple[datetime, int, str]] = []
    if app.submitted_at:
        dated.append(
            (
                app.submitted_at,
                0,
                f"{_cap(name_of(turn, app.person_id, reader))} sent it on {day(app.submitted_at)}.",
            )
        )
    for made in decisions.decisions_of(turn.session, app.id):
        dated.append((made.decided_at, 1, decision_sentence(turn, made, reader)))
    for entry in audit.for_application(turn.session, app.id):
        if entry.action == "withdrawn":
            dated.append(
                (
                    entry.at,
                    2,
                    f"{_cap(name_of(turn, entry.actor_id, reader))} withdrew it on {day(entry.at)}.",
                )
            )
        told = _handover(turn, entry, reader) if entry.action == HANDOVER else None
        told = _left(turn, entry, reader) if entry.action == LEFT else told
        if told:
            dated.append((entry.at, 2, told))
    for asked in decisions.review_requests_of(turn.session, app.id):
        line = f"A review was requested on {day(asked.requested_at)}"
        if asked.outcome and asked.decided_at:
            verdict = "overturned the decision" if asked.outcome == "approved" else "upheld the decision"
            line += f"; {name_of(turn, asked.decided_by, reader)} {verdict} on {day(asked.decided_at)}."
            line += f" Reasons: {asked.decision_reasons.rstrip('.')}." if asked.decision_reasons else ""
        else:
            line += ", not yet decided."
        dated.append((asked.requested_at, 3, line))
    return [text for _at, _order, text in sorted(dated, key=lambda d: (d[0], d[1]))]


def changed_meanwhile(turn: Turn, app: Application, reader: Person | None = None) -> str:
    """What someone acting on an older view of the application is told: what happened last, and
    where it stands now (it is read again first: another server may have changed it)."""
    turn.session.refresh(app)
    told = events(turn, app, reader)
    last = f" {told[-1]}" if told else ""
    return f"Nothing was changed: the application changed just before.{last} {where_now(turn, app, reader)}"


def _handover(turn: Turn, entry: AuditEntry, reader: Person | None) -> str | None:
    """A 'reassigned' entry told: who passed which decision from whom to whom, and why."""
    detail = entry.detail or {}
    to = detail.get("to")
    if not isinstance(to, int):
        return None
    stage = route_of(turn).stage(detail.get("stage"))
    what = f"the {stage.name}" if stage else "the review decision"
    new = name_of(turn, to, reader)
    old = ", ".join(name_of(turn, i, reader) for i in detail.get("from", []) if isinstance(i, int))
    when, why = day(entry.at), detail.get("why")
    if why == "delegation":
        return f"On {when} {what} went to {new}, covering for {old} while they are away."
    if why == "delegation_ended":
        return f"On {when} {what} went back to {new} from {old}, who had covered for them."
    if why == "escalation":
        return (
            f"On {when} {new} took over {what} when it was escalated{f' (it was with {old})' if old else ''}."
        )
    by = name_of(turn, entry.actor_id, reader) if entry.actor_id else "Pathway"
    return f"On {when} {by} passed {what}{f' from {old}' if old else ''} to {new}."


def _left(turn: Turn, entry: AuditEntry, reader: Person | None) -> str | None:
    detail = entry.detail or {}
    if not isinstance(detail.get("from_id"), int):
        return None  # recorded before the entry named people by number
    stage = route_of(turn).stage(detail.get("stage"))
    what = f"the {stage.name}" if stage else "the decision"
    to = (
        ", ".join(name_of(turn, i, reader) for i in detail.get("to_ids", []) if isinstance(i, int))
        or "nobody yet"
    )
    return f"On {day(entry.at)} {name_of(turn, detail['from_id'], reader)} left, and {what} went to {to}."


def where_now(turn: Turn, app: Application, reader: Person | None = None) -> str:
    """Where it stands, as a sentence: with whom and since when, or how it ended."""
    route = route_of(turn)
    stage = waiting_stage(route, app.status)
    if stage is not None:
        names = with_whom(turn, app, stage.id, reader) or "nobody on the roster yet"
        return f"It is with {names} for the {stage.name}, since {day(waiting_since(turn, app))}."
    return _ended(turn, route, app)


def with_whom(turn: Turn, app: Application, key: str, reader: Person | None = None) -> str:
    """'Tom Other (covering for Tara Manager, away until ...)': whom the decision waits on now."""
    covers = authorisation.covering(app, key)
    names = []
    for person in directory.people_by_id(turn.session, authorisation.assigned_to(app, key)):
        name = name_of(turn, person.id, reader)
        away = covers.get(person.id)
        names.append(f"{name} (covering for {cover_words(turn, away)})" if away is not None else name)
    return ", ".join(names)


def cover_words(turn: Turn, away_id: int) -> str:
    """'Tara Manager, away until Friday 4 December 2026': someone whose decisions are covered."""
    name = name_of(turn, away_id)
    delegation = delegations.open_delegation(turn.session, away_id)
    return f"{name}, away until {long_date(delegation.until)}" if delegation else name


def waiting_since(turn: Turn, app: Application) -> datetime:
    """Since when its decision has been with whoever has it now: when the application reached its
    current stage (the last decision, or its submission), or when the decision was last handed over
    to someone (reassigned, delegated, back from cover, a leaver's), if later. Reminders count from here."""
    made = decisions.decisions_of(turn.session, app.id)
    reached = made[-1].decided_at if made else (app.submitted_at or app.updated_at)
    return max([reached, *handed_over_at(turn, app, app.status.removeprefix("awaiting:"))])


def handed_over_at(turn: Turn, app: Application, key: str) -> list[datetime]:
    """When the decision `key` (a stage id, or "review") was handed from one person to another."""
    moves = (HANDOVER, LEFT)
    return [e.at for e in audit.for_application(turn.session, app.id)
            if e.action in moves and (e.detail or {}).get("stage") == key]  # fmt: skip


def _ended(turn: Turn, route: Route, app: Application) -> str:
    if app.status == "approved":
        when = (
            f", effective from {day(app.effective_date)}"
            if app.effective_date
            else " (the policy doesn't say from when)"
        )
        return f"It was approved{when}."
    if app.status == "not_approved":
        return "It was not agreed this time."
    if app.status == "withdrawn":
        return "Nothing more will happen to it."
    if app.status == "drafting":
        return "It is a draft, not sent yet."
    return f"It is {app.status.replace('_', ' ')}."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
