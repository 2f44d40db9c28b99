"""Waking idle dispatchers the moment something is queued, instead of leaving them to poll.

A transaction that queues outbox messages calls `announce`. When it commits, dispatchers in this process
are woken at once (any database: `pathway serve` on SQLite runs its dispatcher beside the front-ends),
and on PostgreSQL a NOTIFY, sent with the commit, wakes dispatchers in every other process and host,
each of which LISTENs on a connection of its own. A wake-up can be missed (a listener reconnecting), so
dispatchers still poll, only seldom; a spurious one costs a single query.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "pathway_outbox"
QUEUED = "pathway_outbox_queued"  # Session.info flag: this transaction queued messages
RECONNECT_SECONDS = 1.0

_local: set[Callable[[], None]] = set()  # wake callbacks of this process's dispatchers
_local_lock = threading.Lock()


def announce(session: Session) -> None:
    """Messages were queued in this session's transaction: wake dispatchers when it commits."""
    if session.info.get(QUEUED):
        return
    session.info[QUEUED] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, "")))  # delivered on commit, once per transaction


@event.listens_for(Session, "after_commit")
def _wake_local(session: Session) -> None:
    if session.info.pop(QUEUED, False):
        with _local_lock:
            callbacks = list(_local)
        for wake in callbacks:
            wake()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(QUEUED, None)


class Wakeups:
    """An asyncio.Event that is set whenever messages are queued; use as `async with Wakeups(engine)`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.event = asyncio.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> Wakeups:
        self._loop = asyncio.get_running_loop()
        with _local_lock:
            _local.add(self._wake)
        if self.engine.dialect.name == "postgresql":
            self._thread = threading.Thread(target=self._listen, name="outbox-listener", daemon=True)
            self._thread.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        with _local_lock:
            _local.discard(self._wake)
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

    def _listen(self) -> None:
        """LISTEN on a connection of its own, reconnecting after errors, until stopped."""
        while not self._stopped.is_set():
            try:
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    raw: Any = connection.connection.driver_connection
                    raw.execute(f"LISTEN {CHANNEL}")
                    self._wake()  # anything queued while this was not listening
                    while not self._stopped.is_set():
                        for _notice in raw.notifies(timeout=RECONNECT_SECONDS, stop_after=1):
                            self._wake()
            except Exception:
                log.warning("outbox listener lost its connection; polling until it is back", exc_info=True)
                self._stopped.wait(RECONNECT_SECONDS)
