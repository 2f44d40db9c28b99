"""The inbox: platform events acknowledged and not yet answered (the Slack messages and mentions of
bot/slack/lane.py). A row is kept before the platform is told 200, so a crash of the process holding the
event loses nothing the platform will not send again; it is marked done once the event is answered,
and what is still pending when its server starts again is replayed in arrival order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from storage.db import dialect_insert_for
from storage.slack_tables import InboxEvent


@dataclass(frozen=True)
class Arrival:
    """One event as it arrived: what is kept of it."""

    event_id: str
    team: str
    payload: str  # the event's JSON text, as it came
    arrived_at: datetime


@cache
def _keeping(dialect: str) -> Executable:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING event_id: a retry of a kept event adds no row, and the
    events newly kept are those returned (RETURNING, not rowcount: psycopg reports -1 for this)."""
    assert isinstance(InboxEvent.__table__, Table)
    insert = dialect_insert_for(dialect, InboxEvent.__table__)
    return insert.on_conflict_do_nothing(index_elements=["event_id"]).returning(InboxEvent.event_id)


def keep(session: Session, arrivals: Sequence[Arrival], kept_by: str) -> set[str]:
    """Keep `arrivals` (in their order, which is their arrival order) for `kept_by`; the event ids that
    were not kept already. One statement for all of them: a group commit keeps many at once."""
    if not arrivals:
        return set()
    rows = [
        {"event_id": a.event_id, "team": a.team, "kept_by": kept_by, "payload": a.payload,
         "arrived_at": a.arrived_at, "kept_at": a.arrived_at, "done_at": None}
        for a in arrivals
    ]  # fmt: skip
    keeping = _keeping(session.get_bind().dialect.name)
    return set(session.connection().execute(keeping, rows).scalars())


@cache
def _marking_done() -> Executable:
    """Built once, on the table rather than the entity: run as Core it skips the ORM's bulk-update
    bookkeeping, which cost more than the statement (it runs with every group commit)."""
    table = InboxEvent.__table__
    assert isinstance(table, Table)
    return (
        update(table)
        .where(table.c.event_id.in_(bindparam("event_ids", expanding=True)), table.c.done_at.is_(None))
        .values(done_at=bindparam("at"), payload="")
    )


def mark_done(session: Session, event_ids: Collection[str], at: datetime) -> None:
    """The events have been answered: their payloads (the person's words) are no longer needed, and the
    rows stay, without them, until retention prunes them (a late retry is still known)."""
    if event_ids:
        session.connection().execute(_marking_done(), {"event_ids": list(event_ids), "at": at})


def pending(session: Session, kept_by: str) -> list[Arrival]:
    """What `kept_by` acknowledged and never answered, in arrival order."""
    query = (
        select(InboxEvent)
        .where(InboxEvent.kept_by == kept_by, InboxEvent.done_at.is_(None))
        .order_by(InboxEvent.id)
    )
    return [Arrival(row.event_id, row.team, row.payload, row.arrived_at) for row in session.scalars(query)]


def take_over(session: Session, kept_by: str, before: datetime, now: datetime) -> int:
    """Make `kept_by`'s what other servers took before `before` and never answered: a server gone for good
    (a container recreated under another host name, a port no longer used) answers nothing again. One
    conditional UPDATE per server it was kept by, so that of two servers starting at once only the first
    takes them (the second's UPDATE finds them no longer that server's); how many were taken."""
    others = select(InboxEvent.kept_by).where(
        InboxEvent.done_at.is_(None), InboxEvent.kept_by != kept_by, InboxEvent.kept_at < before
    )
    taken = 0
    for other in session.scalars(others.distinct()).all():
        statement = (
            update(InboxEvent)
            .where(InboxEvent.kept_by == other, InboxEvent.done_at.is_(None), InboxEvent.kept_at < before)
            .values(kept_by=kept_by, kept_at=now)
            .execution_options(synchronize_session=False)
        )
        taken += int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
    return taken


def prune_done(session: Session, before: datetime) -> int:
    """Drop rows answered before `before` (their payloads went when they were answered)."""
    statement = delete(InboxEvent).where(InboxEvent.done_at < before)
    return int(session.execute(statement.execution_options(synchronize_session=False)).rowcount)  # type: ignore[attr-defined]
