"""The outbox: messages to send, written in the same transaction as the change that caused them.

Lifecycle: pending --claim_due--> sending --mark_delivered--> delivered
                                          --mark_retry-----> pending (due later)
                                          --mark_failed----> failed
A claim is a lease: if the dispatcher dies mid-send the row becomes claimable again when it expires,
so delivery is at least once; the idempotency key stops the same message being queued twice. A claim
also sets `may_have_arrived`, cleared only when a send is known not to have reached the platform, so
the next claimer knows whether to check the platform for an earlier copy before posting again.
Each person's messages go out in order: only their oldest unsettled row on a channel is claimable.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Table, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from storage.columns import utc_now
from storage.conditional_update import update_if
from storage.db import dialect_insert
from storage.mutes import muted_among
from storage.tables import OutboxMessage, OutboxStatus, Person, Platform
from storage.wakeups import announce

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
    failed_because: str | None = None,
) -> OutboxMessage:
    """Queue a message, or return the one already queued under `idempotency_key` (unchanged).

    INSERT ... ON CONFLICT DO NOTHING, so two transactions racing with the same key queue it once.
    `failed_because`: the message cannot go anywhere (its recipient has no platform); it is recorded
    as failed with that reason, so the reach report and HR see it, instead of waiting unseen.
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
        status="failed" if failed_because else "pending",
        last_error=failed_because,
        attempts=0,
        created_at=now,
    )
    session.execute(insert.on_conflict_do_nothing(index_elements=["idempotency_key"]))
    announce(session)
    query = select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    return session.scalars(query).one()


def enqueue_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Queue many messages at once (a broadcast's fan-out); rows whose key is already queued are skipped.

    Each row holds enqueue's keyword arguments. Returns how many rows were given.
    """
    if not rows:
        return 0
    now = utc_now()
    values = [{"due_at": now, "recipient_person_id": None, "broadcast_id": None,
               **{k: v for k, v in row.items() if k != "failed_because"},
               "status": "failed" if row.get("failed_because") else "pending",
               "last_error": row.get("failed_because"), "attempts": 0, "created_at": now}
              for row in rows]  # fmt: skip
    assert isinstance(OutboxMessage.__table__, Table)
    insert = dialect_insert(session, OutboxMessage.__table__)  # Core: no ORM bookkeeping per row
    session.connection().execute(insert.on_conflict_do_nothing(index_elements=["idempotency_key"]), values)
    announce(session)
    return len(values)


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
    claims = claim_for_sending(session, worker_id, limit, lease_seconds, now, channels)
    return [claim.message for claim in claims]


@dataclass(frozen=True)
class Claim:
    message: OutboxMessage
    uncertain: bool  # an earlier send of it may have reached the platform


def claim_for_sending(
    session: Session,
    worker_id: str,
    limit: int = 50,
    lease_seconds: float = 60,
    now: datetime | None = None,
    channels: Collection[str] | None = None,
) -> list[Claim]:
    """claim_due, also telling for each message whether an earlier send of it may have arrived."""
    now = now or utc_now()
    earlier = aliased(OutboxMessage)
    # An older message to the same person on the same channel is not settled yet. Per channel, because
    # order matters where the person reads it, and a web message waiting for its page to be opened must
    # not hold back their Slack or Teams messages.
    queued_before = exists().where(
        earlier.recipient_person_id == OutboxMessage.recipient_person_id,
        earlier.channel == OutboxMessage.channel,
        earlier.id < OutboxMessage.id,
        earlier.status.in_(("pending", "sending")),
    )
    candidates = (
        select(OutboxMessage.id, OutboxMessage.may_have_arrived)
        .where(claimable(now), ~queued_before)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    if channels is not None:  # a dispatcher claims only what it has senders for
        candidates = candidates.where(OutboxMessage.channel.in_(list(channels)))
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(of=OutboxMessage, skip_locked=True)
    uncertain = {row.id: row.may_have_arrived for row in session.execute(candidates.limit(limit))}
    if not uncertain:
        return []
    claim = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(uncertain)), claimable(now))
        .values(
            status="sending",
            claimed_by=worker_id,
            claimed_until=now + timedelta(seconds=lease_seconds),
            attempts=OutboxMessage.attempts + 1,
            may_have_arrived=True,  # from here until settled, a crash leaves the outcome unknown
        )
        .returning(OutboxMessage)
    )
    claimed = session.scalars(claim.execution_options(populate_existing=True)).all()
    ordered = sorted(claimed, key=lambda message: (message.due_at, message.id))
    return [Claim(message, uncertain[message.id]) for message in ordered]


def unreachable(session: Session, messages: Sequence[OutboxMessage]) -> dict[int, str]:
    """Why some claimed messages must not be sent, by message id: the recipient left the roster
    (deactivated), or it is a broadcast and they muted broadcasts after it was queued."""
    people = {m.recipient_person_id for m in messages if m.recipient_person_id is not None}
    if not people:
        return {}
    query = select(Person.id).where(Person.id.in_(list(people)), Person.active.is_(False))
    inactive = set(session.scalars(query))
    muted = muted_among(session, {m.recipient_person_id for m in messages
                                  if m.kind == "broadcast" and m.recipient_person_id is not None})  # fmt: skip
    reasons: dict[int, str] = {}
    for message in messages:
        if message.recipient_person_id in inactive:
            reasons[message.id] = "recipient no longer active on the roster"
        elif message.kind == "broadcast" and message.recipient_person_id in muted:
            reasons[message.id] = "recipient muted broadcasts"
    return reasons


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


def mark_many_delivered(
    session: Session, messages: Sequence[OutboxMessage], now: datetime | None = None
) -> int:
    """mark_delivered for a batch in one statement; returns how many were still held by their claimer."""
    if not messages:
        return 0
    settled = 0
    for claimer in {message.claimed_by for message in messages}:
        ids = [message.id for message in messages if message.claimed_by == claimer]
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == "sending",
                OutboxMessage.claimed_by == claimer,
            )
            .values(status="delivered", delivered_at=now or utc_now(), last_error=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        settled += session.execute(statement).rowcount  # type: ignore[attr-defined]
    return settled


def mark_retry(
    session: Session,
    message: OutboxMessage,
    error: str,
    next_due: datetime,
    *,
    failed_send: bool = True,
    may_have_arrived: bool = True,
) -> bool:
    """Put the message back in the queue, due again at `next_due` (e.g. after a 429's Retry-After).

    `failed_send`: count it towards giving up (a rate limit does not). `may_have_arrived`: False when
    the platform certainly did not take it (a 429, or it was never sent).
    """
    announce(session)  # an idle dispatcher's sleep was timed without this message: it must look again
    return finish_claim(
        session,
        message,
        status="pending",
        due_at=next_due,
        last_error=error[:MAX_ERROR_LENGTH],
        claimed_by=None,
        claimed_until=None,
        failures=message.failures + 1 if failed_send else message.failures,
        may_have_arrived=may_have_arrived,
    )


def mark_failed(session: Session, message: OutboxMessage, error: str) -> bool:
    """Give up on the message for good (e.g. the recipient no longer exists, or too many attempts)."""
    return finish_claim(
        session, message, status="failed", last_error=error[:MAX_ERROR_LENGTH], claimed_until=None
    )


def move(
    session: Session,
    message: OutboxMessage,
    channel: Platform,
    address: dict[str, Any],
    why: str,
    now: datetime,
) -> bool:
    """Send the message on another channel instead, at once (its platform had nobody by that email)."""
    announce(session)
    return finish_claim(session, message, status="pending", channel=channel, address=address, due_at=now,
                        last_error=why[:MAX_ERROR_LENGTH], claimed_by=None, claimed_until=None,
                        may_have_arrived=False)  # fmt: skip


def finish_claim(session: Session, message: OutboxMessage, **values: Any) -> bool:
    # Only the worker that holds the claim may settle it; a late worker whose lease ran out may not.
    holds_claim = and_(OutboxMessage.status == "sending", OutboxMessage.claimed_by == message.claimed_by)
    return update_if(session, OutboxMessage, message.id, holds_claim, values, instance=message)


def withdraw_cards(session: Session, person_id: int, card_key: str, reason: str) -> list[OutboxMessage]:
    """Withdraw the messages carrying card `card_key` to this person that have not been sent yet
    (waiting, say, for them to install the app): they will not be. Returns those withdrawn; one being
    sent right now goes anyway."""
    waiting = select(OutboxMessage).where(
        OutboxMessage.recipient_person_id == person_id, OutboxMessage.status == "pending"
    )
    carrying = [
        m for m in session.scalars(waiting) if ((m.payload or {}).get("card") or {}).get("key") == card_key
    ]
    return [m for m in carrying if update_if(
        session, OutboxMessage, m.id, OutboxMessage.status == "pending",
        {"status": "withdrawn", "last_error": reason[:MAX_ERROR_LENGTH]}, instance=m,
    )]  # fmt: skip


def due_now(session: Session, person_id: int, channel: Platform, now: datetime) -> int:
    """Make the person's waiting messages on `channel` due at once (they have just become reachable
    there, e.g. by installing the app); returns how many. Wakes the dispatchers."""
    waiting = update(OutboxMessage).where(
        OutboxMessage.recipient_person_id == person_id,
        OutboxMessage.channel == channel,
        OutboxMessage.status == "pending",
        OutboxMessage.due_at > now,
    )
    count = session.execute(waiting.values(due_at=now)).rowcount  # type: ignore[attr-defined]
    if count:
        announce(session)
    return int(count)


def get_message(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


def next_due_at(session: Session, channels: Collection[str] | None = None) -> datetime | None:
    """When the earliest pending message (on `channels`, if given) falls due, so a dispatcher knows how
    long it may sleep."""
    query = select(func.min(OutboxMessage.due_at)).where(OutboxMessage.status == "pending")
    if channels is not None:
        query = query.where(OutboxMessage.channel.in_(list(channels)))
    return session.scalar(query)


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


def last_broadcast_recipient(session: Session, broadcast_id: int) -> int | None:
    """The highest person id a broadcast's copies have been queued for (they are queued in id order)."""
    query = select(func.max(OutboxMessage.recipient_person_id)).where(
        OutboxMessage.broadcast_id == broadcast_id
    )
    return session.scalar(query)


def broadcast_messages(session: Session, broadcast_id: int) -> list[tuple[OutboxMessage, Person | None]]:
    """Every copy of a broadcast with its recipient, for the reach report."""
    query = (
        select(OutboxMessage, Person)
        .outerjoin(Person, Person.id == OutboxMessage.recipient_person_id)
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .order_by(OutboxMessage.id)
    )
    return [(message, person) for message, person in session.execute(query).all()]


def failure_reasons(session: Session, broadcast_id: int) -> list[tuple[str, int]]:
    """Why a broadcast's failed copies failed, most common first."""
    query = (
        select(OutboxMessage.last_error, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == "failed")
        .group_by(OutboxMessage.last_error)
        .order_by(func.count().desc())
    )
    return [(error or "unknown", count) for error, count in session.execute(query).all()]
