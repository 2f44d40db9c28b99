"""Decisions left waiting: remind the decider after some working days, escalate after more (to
someone who can act: see dialogs.escalation); and delegations past their last day end here.

Run periodically (`pathway remind`, and by `pathway serve`). Every notice has an idempotency key per
application, stage and kind, so running it again, or on two servers, sends nothing twice. A review
is chased like any other decision, and its response deadline is said in each notice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dialogs import approval, delegation, escalation, reassignment, review, story
from dialogs.decision_cards import decision_card
from dialogs.messages import Card, Platform, Reply
from dialogs.route import route_of
from dialogs.turn import Turn
from knowledge.library import Library
from knowledge.working_days import working_days_between
from storage import applications, decisions, directory
from storage.tables import Application, Person, ReviewRequest, Role

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
    """End delegations whose last day is over, then queue the reminders and escalations that are due;
    returns how many reminders and escalations were queued."""
    delegation.end_past(session, library, now, channel)
    queued = 0
    for app in applications.applications_waiting(session):
        turn = _turn_about(session, library, app, now, channel)
        if turn is not None:
            queued += _chase_stage(turn, app, policy)
    for made in decisions.undecided_reviews(session):
        reviewed = applications.get_application(session, made.application_id)
        turn = _turn_about(session, library, reviewed, now, channel) if reviewed else None
        if turn is not None and reviewed is not None:
            queued += _chase_review(turn, reviewed, made, policy)
    return queued


@dataclass(frozen=True)
class WaitingDecision:
    org: str
    stage: str  # the route stage id, or "review"
    working_days: int  # waited so far


def waiting_decisions(session: Session, library: Library, now: datetime) -> list[WaitingDecision]:
    """Every decision waiting on someone, and how long it has waited (what `send_reminders` chases)."""
    waiting = []
    for app in applications.applications_waiting(session):
        turn = _turn_about(session, library, app, now, "console")
        stage = approval.waiting_on(turn, app) if turn else None
        if turn is not None and stage is not None:
            waited = working_days_between(story.waiting_since(turn, app).date(), turn.today)
            waiting.append(WaitingDecision(app.org_id, stage.id, waited))
    for made in decisions.undecided_reviews(session):
        reviewed = applications.get_application(session, made.application_id)
        if reviewed is not None and reviewed.org_id in library.packs:
            waited = working_days_between(made.requested_at.date(), now.date())
            waiting.append(WaitingDecision(reviewed.org_id, review.REVIEW_DUTY, waited))
    return waiting


def _turn_about(
    session: Session, library: Library, app: Application, now: datetime, channel: Platform | None
) -> Turn | None:
    if app.org_id not in library.packs:
        return None
    applicant = directory.get_person(session, app.person_id)
    assert applicant is not None
    return Turn(session, library, applicant, now, channel)  # a turn about the applicant, run by the system


def _chase_stage(turn: Turn, app: Application, policy: ReminderPolicy) -> int:
    route = route_of(turn)
    stage = approval.waiting_on(turn, app)
    waiting = reassignment.waiting_decision(turn, app)
    if stage is None or not stage.chased or waiting is None:
        return 0
    waited = working_days_between(story.waiting_since(turn, app).date(), turn.today)

    def card_for(person: Person) -> Card:
        return decision_card(turn, route, app, stage, person)

    return _chase(turn, waiting, card_for, waited, f"{app.status}", "", policy)


def _chase_review(turn: Turn, app: Application, made: ReviewRequest, policy: ReminderPolicy) -> int:
    rules = turn.pack.process.review
    waiting = reassignment.waiting_decision(turn, app)
    if rules is None or waiting is None or waiting.stage is not None:
        return 0
    since = max([made.requested_at, *story.handed_over_at(turn, app, review.REVIEW_DUTY)])
    waited = working_days_between(since.date(), turn.today)
    due = (
        f" The policy's deadline for the decision is {made.respond_by:%-d %B %Y}." if made.respond_by else ""
    )

    def card_for(person: Person) -> Card:
        return review.review_card(turn, app, rules, made, person)

    return _chase(turn, waiting, card_for, waited, f"review:{made.id}", due, policy)


def _chase(
    turn: Turn,
    waiting: reassignment.Waiting,
    card_for: Callable[[Person], Card],
    waited: int,
    what: str,
    due: str,
    policy: ReminderPolicy,
) -> int:
    """Remind whoever it waits on; past the escalation point, send the escalation card (reassign, and
    decide only where the policy names them) to the person above each of them, or to HR."""
    before = len(turn.notified)
    app = waiting.app
    deciders = reassignment.deciders(turn, waiting)
    if waited >= policy.remind_after:
        for person in deciders:
            card = card_for(person)
            text = f"Reminder: {card.title} has waited {waited} working days for your decision.{due}"
            turn.notify(
                person, Reply(text=text, card=card), f"remind:{app.id}:{what}:{person.id}", "reminder"
            )
    if waited >= policy.escalate_after:
        for person in _escalation_targets(turn, app, deciders):
            card = escalation.card(turn, waiting, person, waited, due)
            text = f"{card.title}\n{card.body}"  # the card in plain words, for a channel that can't draw it
            turn.notify(
                person,
                Reply(text=text, card=card, card_fallback=True),
                f"escalate:{app.id}:{what}:{person.id}",
                "reminder",
            )
    return len(turn.notified) - before


def _escalation_targets(turn: Turn, app: Application, deciders: list[Person]) -> list[Person]:
    targets: dict[int, Person] = {}
    for decider in deciders:
        above = directory.nearest_above(turn.session, decider.id, ESCALATE_TO)
        if above is not None and above.id not in {d.id for d in deciders} and above.id != app.person_id:
            targets[above.id] = above
    if not targets:
        hr = directory.list_people(turn.session, turn.org, roles=["hr"])
        targets = {p.id: p for p in hr if p.id != app.person_id}
    return list(targets.values())
