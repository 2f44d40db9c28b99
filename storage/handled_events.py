"""Platform deliveries already handled: Slack retries an event and Teams redelivers an activity
with the same id, and the second delivery must have no effect."""

from datetime import datetime
from functools import cache

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from storage.columns import utc_now
from storage.db import dialect_insert_for
from storage.tables import HandledEvent, Platform


@cache
def _marking(dialect: str) -> Executable:
    """The INSERT ... ON CONFLICT DO NOTHING for this database, built once (every turn runs it), on the
    table rather than the entity: run as Core it skips the ORM's bulk-insert bookkeeping, which cost
    more than the statement itself."""
    assert isinstance(HandledEvent.__table__, Table)
    insert = dialect_insert_for(dialect, HandledEvent.__table__).values(
        platform=bindparam("platform"), event_id=bindparam("event_id"), handled_at=bindparam("handled_at")
    )
    # RETURNING, not rowcount: psycopg reports rowcount -1 for INSERT ... ON CONFLICT DO NOTHING here.
    return insert.on_conflict_do_nothing(index_elements=["platform", "event_id"]).returning(
        HandledEvent.event_id
    )


def first_delivery(session: Session, platform: Platform, event_id: str) -> bool:
    """Mark `event_id` handled; False if it already was. Part of the turn's transaction, so a turn that
    fails leaves the event unmarked and the platform's retry is handled."""
    values = {"platform": platform, "event_id": event_id, "handled_at": utc_now()}
    marking = _marking(session.get_bind().dialect.name)
    return session.connection().execute(marking, values).first() is not None


def forget(session: Session, platform: Platform, event_id: str) -> None:
    """Unmark `event_id` within the turn that marked it: its handling did nothing (a form sent back
    for correction), so the same delivery is checked afresh when it comes again."""
    session.execute(
        delete(HandledEvent).where(HandledEvent.platform == platform, HandledEvent.event_id == event_id)
    )


def forget_before(session: Session, cutoff: datetime) -> int:
    """Drop marks older than any platform retries (Slack retries within minutes; a day is plenty)."""
    result = session.execute(delete(HandledEvent).where(HandledEvent.handled_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]
