"""Outcomes landing on the record: an approval from any route (a stage, a panel, an upheld review)
updates the worker's level and point with the effective date the route states (or says it is not
stated), and queues the policy's paperwork; what the worker is told about it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dialogs import documents
from dialogs.messages import Reply
from dialogs.route import Route
from dialogs.turn import Turn
from knowledge.models import Pack, PayPoint
from storage import applications, decisions, directory
from storage.tables import Application, Person


def effective_date(session: Session, route: Route, app: Application) -> date | None:
    """The date the route says an approval takes effect from; None where it does not say."""
    rule = route.backdating.rule if route.backdating else None
    if rule == "line_manager_signed":
        return app.manager_signed_at.date() if app.manager_signed_at else None
    if rule == "decision":
        return app.decided_at.date() if app.decided_at else None
    if rule == "panel":
        sat = [d.sat_on for d in decisions.decisions_of(session, app.id) if d.sat_on]
        return max(sat) if sat else None
    return None


def new_point(pack: Pack, app: Application) -> PayPoint | None:
    target = pack.level(app.target_level)
    if target.pay is None or not target.pay.points:
        return None
    above = [p for p in target.pay.points if app.from_point is None or p.point > app.from_point]
    return min(above, key=lambda p: p.point) if above else None


def approve(turn: Turn, route: Route, app: Application, from_status: str) -> bool:
    """Approve the application, put the new level and point on the worker's record, tell the worker
    (with the paperwork, where the policy has a form). False if the status had already moved."""
    app_fields = {"decided_at": turn.now}
    if not applications.transition(turn.session, app.id, from_status, "approved", **app_fields):
        return False
    turn.session.refresh(app)
    effective = effective_date(turn.session, route, app)
    applications.transition(turn.session, app.id, "approved", "approved", effective_date=effective)
    turn.session.refresh(app)
    point = new_point(turn.pack, app)
    worker = applicant(turn, app)
    worker.level = app.target_level
    if point is not None:
        worker.spinal_point = point.point
    reply = Reply(
        text=approval_text(turn, route, app, effective, point), attachment=documents.payroll(turn, app)
    )
    turn.notify(worker, reply, f"worker:{app.id}:approved")
    return True


def approval_text(
    turn: Turn, route: Route, app: Application, effective: date | None, point: PayPoint | None
) -> str:
    pack = turn.pack
    text = f"Your application for {pack.level(app.target_level).name} has been approved"
    if effective is not None and route.backdating is not None:
        text += f", effective from {effective:%-d %B %Y} ({route.backdating.text.rstrip('.').lower()})."
    else:
        text += (f". {route.citation} doesn't say when the move takes effect, so I can't give you a date: "
                 f"please ask {pack.organisation.ask}.")  # fmt: skip
    if point is not None:
        text += f" Your new spinal point is {point.point} (£{point.salary:,} a year)."
    if route.local is not None:
        text += f" (Route: {route.local.citation}.)"
    return text


def applicant(turn: Turn, app: Application) -> Person:
    person = directory.get_person(turn.session, app.person_id)
    assert person is not None  # applications reference people by foreign key
    return person
