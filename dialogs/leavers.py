"""Leavers: people HR takes off the roster (a complete roster that leaves them out, or one by one).

A leaver is made inactive, so no chat account resolves to them and they can act on nothing (see
storage.directory); the decisions waiting on them go to the next person up the line (the leaver's own
line manager for a recommendation; the chain above for the rest, as the sign-off rules find it once the
leaver is gone), each newly asked with the decision card; and the organisation's HR are told who left
and where each decision went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dialogs import approval, authorisation
from dialogs.messages import Action, Platform, Reply, button
from dialogs.route import route_of
from dialogs.turn import Turn
from knowledge.library import Library
from knowledge.models import RouteStage
from storage import applications, audit, directory
from storage.tables import Application, Person, Role

# Who may take over a line manager's recommendation: the roles that may be someone's line manager.
LINE_MANAGER_ROLES: tuple[Role, ...] = ("manager", "service_manager", "admin")


@dataclass(frozen=True)
class Handover:
    """One pending decision that waited on a leaver, and who it waits on now."""

    org: str
    application_id: int
    applicant: str
    stage: str
    leaver: str
    now_with: list[str]


@dataclass(frozen=True)
class Pending:
    app: Application
    stage: RouteStage
    deciders: list[Person]


def mark_leavers(
    session: Session,
    library: Library,
    leavers: list[Person],
    now: datetime,
    channel: Platform | None,
    why: str,
) -> list[Handover]:
    """Make `leavers` inactive, hand their pending decisions on and tell HR; the handovers made."""
    leaving = {person.id for person in leavers}
    waiting = [
        p for p in pending_decisions(session, library, leavers, now, channel) if leaving_decider(p, leaving)
    ]
    for person in leavers:
        person.active, person.inactive_since = False, now  # the retention schedule counts from here
        audit.record(session, person.org_id, "left", detail={"person": person.email, "why": why}, at=now)
    session.flush()
    handovers = [
        h for p in waiting if (h := hand_over(session, library, p, leaving, now, channel)) is not None
    ]
    for org in sorted({person.org_id for person in leavers}):
        tell_hr(session, library, org, [p for p in leavers if p.org_id == org], handovers, now, channel, why)
    return handovers


def pending_decisions(
    session: Session, library: Library, leavers: list[Person], now: datetime, channel: Platform | None
) -> list[Pending]:
    """Every application of the leavers' organisations awaiting a decision, with who decides it now."""
    found: list[Pending] = []
    for org in sorted({person.org_id for person in leavers} & set(library.packs)):
        for app in applications.applications_waiting(session, org):
            pending = pending_of(session, library, app, now, channel)
            if pending is not None:
                found.append(pending)
    return found


def pending_of(
    session: Session, library: Library, app: Application, now: datetime, channel: Platform | None
) -> Pending | None:
    turn = system_turn(session, library, app, now, channel)
    stage = approval.waiting_on(turn, app)
    return Pending(app, stage, approval.deciders(turn, app, stage)) if stage is not None else None


def _claimed(
    session: Session,
    library: Library,
    pending: Pending,
    leaving: set[int],
    now: datetime,
    channel: Platform | None,
) -> Pending | None:
    """The decision once this transaction has moved its version on, as every hand-over and decision
    does first (storage.applications.claim); or None if, looked at again, it no longer waits on a
    leaver. A reassignment or a decision committed since it was read must not be overwritten: of the
    two, exactly one acts on the version both saw, and the hand-over then starts from what it became."""
    for _ in range(2):  # a second change in the instant between looking again and claiming: leave it be
        if applications.claim(session, pending.app):
            return pending
        session.refresh(pending.app)
        again = pending_of(session, library, pending.app, now, channel)
        if again is None or not leaving_decider(again, leaving):
            return None
        pending = again
    return None


def leaving_decider(pending: Pending, leaving: set[int]) -> bool:
    return any(person.id in leaving for person in pending.deciders)


def hand_over(
    session: Session,
    library: Library,
    pending: Pending,
    leaving: set[int],
    now: datetime,
    channel: Platform | None,
) -> Handover | None:
    """Ask whoever decides the leaver's decision now; None if, once claimed, it no longer waits on them."""
    claimed = _claimed(session, library, pending, leaving, now, channel)
    if claimed is None:
        return None
    app, stage = claimed.app, claimed.stage
    leaver = next(person for person in claimed.deciders if person.id in leaving)
    turn = system_turn(session, library, app, now, channel)
    route = route_of(turn)
    # The same rules as any decision: whom the roster says decides this stage now (the leaver, inactive,
    # no longer counts), asked with the stage's card through the workflow's own path.
    deciders = authorisation.stage_deciders(turn, app, route, stage)
    if not deciders:  # the roster still names the leaver (say, as line manager): the next role up
        above = directory.nearest_above(session, leaver.id, LINE_MANAGER_ROLES)
        duty = authorisation.stage_duty(stage)
        if above is not None and authorisation.may_be_given(turn, app, duty, above) is None:
            deciders = [above]
    for person in deciders:  # why it has come to them, before the card itself
        text = f"{leaver.name} has left, so this decision now waits on you."
        turn.notify(person, Reply(text=text), f"handover:{app.id}:{stage.id}:{person.id}")
    deciders = approval.ask(turn, app, route, stage, deciders)
    audit.record(
        session, app.org_id, "handed_over", application_id=app.id, at=now,
        detail={"stage": stage.id, "from": leaver.email, "to": [p.email for p in deciders],
                "from_id": leaver.id, "to_ids": [p.id for p in deciders]},
    )  # fmt: skip
    applicant = directory.get_person(session, app.person_id)
    return Handover(
        app.org_id,
        app.id,
        applicant.name if applicant else "",
        stage.name,
        leaver.name,
        [p.name for p in deciders],
    )


def tell_hr(
    session: Session,
    library: Library,
    org: str,
    leavers: list[Person],
    handovers: list[Handover],
    now: datetime,
    channel: Platform | None,
    why: str,
) -> None:
    lines = [f"Marked as leavers ({why}): " + ", ".join(f"{p.name} ({p.email})" for p in leavers) + "."]
    moved = [h for h in handovers if h.org == org]
    lines += [
        f"{h.applicant}'s application (#{h.application_id}, {h.stage}) now waits on "
        f"{', '.join(h.now_with) or 'nobody: no one on the roster can take it'}."
        for h in moved
    ] or ["No decision was waiting on them."]
    for hr in directory.list_people(session, org, roles=["hr"]):
        turn = Turn(session, library, hr, now, channel)
        turn.notify(hr, Reply(text="\n".join(lines)), f"leavers:{org}:{now.isoformat()}:{hr.id}")


def system_turn(
    session: Session, library: Library, app: Application, now: datetime, channel: Platform | None
) -> Turn:
    """A turn about the applicant, run by the system (as reminders are)."""
    applicant = directory.get_person(session, app.person_id)
    assert applicant is not None  # applications reference people by foreign key
    return Turn(session, library, applicant, now, channel)


def confirm(turn: Turn, action: Action) -> list[Reply]:
    """HR's 'deactivate EMAIL': who that is, and a button to confirm."""
    email = str(action.data.get("email") or "")
    person = directory.find_person_by_email(turn.session, turn.org, email)
    if person is None:
        return [Reply(text=f"{email} is not an active person on {turn.pack.organisation.name}'s roster.")]
    if person.id == turn.person.id:
        return [Reply(text="You can't mark yourself as a leaver; another HR person can.")]
    text = (
        f"Mark {person.name} ({person.email}, {person.role.replace('_', ' ')}) as a leaver? They will no "
        "longer be able to use Pathway, and any decision waiting on them goes to the next person up."
    )
    return [
        Reply(
            text=text,
            buttons=[
                button(f"Mark {person.name} as a leaver", "hr_leaver_confirm", "danger", person=person.id)
            ],
        )
    ]


def deactivate(turn: Turn, action: Action) -> list[Reply]:
    person = directory.get_person(turn.session, int(action.data.get("person") or 0))
    if person is None or person.org_id != turn.org or not person.active or person.id == turn.person.id:
        return [Reply(text="That person is not an active member of your organisation's roster (any more).")]
    handovers = mark_leavers(
        turn.session, turn.library, [person], turn.now, turn.channel, f"marked by {turn.person.name}"
    )
    moved = [
        f"{h.applicant}'s application (#{h.application_id}) now waits on {', '.join(h.now_with) or 'nobody'}."
        for h in handovers
    ]
    return [Reply(text="\n".join([f"{person.name} is now marked as a leaver.", *moved]))]
