"""The Slack events acknowledged by this server and not yet answered, kept in the database (storage/inbox.py)
by group commit, so that neither the keeping nor the done marks hold up the event loop.

Why: Slack does not resend an event it was told 200 for, so an event that waited only in memory (the
backlog, the pipe to a worker) was lost if the serving process crashed before answering it. Now the lane
(lane.py) acknowledges only once the event's row is committed, and answers 503 when it cannot be (Slack
then delivers it again, same event id). A commit is a round trip, or an fsync, while the loop acknowledges
hundreds of events a second: so commits run in a thread, one at a time, and every event that arrives while
one runs waits for the next, which keeps them all in one transaction (with the done marks gathered since).

`kept_by` names this server the same way across its restarts (host and port): what it kept and never
answered is replayed when it starts again (lane.py), and another server sharing the database leaves it
alone, since it may be answering it right now, unless it has waited ABANDONED_AFTER (its server is gone).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from storage import inbox
from storage.availability import is_outage
from storage.columns import utc_now
from storage.db import transaction
from storage.inbox import Arrival

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BATCH = 500  # rows in one INSERT: well within SQLite's bound variables
# Done marks wait for the next keep's commit rather than starting their own (under load one commit then
# carries both), but no longer than this. A crash in between replays an event already answered: the core
# knows it by its event id, and the person is told their answer may be missing (turns.MAY_BE_UNANSWERED).
DONE_WAITS_SECONDS = 0.5
# A server answers what it keeps within seconds (its backlog is bounded: mount.MAX_BACKLOG), so what another
# server kept this long ago and never answered is taken to be abandoned (inbox.take_over).
ABANDONED_AFTER = timedelta(minutes=10)


def server_name(port: int) -> str:
    """This server, as its rows name it: the same after a restart on the same host and port."""
    return f"{socket.gethostname()}:{port}"


@dataclass
class Batch:
    """What the next commit holds: events to keep (each awaited by its request) and events answered."""

    keeps: list[tuple[Arrival, asyncio.Future[bool]]] = field(default_factory=list)
    done: list[str] = field(default_factory=list)


class Inbox:
    """`keep(arrival)`: True once newly kept, False if it was kept already (a retry); raises if the database
    could not keep it. `done(event_id)`: answered (committed with the next keep, or within
    DONE_WAITS_SECONDS; not awaited)."""

    def __init__(self, sessions: sessionmaker[Session], kept_by: str) -> None:
        self.sessions = sessions
        self.kept_by = kept_by
        self.commits = 0  # transactions committed (what group commit saves is visible here and in tests)
        self._next = Batch()
        self._committing: asyncio.Task[None] | None = None
        self._done_timer: asyncio.TimerHandle | None = None
        # Its own thread: in the threads shared by asyncio.to_thread a commit waited behind turns.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox")

    async def keep(self, arrival: Arrival) -> bool:
        kept: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._next.keeps.append((arrival, kept))
        self._start()
        return await kept

    def done(self, event_id: str) -> None:
        self._next.done.append(event_id)
        self._done_later()

    def to_replay(self) -> list[Arrival]:
        """Blocking (call it in a thread): what this server kept and never answered, in arrival order, with
        what other servers kept over ABANDONED_AFTER ago and never answered (they are gone)."""
        with transaction(self.sessions) as session:
            now = utc_now()
            taken = inbox.take_over(session, self.kept_by, now - ABANDONED_AFTER, now)
            if taken:
                log.warning("inbox: %d Slack event(s) taken over from servers that stopped answering", taken)
            return inbox.pending(session, self.kept_by)

    async def close(self) -> None:
        """Commit what is waiting (done marks above all: otherwise the next start would replay answered
        events)."""
        while self._committing is not None and not self._committing.done():
            await self._committing
        await self._commit_all(done_only=True)
        if self._done_timer is not None:
            self._done_timer.cancel()
            self._done_timer = None
        self._thread.shutdown(wait=False)

    async def _in_thread(self, work: Callable[[Batch], T], batch: Batch) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, batch)

    def _start(self, done_only: bool = False) -> None:
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit_all(done_only))

    def _done_later(self) -> None:
        if self._done_timer is None and self._next.done:
            self._done_timer = asyncio.get_running_loop().call_later(DONE_WAITS_SECONDS, self._done_now)

    def _done_now(self) -> None:
        self._done_timer = None
        self._start(done_only=True)

    async def _commit_all(self, done_only: bool = False) -> None:
        """Commit batch after batch while events wait to be kept (`done_only`: or done marks); a batch
        the database refused fails its keeps (their requests answer 503) and leaves its done marks for
        the next batch."""
        try:
            await self._commit_batches(done_only)
        finally:
            self._done_later()  # done marks left over wait for the next keep, or the timer

    async def _commit_batches(self, done_only: bool) -> None:
        while self._next.keeps or (done_only and self._next.done):
            done_only = False
            batch = self._take()
            try:
                kept = await self._in_thread(self._commit, batch)
            except Exception as exc:
                if is_outage(exc) or len(batch.keeps) < 2:
                    self._refused(batch, exc)
                    return  # the next keep or done starts again: no busy retrying against a failing database
                # One event the database refuses (a value it cannot store) must not refuse the others.
                for part, outcome in await self._in_thread(self._commit_each, batch):
                    if isinstance(outcome, Exception):
                        self._refused(part, outcome)
                    else:
                        self._answer(part.keeps, outcome)
                continue
            self._answer(batch.keeps, kept)

    def _refused(self, batch: Batch, exc: Exception) -> None:
        log.warning("inbox: %d event(s) not kept: %s", len(batch.keeps), exc)
        self._next.done[:0] = batch.done
        for _, future in batch.keeps:
            if not future.done():
                future.set_exception(exc)

    @staticmethod
    def _answer(keeps: list[tuple[Arrival, asyncio.Future[bool]]], kept: set[str]) -> None:
        newly = set(kept)
        for arrival, future in keeps:
            if not future.done():
                future.set_result(arrival.event_id in newly)
                newly.discard(arrival.event_id)  # the same event twice in one batch: the second is a retry

    def _commit_each(self, whole: Batch) -> list[tuple[Batch, set[str] | Exception]]:
        """In a thread: the batch again, one event a commit (its done marks first, alone)."""
        outcomes: list[tuple[Batch, set[str] | Exception]] = []
        parts = [Batch(keeps=[keep]) for keep in whole.keeps]
        for part in [Batch(done=whole.done), *parts] if whole.done else parts:
            try:
                outcomes.append((part, self._commit(part)))
            except Exception as exc:
                outcomes.append((part, exc))
        return outcomes

    def _take(self) -> Batch:
        batch, waiting = self._next, self._next.keeps[MAX_BATCH:]
        batch.keeps = batch.keeps[:MAX_BATCH]
        self._next = Batch(keeps=waiting)
        return batch

    def _commit(self, batch: Batch) -> set[str]:
        arrivals = list({a.event_id: a for a, _ in batch.keeps}.values())  # a retry within the batch: once
        with transaction(self.sessions) as session:
            inbox.mark_done(session, set(batch.done), utc_now())
            kept = inbox.keep(session, arrivals, self.kept_by)
        self.commits += 1
        return kept


def arrival(body: dict[str, Any], raw: bytes, team: str) -> Arrival:
    """`raw`: the request body `body` was read from, kept as it came (replay reads it as the lane did)."""
    return Arrival(str(body["event_id"]), team, raw.decode("utf-8"), utc_now())
