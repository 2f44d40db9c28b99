"""The outbox: messages to send, written in the same transaction as the change that caused them.

Lifecycle: pending --claim_due--> sending --mark_delivered--> delivered
                                          --mark_retry-----> pending (due later)
                                          --mark_failed----> failed
A claim is a lease: if the dispatcher dies mid-send the row becomes claimable again when it expires,
so delivery is at least once; the idempotency key stops the same message being queued twice.
"""

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from storage.columns import utc_now
from storage.conditional_update import update_if
from storage.db import dialect_insert
from storage.tables import OutboxMessage, OutboxStatus, Platform

MAX_ERROR_LENGTH = 2000


class ReachCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    channel: str
    status: str
    count: int


def enqueue(
    session: Session,
    *,
    org_id: str,
    channel: Platform,
    address: dict[str, Any],
    kind: str,
    payload: dict[str, Any],
    idempotency_key: str,
    recipient_person_id: int | None = None,
    due_at: datetime | None = None,
    broadcast_id: int | None = None,
) -> OutboxMessage:
    """Queue a message, or return the one already queued under `idempotency_key` (unchanged).

    INSERT ... ON CONFLICT DO NOTHING, so two transactions racing with the same key queue it once.
    """
    now = utc_now()
    insert = dialect_insert(session, OutboxMessage).values(
        org_id=org_id,
        channel=channel,
        address=address,
        kind=kind,
        payload=payload,
        idempotency_key=idempotency_key,
        recipient_person_id=recipient_person_id,
        due_at=due_at or now,
        broadcast_id=broadcast_id,
        status="pending",
        attempts=0,
        created_at=now,
    )
    session.execute(insert.on_conflict_do_nothing(index_elements=["idempotency_key"]))
    query = select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    return session.scalars(query).one()


def claimable(now: datetime) -> ColumnElement[bool]:
    pending_and_due = and_(OutboxMessage.status == "pending", OutboxMessage.due_at <= now)
    lease_expired = and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now)
    return or_(pending_and_due, lease_expired)


def claim_due(
    session: Session,
    worker_id: str,
    limit: int = 50,
    lease_seconds: float = 60,
    now: datetime | None = None,
    channels: Collection[str] | None = None,
) -> list[OutboxMessage]:
    """Take up to `limit` due messages for `worker_id` to send, oldest due first.

    PostgreSQL: rows are chosen with FOR UPDATE SKIP LOCKED, so concurrent dispatchers each get
    different rows without waiting on one another. SQLite: writers are serialised, and the UPDATE
    re-checks that each row is still claimable, so a row lost to another worker is simply dropped.
    Commit promptly: the claim is visible to others (and the row lock released) only then.
    """
    now = now or utc_now()
    candidates = (
        select(OutboxMessage.id).where(claimable(now)).order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    if channels is not None:  # a dispatcher claims only what it has senders for
        candidates = candidates.where(OutboxMessage.channel.in_(list(channels)))
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.scalars(candidates.limit(limit)))
    if not ids:
        return []
    claim = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), claimable(now))
        .values(
            status="sending",
            claimed_by=worker_id,
            claimed_until=now + timedelta(seconds=lease_seconds),
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage)
    )
    claimed = session.scalars(claim.execution_options(populate_existing=True)).all()
    return sorted(claimed, key=lambda message: (message.due_at, message.id))


def mark_delivered(session: Session, message: OutboxMessage, now: datetime | None = None) -> bool:
    """Record a successful send. False if this worker's claim was lost (the row was reclaimed)."""
    return finish_claim(
        session,
        message,
        status="delivered",
        delivered_at=now or utc_now(),
        last_error=None,
        claimed_until=None,
    )


def mark_retry(session: Session, message: OutboxMessage, error: str, next_due: datetime) -> bool:
    """Put the message back in the queue, due again at `next_due` (e.g. after a 429's Retry-After)."""
    return finish_claim(
        session,
        message,
        status="pending",
        due_at=next_due,
        last_error=error[:MAX_ERROR_LENGTH],
        claimed_by=None,
        claimed_until=None,
    )


def mark_failed(session: Session, message: OutboxMessage, error: str) -> bool:
    """Give up on the message for good (e.g. the recipient no longer exists, or too many attempts)."""
    return finish_claim(
        session, message, status="failed", last_error=error[:MAX_ERROR_LENGTH], claimed_until=None
    )


def finish_claim(session: Session, message: OutboxMessage, **values: Any) -> bool:
    # Only the worker that holds the claim may settle it; a late worker whose lease ran out may not.
    holds_claim = and_(OutboxMessage.status == "sending", OutboxMessage.claimed_by == message.claimed_by)
    return update_if(session, OutboxMessage, message.id, holds_claim, values, instance=message)


def get_message(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


def next_due_at(session: Session) -> datetime | None:
    """When the earliest pending message falls due, so a dispatcher knows how long it may sleep."""
    return session.scalar(select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == "pending"))


def counts_by_status(session: Session, org_id: str | None = None) -> dict[str, int]:
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if org_id is not None:
        query = query.where(OutboxMessage.org_id == org_id)
    return {status: count for status, count in session.execute(query)}


def broadcast_reach(session: Session, broadcast_id: int) -> list[ReachCount]:
    """How a broadcast is doing: messages per channel and status."""
    query = (
        select(OutboxMessage.channel, OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.channel, OutboxMessage.status)
        .order_by(OutboxMessage.channel, OutboxMessage.status)
    )
    return [
        ReachCount(channel=channel, status=status, count=count)
        for channel, status, count in session.execute(query)
    ]


def broadcast_recipients(
    session: Session, broadcast_id: int, status: OutboxStatus = "delivered"
) -> list[int]:
    """The people a broadcast's messages reached (or, with another status, did not yet reach)."""
    query = (
        select(OutboxMessage.recipient_person_id)
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == status)
        .where(OutboxMessage.recipient_person_id.is_not(None))
        .order_by(OutboxMessage.recipient_person_id)
    )
    return [person_id for person_id in session.scalars(query) if person_id is not None]
