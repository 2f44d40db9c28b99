"""Telling every dispatcher at once, instead of leaving them to poll: that something was queued, and
that a platform's 429 has paused a channel.

A transaction that queues outbox messages calls `announce`; one that starts a pause calls
`announce_pause`. When it commits, dispatchers in this process hear of it at once (any database:
`pathway serve` on SQLite runs its dispatcher beside the front-ends), and on PostgreSQL a NOTIFY, sent
with the commit, reaches dispatchers in every other process and host, each of which LISTENs on a
connection of its own. A notice can be missed (a listener reconnecting), so dispatchers still poll,
only seldom, and look at the shared pause before each claim; a spurious wake-up costs a single query.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from storage.availability import OutageLog, is_outage

log = logging.getLogger(__name__)

CHANNEL = "pathway_outbox"
PAUSES = "pathway_pauses"
QUEUED = "pathway_outbox_queued"  # Session.info flag: this transaction queued messages
PAUSED = "pathway_paused"  # Session.info: the pauses this transaction started, as (channel, until)
RECONNECT_SECONDS = 1.0

Pause = Callable[[str, datetime], None]  # a channel is paused until then
_local: set[Callable[[], None]] = set()  # wake callbacks of this process's dispatchers
_local_pauses: set[Pause] = set()
_local_lock = threading.Lock()


def announce(session: Session) -> None:
    """Messages were queued in this session's transaction: wake dispatchers when it commits."""
    if session.info.get(QUEUED):
        return
    session.info[QUEUED] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, "")))  # delivered on commit, once per transaction


def announce_pause(session: Session, channel: str, until: datetime) -> None:
    """This transaction paused `channel` for every dispatcher: tell them all when it commits."""
    session.info.setdefault(PAUSED, []).append((channel, until))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(PAUSES, f"{channel} {until.isoformat()}")))


@event.listens_for(Session, "after_commit")
def _wake_local(session: Session) -> None:
    queued, paused = session.info.pop(QUEUED, False), session.info.pop(PAUSED, [])
    if not queued and not paused:  # every commit in the process comes here: most have nothing to say
        return
    with _local_lock:
        wakes, pauses = (list(_local) if queued else []), list(_local_pauses)
    for wake in wakes:
        wake()
    for channel, until in paused:
        for pause in pauses:
            pause(channel, until)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(QUEUED, None)
    session.info.pop(PAUSED, None)


class Wakeups:
    """An asyncio.Event that is set whenever messages are queued, and `on_pause` called (in the event
    loop) whenever a channel is paused; use as `async with Wakeups(engine, on_pause)`."""

    def __init__(self, engine: Engine, on_pause: Pause | None = None) -> None:
        self.engine = engine
        self.on_pause = on_pause
        self.event = asyncio.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> Wakeups:
        self._loop = asyncio.get_running_loop()
        with _local_lock:
            _local.add(self._wake)
            _local_pauses.add(self._paused)
        if self.engine.dialect.name == "postgresql":
            self._thread = threading.Thread(target=self._listen, name="outbox-listener", daemon=True)
            self._thread.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        with _local_lock:
            _local.discard(self._wake)
            _local_pauses.discard(self._paused)
        self._stopped.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, RECONNECT_SECONDS * 3)

    async def wait(self, seconds: float, stop: asyncio.Event) -> None:
        """Until something is queued, `stop` is set, or `seconds` pass."""
        waiters = [asyncio.ensure_future(self.event.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            self.event.clear()

    def _wake(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.event.set)

    def _paused(self, channel: str, until: datetime) -> None:
        if self.on_pause is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.on_pause, channel, until)

    def _listen(self) -> None:
        """LISTEN on a connection of its own, reconnecting after errors, until stopped."""
        outage = OutageLog(log, "outbox listener")
        while not self._stopped.is_set():
            try:
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    raw: Any = connection.connection.driver_connection
                    raw.execute(f"LISTEN {CHANNEL}")
                    raw.execute(f"LISTEN {PAUSES}")
                    self._wake()  # anything queued while this was not listening
                    outage.recovered()
                    while not self._stopped.is_set():
                        for notice in raw.notifies(timeout=RECONNECT_SECONDS, stop_after=1):
                            if notice.channel == PAUSES:
                                if (pause := pause_of(notice.payload)) is not None:
                                    self._paused(*pause)
                            else:
                                self._wake()
            except Exception as exc:  # polling covers for it; an outage is one line, not one a second
                if is_outage(exc):
                    outage.failed(exc)
                else:
                    log.warning("outbox listener failed; polling until it is back", exc_info=True)
                self._stopped.wait(RECONNECT_SECONDS)


def pause_of(payload: str) -> tuple[str, datetime] | None:
    """A pause notice's channel and end, always timezone-aware (UTC). Anyone who can NOTIFY on the database
    can send one: a notice that is no pause is logged and ignored, and an end without a zone is read as UTC
    (compared with a dispatcher's aware clock, it stopped every dispatch pass)."""
    channel, _, until = payload.partition(" ")
    try:
        ends = datetime.fromisoformat(until)
    except ValueError:
        log.warning("ignored a pause notice that names no time: %r", payload[:100])
        return None
    return channel, ends if ends.tzinfo is not None else ends.replace(tzinfo=UTC)
