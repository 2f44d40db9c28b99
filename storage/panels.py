"""Progression panel sittings that HR announces and applicants are booked towards."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.conditional_update import update_if
from storage.tables import Panel


def add_panel(
    session: Session,
    org_id: str,
    sits_on: date,
    *,
    submission_deadline: date | None = None,
    location: str = "",
    members: str = "",
    notes: str = "",
    created_by: int | None = None,
) -> Panel:
    panel = Panel(
        org_id=org_id,
        sits_on=sits_on,
        submission_deadline=submission_deadline,
        location=location,
        members=members,
        notes=notes,
        created_by=created_by,
    )
    session.add(panel)
    session.flush()
    return panel


def upcoming_panels(session: Session, org_id: str, today: date) -> list[Panel]:
    """Panels that have not sat yet and are not cancelled, soonest first."""
    query = select(Panel).where(Panel.org_id == org_id, Panel.sits_on >= today, Panel.cancelled.is_(False))
    return list(session.scalars(query.order_by(Panel.sits_on, Panel.id)))


def cancel_panel(session: Session, panel_id: int) -> bool:
    """Cancel a panel; False if it did not exist or was already cancelled."""
    return update_if(session, Panel, panel_id, Panel.cancelled.is_(False), {"cancelled": True})


def get_panel(session: Session, panel_id: int) -> Panel | None:
    return session.get(Panel, panel_id)


def change_panel(session: Session, panel_id: int, values: dict[str, object]) -> bool:
    """Change a panel's details; False if it does not exist or was cancelled."""
    return update_if(session, Panel, panel_id, Panel.cancelled.is_(False), values)
