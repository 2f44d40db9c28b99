"""Delegations (out of office): who is away until when, and who decides for them meanwhile."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.conditional_update import update_if
from storage.tables import Delegation


def open_delegation(session: Session, person_id: int) -> Delegation | None:
    """The person's delegation not yet ended (it may have passed its last day: see `in_force`)."""
    query = select(Delegation).where(Delegation.from_person_id == person_id, Delegation.ended_at.is_(None))
    return session.scalars(query).one_or_none()


def get(session: Session, delegation_id: int) -> Delegation | None:
    return session.get(Delegation, delegation_id)


def open_in(session: Session, org_id: str) -> list[Delegation]:
    """The organisation's delegations not yet ended, the soonest to end first."""
    query = select(Delegation).where(Delegation.org_id == org_id, Delegation.ended_at.is_(None))
    return list(session.scalars(query.order_by(Delegation.until, Delegation.id)))


def in_force(session: Session, person_id: int, today: date) -> Delegation | None:
    """The person's delegation if `today` (a UK date) is on or before its last day."""
    found = open_delegation(session, person_id)
    return found if found is not None and found.until >= today else None


def covering(session: Session, person_id: int, today: date) -> list[Delegation]:
    """The delegations in force that make this person someone's cover."""
    query = select(Delegation).where(
        Delegation.to_person_id == person_id, Delegation.ended_at.is_(None), Delegation.until >= today
    )
    return list(session.scalars(query.order_by(Delegation.id)))


def start(session: Session, org_id: str, from_id: int, to_id: int, until: date, now: datetime) -> Delegation:
    """Open a delegation (the caller ends any open one first: one open per person, by a unique index)."""
    made = Delegation(org_id=org_id, from_person_id=from_id, to_person_id=to_id, until=until, created_at=now)
    session.add(made)
    session.flush()
    return made


def end(session: Session, delegation_id: int, now: datetime) -> bool:
    """End it now; False when it had already ended (a second server, a double click)."""
    return update_if(session, Delegation, delegation_id, Delegation.ended_at.is_(None), {"ended_at": now})


def past_their_last_day(session: Session, today: date) -> list[Delegation]:
    """Open delegations whose last day is before `today` (UK): the reminders pass ends them."""
    query = select(Delegation).where(Delegation.ended_at.is_(None), Delegation.until < today)
    return list(session.scalars(query.order_by(Delegation.id)))
