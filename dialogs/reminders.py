"""Decisions left waiting: remind the decider after some working days, escalate after more.

Run periodically (`pathway remind`, and by `pathway serve`). Every notice has an idempotency key per
application, stage and kind, so running it again, or on two servers, sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dialogs import approval
from dialogs.messages import Platform, Reply
from dialogs.status import WAITING
from dialogs.turn import Turn
from knowledge.library import Library
from knowledge.working_days import working_days_between
from storage import applications, directory
from storage.tables import Application, Person, Role

ESCALATE_TO: tuple[Role, ...] = ("service_manager", "admin")


@dataclass(frozen=True)
class ReminderPolicy:
    remind_after: int = 3  # working days waiting before the decider is reminded
    escalate_after: int = 6  # working days waiting before the decision is escalated


def send_reminders(
    session: Session,
    library: Library,
    now: datetime,
    policy: ReminderPolicy,
    channel: Platform | None = "console",
) -> int:
    """Queue reminders and escalations that are due; returns how many notices were queued."""
    queued = 0
    for status_name, stage_name in WAITING.items():
        for app in applications.applications_awaiting(session, status_name):
            if app.org_id not in library.packs:
                continue
            applicant = directory.get_person(session, app.person_id)
            assert applicant is not None
            turn = Turn(
                session, library, applicant, now, channel
            )  # a turn about the applicant, run by the system
            queued += _chase(turn, app, stage_name, policy)
    return queued


@dataclass(frozen=True)
class WaitingDecision:
    org: str
    stage: str
    working_days: int  # waited so far


def waiting_decisions(session: Session, library: Library, now: datetime) -> list[WaitingDecision]:
    """Every decision waiting on someone, and how long it has waited (what `send_reminders` chases)."""
    waiting = []
    for status_name, stage_name in WAITING.items():
        for app in applications.applications_awaiting(session, status_name):
            if app.org_id not in library.packs:
                continue
            applicant = directory.get_person(session, app.person_id)
            assert applicant is not None
            turn = Turn(session, library, applicant, now, "console")
            waiting.append(WaitingDecision(app.org_id, stage_name, _waited(turn, app)))
    return waiting


def _waited(turn: Turn, app: Application) -> int:
    return working_days_between(approval.waiting_since(turn, app).date(), turn.today)


def _chase(turn: Turn, app: Application, stage_name: str, policy: ReminderPolicy) -> int:
    stage = next((s for s in approval.chain(turn.pack) if s.name == stage_name), None)
    if stage is None:
        return 0
    waited = _waited(turn, app)
    before = len(turn.notified)
    deciders = approval.deciders(turn, app, stage)
    card = approval.decision_card(turn, app, stage)
    if waited >= policy.remind_after:
        for person in deciders:
            text = f"Reminder: {card.title} has waited {waited} working days for your decision."
            turn.notify(
                person, Reply(text=text, card=card), f"remind:{app.id}:{app.status}:{person.id}", "reminder"
            )
    if waited >= policy.escalate_after:
        for person in _escalation_targets(turn, deciders):
            text = (f"Escalation: {card.title} has waited {waited} working days for "
                    f"{', '.join(d.name for d in deciders)} ({stage.name}). Please follow it up.")  # fmt: skip
            turn.notify(
                person, Reply(text=text, card=card), f"escalate:{app.id}:{app.status}:{person.id}", "reminder"
            )
    return len(turn.notified) - before


def _escalation_targets(turn: Turn, deciders: list[Person]) -> list[Person]:
    targets: dict[int, Person] = {}
    for decider in deciders:
        above = directory.nearest_above(turn.session, decider.id, ESCALATE_TO)
        if above is not None and above.id not in {d.id for d in deciders}:
            targets[above.id] = above
    if not targets:
        targets = {p.id: p for p in directory.list_people(turn.session, turn.org, roles=["hr"])}
    return list(targets.values())
