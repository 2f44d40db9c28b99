"""The audit log: who did what to which application, and when. Entries are only ever appended;
the database refuses UPDATE and DELETE on the table (see the initial migration)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.columns import utc_now
from storage.tables import AuditEntry, Person


def record(
    session: Session,
    org_id: str,
    action: str,
    actor_id: int | None = None,
    application_id: int | None = None,
    detail: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        org_id=org_id,
        action=action,
        actor_id=actor_id,
        application_id=application_id,
        detail=detail or {},
        at=at or utc_now(),
    )
    session.add(entry)
    session.flush()
    return entry


def for_application(session: Session, application_id: int) -> list[AuditEntry]:
    """The application's history, oldest first."""
    query = select(AuditEntry).where(AuditEntry.application_id == application_id)
    return list(session.scalars(query.order_by(AuditEntry.at, AuditEntry.id)))


def for_organisation(
    session: Session, org_id: str, *, since: datetime | None = None, limit: int = 500
) -> list[AuditEntry]:
    """The organisation's most recent entries (newest first), optionally only those after `since`."""
    query = select(AuditEntry).where(AuditEntry.org_id == org_id)
    if since is not None:
        query = query.where(AuditEntry.at > since)
    return list(session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def between(
    session: Session, org_id: str, start: datetime | None = None, end: datetime | None = None
) -> list[tuple[AuditEntry, str | None]]:
    """The organisation's entries from `start` (inclusive) to `end` (exclusive), oldest first, each with
    the name of the person who acted (None for the system)."""
    query = (
        select(AuditEntry, Person.name)
        .outerjoin(Person, Person.id == AuditEntry.actor_id)
        .where(AuditEntry.org_id == org_id)
    )
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if end is not None:
        query = query.where(AuditEntry.at < end)
    rows = session.execute(query.order_by(AuditEntry.at, AuditEntry.id))
    return [(entry, name) for entry, name in rows]
