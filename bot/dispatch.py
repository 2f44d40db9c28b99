"""The outbox dispatcher: claims due messages, sends each through its platform's sender, settles it.

One pass claims a batch (at most one message per recipient, so each person's messages go out in
order), sends the batch concurrently (bounded), then records every outcome in one transaction.
Several dispatchers, in one process or on several hosts, share the queue through the database.

- 429: the channel is paused for Retry-After (for every dispatcher: a claim during the pause takes
  nothing), the message goes back in the queue without counting as a failure, and from then on every
  dispatcher spaces its sends on that channel to a shared pace just under what the platform let
  through (storage.paces), so a large broadcast runs near the platform's limit without bursts.
- 5xx, network errors, timeouts: retried at once the first time (keeping its place at the front of the
  queue), then after an exponential backoff with jitter and a ceiling; given up (failed) after
  MAX_FAILURES.
- Postponed (a look-up the send needs was rate limited): that message alone waits, uncounted.
- Undeliverable (the user or conversation is gone), or a recipient deactivated on the roster: failed
  at once, never retried.

Exactly once: a claim is a lease, so a dispatcher that dies mid-send leaves rows that another claims
when the lease expires. Those rows (and rows whose send ended in a 5xx or a timeout) carry
`may_have_arrived`; their next Delivery says `uncertain=True` and the sender checks the platform for
the earlier copy (Slack: message metadata carrying the idempotency key) before posting again. A
platform with no way to look would get a second copy only in that case: the window between a send
reaching it and the outcome being committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from prometheus_client import Counter
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import Delivery, NotOnPlatform, Postponed, RateLimited, Sender, SendFailed, Undeliverable
from bot.pacing import SuccessLog
from dialogs import undelivered
from dialogs.broadcast import fan_out_rest, release_due
from dialogs.messages import Reply
from dialogs.turn import elsewhere
from knowledge.library import Library
from storage import outbox, paces
from storage.availability import OutageLog, is_outage
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import OutboxMessage
from storage.wakeups import Wakeups

log = logging.getLogger(__name__)

MAX_FAILURES = 9  # failed sends (not rate limits) before a message is given up: about a minute of trying
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CEILING_SECONDS = 300.0
MAX_RETRY_AFTER_SECONDS = 900.0  # a Retry-After beyond this is taken as this
IDLE_POLL_SECONDS = 1.0  # a fallback: queueing a message wakes idle dispatchers (storage.wakeups)
RELEASE_INTERVAL_SECONDS = 30.0  # how late a scheduled broadcast may go out
# A paced send held this long past its slot takes a new one: any later, the sends spilling into the
# platform's next window could take it past the headroom the pace leaves. (Half of it gave fewer 429s
# but so many missed slots that a lone dispatcher, its event loop busy, lost more than it saved.)
LATE_SECONDS = (1 - paces.HEADROOM) * paces.WINDOW.total_seconds()
MAX_BATCHES_SENDING = 3  # a dispatcher's batches being sent or recorded at once
RELEASE_MIN_GAP_SECONDS = 0.5  # between release passes however often messages are queued
OUTAGE_BACKOFF_CEILING_SECONDS = 30.0  # while the database is away, a pass at least this often
HEARTBEAT_SLACK_SECONDS = 30.0  # a loop this late past its expected wake-up is reported not ready

# elsewhere: the platform has nobody with the recipient's email; it goes on the organisation's next platform.
Outcome = Literal["delivered", "retry", "failed", "elsewhere"]

SENDS = Counter(
    "pathway_sends",
    "Sends of queued messages by channel and result: delivered; retried (a 5xx, timeout or network "
    "error: tried again later); rate_limited (a 429: sent again after Retry-After); postponed (a look-up "
    "it needed was rate limited); elsewhere (nobody by the recipient's email on this platform: tried on "
    "the organisation's next one); failed (given up, or the recipient is gone).",
    ["channel", "result"],
)


def backoff(failures: int) -> float:
    """Seconds to wait after the `failures`-th failed send of one message.

    The first failure costs no wait: one 5xx among sends that succeed is a hiccup, not overload, and the
    message keeps its place at the front of the queue, where the channel's pace (or the concurrency
    limit) spaces it like any other send. (Put behind a large broadcast, every hiccup's retry would be
    left to its end, and a second failure among them would hold up the last copy for its backoff.)
    From the second failure of the same message on, the wait is exponential, capped, with jitter, so
    an outage is not hammered.
    """
    if failures <= 1:
        return 0.0
    ceiling = min(BACKOFF_CEILING_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (failures - 2))
    return random.uniform(ceiling / 2, ceiling)


def retry_wait(retry_after: float) -> float:
    """A platform's Retry-After as seconds to wait: never negative, never beyond MAX_RETRY_AFTER_SECONDS."""
    return min(max(retry_after, 0.0), MAX_RETRY_AFTER_SECONDS)


async def sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Scheduled:
    """A claimed message and its reserved send slot."""

    message: OutboxMessage
    uncertain: bool  # an earlier send of it may have reached the platform
    send_at: datetime
    paced: bool = False


@dataclass(frozen=True)
class Settlement:
    """What happened to one claimed message, to be recorded once the batch is done."""

    message: OutboxMessage
    outcome: Outcome
    error: str = ""
    due: datetime | None = None
    failed_send: bool = False  # counts towards MAX_FAILURES
    may_have_arrived: bool = False  # for a retry: the platform may already have it
    postponed: bool = False  # a look-up the send needed was rate limited


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        senders: Mapping[str, Sender],
        *,
        worker_id: str | None = None,
        batch: int = 100,
        concurrency: int = 32,
        lease_seconds: float = 60,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sessions = sessions
        self.senders = dict(senders)
        self.worker_id = worker_id or worker_name()
        self.batch = batch
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        # A send still running this long is abandoned well before the lease lets another claim it.
        self.send_timeout = lease_seconds / 3
        self.clock = clock
        self.paused_until: dict[str, datetime] = {}  # channel -> end of its 429 pause
        self.successes = {channel: SuccessLog() for channel in self.senders}
        self.rates: dict[str, float] = {}  # channel -> the shared pace at the last claim (paced channels)
        # Reports start a pause for every dispatcher (their commit tells the others), so they have
        # threads of their own rather than queueing behind the recording of outcomes.
        self.pacing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pace")
        self.outage = OutageLog(log, "dispatcher")
        self._beat_by = time.monotonic() + HEARTBEAT_SLACK_SECONDS

    def alive(self) -> bool:
        """Whether the loop has come round when it should have (for /readyz)."""
        return time.monotonic() <= self._beat_by

    def _beat(self, next_wake_in: float) -> None:
        self._beat_by = time.monotonic() + next_wake_in + HEARTBEAT_SLACK_SECONDS

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set, sleeping until the next message is due when nothing is.

        A pipeline: on a paced channel the next batch is claimed while this one is being sent, and
        starts as soon as this one's last send slot has come (not when its last send has been answered),
        so every slot is kept; outcomes are recorded in the background. Unpaced, batches are claimed
        just before they are sent (so a claim hears of another dispatcher's 429) and overlap.
        """
        async with Wakeups(self.sessions.kw["bind"], self._paused_by_another) as wakeups:
            await self._run(stop, wakeups)
        for sender in self.senders.values():
            await sender.close()
        self.pacing.shutdown(wait=True)

    async def _run(self, stop: asyncio.Event, wakeups: Wakeups) -> None:
        ahead: asyncio.Task[list[Scheduled]] | None = None
        sending: set[asyncio.Task[None]] = set()  # batches being sent, then recorded
        limit = asyncio.Semaphore(self.concurrency)  # sends in flight, over every batch
        while not stop.is_set():
            self._beat(self.send_timeout)
            try:
                claims = await (ahead or asyncio.create_task(self._claim_now()))
                ahead = None
                if not claims:  # sleep until the next message falls due, or one is queued
                    idle = await self._idle_wait()
                    self.outage.recovered()  # the database answered (the claim alone may not ask it)
                    self._beat(idle)
                    await wakeups.wait(idle, stop)
                    continue
                self.outage.recovered()
                if any(claim.paced for claim in claims):  # unpaced, a claim made early might not hear
                    ahead = asyncio.create_task(self._claim_now())  # of another dispatcher's 429 in time
                batch = asyncio.create_task(self._send_and_settle(claims, limit))
                sending.add(batch)
                batch.add_done_callback(settled_or_logged(sending))
                last_slot = max(claim.send_at for claim in claims)
                await asyncio.wait({batch}, timeout=max(0.0, (last_slot - self.clock()).total_seconds()))
                while len(sending) > MAX_BATCHES_SENDING:  # the platform or the database is behind
                    await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
            except (
                Exception
            ) as exc:  # a database hiccup must not kill the loop; the lease covers claimed rows
                ahead = None
                await sleep_unless_stopped(stop, self._after_failed_pass(exc))

        await self._wind_down(ahead, sending)

    def _after_failed_pass(self, exc: Exception) -> float:
        """Seconds to wait after a failed pass: an outage is logged once and backed off from; a bug is
        logged in full each time."""
        if not is_outage(exc):
            log.exception("dispatcher pass failed")
            return IDLE_POLL_SECONDS
        self.outage.failed(exc)
        wait = min(
            OUTAGE_BACKOFF_CEILING_SECONDS, IDLE_POLL_SECONDS * 2.0 ** min(self.outage.failures - 1, 10)
        )
        self._beat(wait)  # waiting out an outage is the loop doing its job (/readyz reports the database)
        return wait

    async def run_once(self) -> int:
        """Claim one batch, send it and settle every message in it; returns how many were claimed."""
        claims = await self._claim_now()
        if not claims:
            if not self._open_channels():
                await asyncio.sleep(self._pause_left() or IDLE_POLL_SECONDS)
            return 0
        await self._send_and_settle(claims, asyncio.Semaphore(self.concurrency))
        return len(claims)

    async def _claim_now(self) -> list[Scheduled]:
        channels = self._open_channels()
        if not channels:  # no senders at all (idle), or every channel is waiting out a 429
            return []
        return await asyncio.to_thread(self._claim, channels, self._batch_size(channels))

    def _open_channels(self) -> list[str]:
        return [channel for channel in self.senders if not self._paused(channel)]

    async def _send_and_settle(self, claims: list[Scheduled], limit: asyncio.Semaphore) -> None:
        """Send a batch, then record the outcomes not yet recorded (a failed send is recorded at once)."""
        began = self.clock()
        outcomes = await asyncio.gather(
            *(self._attempt_and_settle_failure(claim, limit, began) for claim in claims)
        )
        await asyncio.to_thread(
            self._settle, [settlement for settlement in outcomes if settlement is not None]
        )

    async def _attempt_and_settle_failure(
        self, claim: Scheduled, limit: asyncio.Semaphore, batch_began: datetime
    ) -> Settlement | None:
        """A failed send's retry is recorded at once, so it is due again without waiting for the rest
        of its batch; other outcomes are returned to be recorded together."""
        settlement = await self._attempt(claim, limit, batch_began)
        if not settlement.failed_send:
            return settlement
        try:
            await asyncio.to_thread(self._settle, [settlement])
        except Exception:  # recorded with the batch instead
            log.exception("could not record a failed send of outbox message %s", claim.message.id)
            return settlement
        return None

    async def _idle_wait(self) -> float:
        if self.senders and not self._open_channels():
            return self._pause_left()
        return await asyncio.to_thread(self._idle_seconds)

    async def _wind_down(
        self, ahead: asyncio.Task[list[Scheduled]] | None, sending: set[asyncio.Task[None]]
    ) -> None:
        """On stop: give back a batch claimed ahead (unsent), and let the batches being sent finish."""
        if ahead is not None:
            with contextlib.suppress(Exception):
                claims = await ahead
                now = self.clock()
                unsent = [Settlement(c.message, "retry", "dispatcher stopped", now, may_have_arrived=c.uncertain)
                          for c in claims]  # fmt: skip
                await asyncio.to_thread(self._settle, unsent)
        if sending:
            await asyncio.wait(sending)

    def _batch_size(self, channels: list[str]) -> int:
        """No more than the paced channels can send before a claim's send timeout."""
        rates = [self.rates[c] for c in channels if c in self.rates]
        return min(self.batch, max(1, int(min(rates) * self.send_timeout))) if rates else self.batch

    def _claim(self, channels: list[str], batch: int) -> list[Scheduled]:
        """Claim a batch on the channels not paused, fail the copies whose recipient is gone, and
        reserve send slots for the rest."""
        now = self.clock()
        with transaction(self.sessions) as session:
            channels = [channel for channel in channels if not self._paused_for_all(session, channel, now)]
            if not channels:
                return []
            claims = outbox.claim_for_sending(
                session, self.worker_id, batch, self.lease_seconds, now, channels
            )
            gone = outbox.unreachable(session, [claim.message for claim in claims])
            for claim in claims:
                if claim.message.id in gone:
                    outbox.mark_failed(session, claim.message, gone[claim.message.id])
            claims = [claim for claim in claims if claim.message.id not in gone]
            scheduled: list[Scheduled] = []
            for channel in sorted({claim.message.channel for claim in claims}):
                mine = [claim for claim in claims if claim.message.channel == channel]
                start, spacing = paces.reserve(session, channel, len(mine), now)
                self._remember_rate(channel, spacing)
                scheduled += [Scheduled(c.message, c.uncertain, start + timedelta(seconds=i * spacing), spacing > 0)
                              for i, c in enumerate(mine)]  # fmt: skip
            return scheduled

    def _paused_by_another(self, channel: str, until: datetime) -> None:
        """A dispatcher's 429 (storage.wakeups): stop sending on the channel until then, and report this
        dispatcher's part in the burst it ended."""
        if channel not in self.senders:
            return
        self._hold(channel, until)
        asyncio.get_running_loop().run_in_executor(self.pacing, self._report_part, channel)

    def _report_part(self, channel: str) -> None:
        try:
            with transaction(self.sessions) as session:
                self._paused_for_all(session, channel, self.clock())
        except Exception:  # the next claim reports instead
            log.exception("could not report to the shared pace")

    def _paused_for_all(self, session: Session, channel: str, now: datetime) -> bool:
        """Whether a dispatcher's 429 has paused the channel (then this one waits it out too); reports
        this dispatcher's part in the burst the pause ended, once."""
        until = paces.look(session, channel, self.worker_id, now, self.successes[channel].between)
        if until is not None:
            self._hold(channel, until)
        return until is not None

    def _hold(self, channel: str, until: datetime) -> None:
        self.paused_until[channel] = max(until, self.paused_until.get(channel, until))

    def _remember_rate(self, channel: str, spacing: float) -> None:
        rate, before = (1 / spacing if spacing else None), self.rates.get(channel)
        if (rate is None) != (before is None) or (rate and before and abs(rate / before - 1) > 0.005):
            log.info("%s %s", channel, f"paced at {rate:.1f}/s" if rate else "not paced")
        if rate:
            self.rates[channel] = rate
        else:
            self.rates.pop(channel, None)

    async def _attempt(self, claim: Scheduled, limit: asyncio.Semaphore, batch_began: datetime) -> Settlement:
        message = claim.message
        wait = (claim.send_at - self.clock()).total_seconds()
        if wait > self.send_timeout:  # its slot would come too close to the lease running out
            return Settlement(message, "retry", "paced", claim.send_at, may_have_arrived=claim.uncertain)
        if wait > 0:
            await asyncio.sleep(wait)
        async with limit:
            if self._paused(message.channel):  # an earlier send in this batch hit the rate limit
                until = self.paused_until[message.channel]
                return Settlement(message, "retry", "rate limited", until, may_have_arrived=claim.uncertain)
            slot = max(claim.send_at, batch_began)  # a first slot taken while claiming is not missed
            if claim.paced and (self.clock() - slot).total_seconds() > LATE_SECONDS:
                # A stall held it past its slot: sent now, it would crowd the next slots into the
                # platform's next window. It takes a new slot instead; the missed one goes unused.
                return Settlement(message, "retry", "missed its send slot", self.clock(),
                                  may_have_arrived=claim.uncertain)  # fmt: skip
            settlement = await self._send(claim)
            SENDS.labels(message.channel, send_result(settlement)).inc()
            return settlement

    async def _send(self, claim: Scheduled) -> Settlement:
        message = claim.message
        began = self.clock()  # what got through is counted by when it was sent (storage.paces)
        try:
            send = self.senders[message.channel].send(delivery_of(message, claim.uncertain))
            await asyncio.wait_for(send, self.send_timeout)
            self.successes[message.channel].record(began)
        except RateLimited as exc:  # the platform refused this send; an earlier one may still count
            first = not self._paused(message.channel)
            settlement = self._rate_limited(message, exc, claim.uncertain)  # pauses the channel here
            if first:  # sends in flight get 429s too: only the first reports, once for this pause
                await self._report_limit(message.channel, exc.retry_after)
            return settlement
        except Postponed as exc:  # this message only: the channel goes on at its pace
            due = self.clock() + timedelta(seconds=retry_wait(exc.retry_after))
            return Settlement(
                message, "retry", str(exc), due, may_have_arrived=claim.uncertain, postponed=True
            )
        except NotOnPlatform as exc:
            return Settlement(message, "elsewhere", str(exc))
        except Undeliverable as exc:
            return Settlement(message, "failed", str(exc) or "undeliverable")
        except (SendFailed, OSError, TimeoutError) as exc:
            return self._failed_send(message, f"{exc.__class__.__name__}: {exc}")
        except Exception as exc:  # a bug in a sender: record it, retry with backoff, never lose it
            log.exception("sender %s crashed on outbox message %s", message.channel, message.id)
            return self._failed_send(message, f"{exc.__class__.__name__}: {exc}")
        return Settlement(message, "delivered")

    async def _report_limit(self, channel: str, retry_after: float) -> None:
        at = self.clock()  # when the 429 came
        wait = retry_wait(retry_after)
        log.info("%s rate limited (retry after %gs)", channel, retry_after)

        def report() -> datetime:
            with transaction(self.sessions) as session:
                return paces.limited(
                    session, channel, self.worker_id, at, wait, self.successes[channel].between
                )

        try:
            until = await asyncio.get_running_loop().run_in_executor(self.pacing, report)
        except Exception:  # the local pause still holds; the shared pace is learnt at the next 429
            log.exception("could not record the rate limit")
            return
        self.paused_until[channel] = until  # the pause every dispatcher keeps, from the first 429

    def _rate_limited(self, message: OutboxMessage, exc: RateLimited, uncertain: bool) -> Settlement:
        """The refused message waits out its Retry-After; the channel pauses from the first 429 (sends
        already in flight are refused too, with Retry-Afters a little later, but the window they were
        refused in ends as the first one says)."""
        until = self.clock() + timedelta(seconds=retry_wait(exc.retry_after))
        if not self._paused(message.channel):
            self.paused_until[message.channel] = until
        return Settlement(message, "retry", str(exc), until, may_have_arrived=uncertain)

    def _failed_send(self, message: OutboxMessage, error: str) -> Settlement:
        failures = message.failures + 1
        if failures >= MAX_FAILURES:
            return Settlement(message, "failed", f"gave up after {failures} failed sends: {error}")
        wait = backoff(failures)
        due = self.clock() + timedelta(seconds=wait) if wait else message.due_at  # no wait: its old place
        return Settlement(message, "retry", error, due, failed_send=True, may_have_arrived=True)

    def _settle(self, settlements: Sequence[Settlement]) -> None:
        with transaction(self.sessions) as session:
            delivered = [s.message for s in settlements if s.outcome == "delivered"]
            if outbox.mark_many_delivered(session, delivered, self.clock()) < len(delivered):
                log.warning("some delivered outbox messages were reclaimed before they were settled")
            failed: list[tuple[OutboxMessage, str]] = []
            for s in settlements:
                if s.outcome == "delivered":
                    continue
                if s.outcome == "elsewhere" and (moved := self._move(session, s)) is not None:
                    settled = moved
                elif s.outcome in ("failed", "elsewhere"):
                    settled = outbox.mark_failed(session, s.message, s.error)
                    if settled:
                        failed.append((s.message, s.error))
                else:
                    settled = outbox.mark_retry(
                        session, s.message, s.error, s.due or self.clock(),
                        failed_send=s.failed_send, may_have_arrived=s.may_have_arrived,
                    )  # fmt: skip
                if not settled:
                    log.warning("outbox message %s was reclaimed before it was settled", s.message.id)
            undelivered.tell_hr(session, failed)  # in the same transaction: told once, never lost

    def _move(self, session: Session, settlement: Settlement) -> bool | None:
        """Try the organisation's next platform for a recipient this one has no account for; None when
        there is none left (then the message has failed)."""
        message = settlement.message
        where = elsewhere(session, message.org_id, message.channel, dict(message.address))
        if where is None:
            return None
        why = f"not on {message.channel} ({settlement.error}): trying {where.channel}"
        return outbox.move(session, message, where.channel, where.address, why, self.clock())

    def _idle_seconds(self) -> float:
        with transaction(self.sessions) as session:  # a channel waiting out a 429 is not due before then
            due = outbox.next_due_at(session, self._open_channels())
        now = self.clock()
        pauses = [(until - now).total_seconds() for until in self.paused_until.values() if until > now]
        wait = min([IDLE_POLL_SECONDS, *pauses])  # until a paused channel may send again, at the latest
        return wait if due is None else min(wait, max(0.01, (due - now).total_seconds()))

    def _paused(self, channel: str) -> bool:
        until = self.paused_until.get(channel)
        return until is not None and until > self.clock()

    def _pause_left(self) -> float:
        now = self.clock()
        return max(0.0, min(((u - now).total_seconds() for u in self.paused_until.values()), default=0.0))


def settled_or_logged(sending: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
    def done(task: asyncio.Task[None]) -> None:
        sending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The rows stay claimed until their lease runs out, then go again as uncertain deliveries.
            log.error("sending or recording a batch failed", exc_info=task.exception())

    return done


def send_result(settlement: Settlement) -> str:
    """The `pathway_sends` result of one send (bot.metrics)."""
    if settlement.outcome != "retry":
        return settlement.outcome  # delivered or failed
    if settlement.failed_send:
        return "retried"
    return "postponed" if settlement.postponed else "rate_limited"


def delivery_of(message: OutboxMessage, uncertain: bool = False) -> Delivery:
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
        uncertain=uncertain,
    )


async def release_broadcasts_periodically(
    sessions: sessionmaker[Session], library: Library, stop: asyncio.Event
) -> None:
    """Start scheduled broadcasts (and deadline reminders) when their time comes, and queue the rest of
    any broadcast still being fanned out. Woken when messages are queued (HR pressing "Send now" queues
    the first copies), so a large broadcast's rest follows at once; otherwise every
    RELEASE_INTERVAL_SECONDS. Safe on every server at once (dialogs.broadcast)."""

    def once() -> None:
        with transaction(sessions) as session:
            release_due(session, library, utc_now())
        fan_out_rest(sessions, library, utc_now())

    outage = OutageLog(log, "broadcast release")
    async with Wakeups(sessions.kw["bind"]) as wakeups:
        while not stop.is_set():
            try:
                await asyncio.to_thread(once)
                outage.recovered()
            except Exception as exc:
                if is_outage(exc):
                    outage.failed(exc)
                else:
                    log.exception("broadcast release pass failed")
            await sleep_unless_stopped(stop, RELEASE_MIN_GAP_SECONDS)  # wake-ups come with every retry
            await wakeups.wait(RELEASE_INTERVAL_SECONDS, stop)


async def every(seconds: float, job: Callable[[], None], stop: asyncio.Event, name: str) -> None:
    """Run the blocking `job` in a worker thread every `seconds` until `stop`; a failed pass is logged
    and the next one still runs."""
    outage = OutageLog(log, name)
    while not stop.is_set():
        try:
            await asyncio.to_thread(job)
            outage.recovered()
        except Exception as exc:
            if is_outage(exc):
                outage.failed(exc)
            else:
                log.exception("%s pass failed", name)
        await sleep_unless_stopped(stop, seconds)
