"""Delivery on the web channel: a person's queued messages, sent while their page is connected.

A connection claims the person's due rows with a lease (as the dispatcher does) and sends them down
the page's event stream; a row is delivered when the page acknowledges it. Whatever a connection sent
but never heard back about goes back in the queue when it closes, so a page that was closed or
switched to another person mid-send gets it on its next connection: delivery is at least once, and
the page drops a message id it has already shown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage import outbox
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import OutboxMessage

LEASE_SECONDS = 60  # a connection that dies without closing cleanly loses its claims after this


def claim_for(
    sessions: sessionmaker[Session], person_id: int, connection: str, now: datetime | None = None
) -> list[OutboxMessage]:
    """Claim the web channel's due messages for one person, oldest first."""
    now = now or utc_now()
    with transaction(sessions) as session:
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.channel == "web",
                    OutboxMessage.recipient_person_id == person_id,
                    outbox.claimable(now),
                )
                .order_by(OutboxMessage.id)
            )
        )
        if not ids:
            return []
        claim = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), outbox.claimable(now))  # re-checked: a second tab may race
            .values(
                status="sending",
                claimed_by=connection,
                claimed_until=now + timedelta(seconds=LEASE_SECONDS),
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(OutboxMessage)
        )
        claimed = session.scalars(claim.execution_options(populate_existing=True)).all()
        return sorted(claimed, key=lambda message: message.id)


def acknowledge(sessions: sessionmaker[Session], person_id: int, ids: Collection[int]) -> int:
    """The page has shown these messages: mark those that are this person's delivered."""
    with transaction(sessions) as session:
        rows = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_(list(ids)),
                OutboxMessage.channel == "web",
                OutboxMessage.recipient_person_id == person_id,
                OutboxMessage.status == "sending",
            )
        ).all()
        return sum(outbox.mark_delivered(session, row) for row in rows)


def release(sessions: sessionmaker[Session], connection: str) -> int:
    """A connection closed: put what it sent without acknowledgement back in the queue, due now."""
    with transaction(sessions) as session:
        rows = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.claimed_by == connection, OutboxMessage.status == "sending"
            )
        ).all()
        return sum(
            outbox.mark_retry(session, row, "the page closed before confirming", utc_now()) for row in rows
        )


class Doorbell:
    """Wakes every open event stream when a turn may have queued messages, so they arrive at once.

    Streams also look every few seconds on their own, for messages queued by another process.
    """

    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        self._rung.set()
        self._rung = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._rung.wait(), seconds)
