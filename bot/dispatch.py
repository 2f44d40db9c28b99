"""The outbox dispatcher: claims due messages, sends each through its platform's sender, settles it.

Delivery is at least once at the transport (a claim is a lease that expires if a dispatcher dies)
and once per idempotency key at the source. A 429 pauses that channel for Retry-After and puts the
message back without counting it as a failure; other send errors back off exponentially with jitter
up to a ceiling; an undeliverable recipient, or too many failures, marks the message failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import Delivery, RateLimited, Sender, SendFailed, Undeliverable
from dialogs.messages import Reply
from storage import outbox
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # failed sends (not rate limits) before a message is given up
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CEILING_SECONDS = 300.0
IDLE_POLL_SECONDS = 1.0


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed send: exponential, capped, with full jitter."""
    ceiling = min(BACKOFF_CEILING_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


async def sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        senders: Mapping[str, Sender],
        *,
        worker_id: str | None = None,
        batch: int = 50,
        lease_seconds: float = 60,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sessions = sessions
        self.senders = dict(senders)
        self.worker_id = worker_id or worker_name()
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.paused_until: dict[str, datetime] = {}  # channel -> end of its 429 pause

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set, sleeping briefly when nothing is due."""
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:  # a database hiccup must not kill the loop; the lease covers claimed rows
                log.exception("dispatcher pass failed")
                sent = 0
            if not sent:
                await sleep_unless_stopped(stop, IDLE_POLL_SECONDS)

    async def run_once(self) -> int:
        """Claim one batch and settle every message in it; returns how many were claimed."""
        channels = [c for c in self.senders if not self._paused(c)]
        if not channels:  # no senders at all (idle), or every channel is waiting out a 429
            await asyncio.sleep(self._pause_left())
            return 0
        claimed = await asyncio.to_thread(self._claim, channels)
        for message in claimed:
            await self._deliver(message)
        return len(claimed)

    def _claim(self, channels: list[str]) -> list[OutboxMessage]:
        with transaction(self.sessions) as session:
            return outbox.claim_due(
                session, self.worker_id, self.batch, self.lease_seconds, self.clock(), channels
            )

    async def _deliver(self, message: OutboxMessage) -> None:
        channel = message.channel
        if self._paused(channel):  # an earlier message in this batch hit the rate limit
            await self._settle(message, "retry", "rate limited", self.paused_until[channel])
            return
        try:
            await self.senders[channel].send(delivery_of(message))
        except RateLimited as exc:
            until = self.clock() + timedelta(seconds=exc.retry_after)
            self.paused_until[channel] = until
            await self._settle(message, "retry", str(exc), until)
        except Undeliverable as exc:
            await self._settle(message, "failed", str(exc) or "undeliverable")
        except (SendFailed, OSError, TimeoutError) as exc:
            await self._after_failure(message, f"{exc.__class__.__name__}: {exc}")
        except Exception as exc:  # a bug in a sender: record it, retry with backoff, never lose it
            log.exception("sender %s crashed on outbox message %s", channel, message.id)
            await self._after_failure(message, f"{exc.__class__.__name__}: {exc}")
        else:
            await self._settle(message, "delivered")

    async def _after_failure(self, message: OutboxMessage, error: str) -> None:
        if message.attempts >= MAX_ATTEMPTS:
            await self._settle(message, "failed", f"gave up after {message.attempts} attempts: {error}")
        else:
            due = self.clock() + timedelta(seconds=backoff(message.attempts))
            await self._settle(message, "retry", error, due)

    async def _settle(
        self, message: OutboxMessage, outcome: str, error: str = "", due: datetime | None = None
    ) -> None:
        def settle() -> None:
            with transaction(self.sessions) as session:
                if outcome == "delivered":
                    outbox.mark_delivered(session, message, self.clock())
                elif outcome == "failed":
                    outbox.mark_failed(session, message, error)
                else:
                    outbox.mark_retry(session, message, error, due or self.clock())

        await asyncio.to_thread(settle)

    def _paused(self, channel: str) -> bool:
        until = self.paused_until.get(channel)
        return until is not None and until > self.clock()

    def _pause_left(self) -> float:
        now = self.clock()
        return max(0.0, min(((u - now).total_seconds() for u in self.paused_until.values()), default=0.0))


def delivery_of(message: OutboxMessage) -> Delivery:
    return Delivery(
        id=message.id,
        org_id=message.org_id,
        channel=message.channel,
        address=dict(message.address),
        kind=message.kind,
        reply=Reply.model_validate(message.payload),
        recipient_person_id=message.recipient_person_id,
        attempts=message.attempts,
        idempotency_key=message.idempotency_key,
    )
