"""Worker processes that run whole chat turns, for any front-end, so the server's event loop only
verifies, acknowledges and hands each turn over.

Why processes, and why this shape: the core is synchronous Python (a turn is milliseconds of CPU), so in
the server it holds the GIL against the loop that acknowledges the platforms. A worker puts it on
another core. Each worker runs its own event loop with many turns in flight at once, so it is never
idle while one turn waits on the network (posting the answer, looking a person up); a worker that ran
one turn at a time, as a ProcessPoolExecutor call does, spent most of each turn waiting and answered
slower than threads in the server. Turns cross the pipe in batches (one write for a burst), and
nothing is set up per turn: each worker builds once what every front-end's turns need (`WorkerCore`:
the packs, its own database engine, the core on them for its channel), and the front-end's factory
adds its own (Slack's Web API client) around it, once. The factory is an async context manager (as
aiohttp's cleanup_ctx is), and the worker closes its core as it stops, so a stopping worker closes its
connections rather than leaving them to the garbage collector ("Unclosed client session"). A turn's log
lines in the worker carry the id the server gave it (the platform's event id).

Guarantees:
- Order: turns with the same key (one person) go to the same worker and run there one after another.
- A turn whose handler raises comes back as `TurnFailed` with the reason, for the front-end to tell
  the person; a worker that dies is started again and its unfinished turns are sent to it again
  (the core recognises a delivery it already handled by its event id), a turn at most `ATTEMPTS`
  times, then `WorkerLost`.
- `state()` says whether every worker is up, for /readyz.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from functools import cached_property
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.logs import configure_logging, new_request_id, request_id
from bot.settings import Settings
from dialogs.conversation import Conversation
from dialogs.messages import Platform
from knowledge.library import Library
from storage import db

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WINDOW = 64  # turns sent to one worker and not yet finished; beyond it they wait in the server
ATTEMPTS = 2  # a turn in flight when its worker died twice is not tried a third time
STOP_SECONDS = 30.0
RESTART_PAUSE_SECONDS = (
    1.0  # a worker that dies before it is ready (bad settings) is not restarted in a hot loop
)


@dataclass
class WorkerCore:
    """What a worker's turns run on, built once in the worker: its settings, its own database
    connections (never the server's: a connection does not cross processes), and the core for its
    channel on them. Built when first used, so a factory that needs no core loads no packs."""

    settings: Settings
    channel: Platform

    @cached_property
    def engine(self) -> Engine:
        return db.make_engine(self.settings.pathway_database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return db.session_factory(self.engine)

    @cached_property
    def conversation(self) -> Conversation:
        return Conversation(Library.load(self.settings.packs_dir), self.sessions, channel=self.channel)

    def close(self) -> None:
        """As the worker stops: its database connections closed, if it opened any."""
        if "engine" in self.__dict__:  # cached_property keeps what it built in the instance's dict
            self.engine.dispose()


# A turn's payload, and whether it is being run again because the worker running it died; what it
# returns (picklable: it crosses the pipe) is what `Workers.run` returns in the server.
Handler = Callable[[Any, bool], Awaitable[Any]]
# Builds a worker's handler once, in the worker, on its WorkerCore, and releases what the handler holds
# (a connection pool) as the worker stops: an @asynccontextmanager function yielding the handler
# (module-level, so it crosses to a spawned process).
Factory = Callable[[WorkerCore], AbstractAsyncContextManager[Handler]]


class TurnFailed(Exception):
    """The worker's handler raised for this turn; the message says why."""


class WorkerLost(Exception):
    """The turn's worker died each time it ran it."""


def die_with_parent(parent: int) -> None:
    """A worker must not outlive the server: a SIGKILLed server runs no clean-up, and an orphaned
    worker (~100 MB, with database connections) would run for good. On Linux the kernel kills it
    when the server dies; a server already gone before this ran is noticed by its pid."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(0)


# -- in the worker --------------------------------------------------------------------------------


def serve(
    connection: Connection, factory: Factory, settings: dict[str, Any], channel: Platform, parent: int
) -> None:
    """A worker process's life: build the handler, then run the turns that arrive until told to stop."""
    die_with_parent(parent)
    # The server says when to stop, once the turns handed over are done. A stop signal meant for the whole
    # service (systemd's SIGTERM goes to every process of the unit, Ctrl-C's SIGINT to the terminal's
    # process group) would otherwise kill the worker in the middle of its turns while the server drains.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configured = Settings.model_validate(settings)
    configure_logging(configured.pathway_log_format)  # a spawned process starts with none
    asyncio.run(WorkerLoop(connection).run(factory, WorkerCore(configured, channel)))


class WorkerLoop:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.chains: dict[str, asyncio.Future[None]] = {}  # per key: the last turn started
        self.finished: list[
            tuple[int, str | None, Any]
        ] = []  # (turn id, error or None, result), not yet sent back
        self.stopping = asyncio.Event()

    async def run(self, factory: Factory, core: WorkerCore) -> None:
        try:
            async with factory(core) as handler:
                self.connection.send([("ready",)])
                loop = asyncio.get_running_loop()
                loop.add_reader(self.connection.fileno(), self._receive, handler)
                await self.stopping.wait()
                loop.remove_reader(self.connection.fileno())
                await asyncio.gather(*self.chains.values(), return_exceptions=True)  # the turns begun finish
                self._send_back()
        finally:
            core.close()

    def _receive(self, handler: Handler) -> None:
        # One batch a call: the loop calls again while the pipe has more (a poll() first would cost a
        # select call per batch).
        try:
            for message in self.connection.recv():
                if message[0] == "stop":
                    self.stopping.set()
                    return
                _, turn_id, key, log_id, payload, again = message
                self._start(handler, turn_id, key, log_id, payload, again)
        except EOFError:  # the server closed its end
            self.stopping.set()

    def _start(
        self, handler: Handler, turn_id: int, key: str, log_id: str | None, payload: Any, again: bool
    ) -> None:
        previous = self.chains.get(key)
        task = asyncio.ensure_future(self._turn(handler, turn_id, log_id, payload, again, previous))
        self.chains[key] = task
        task.add_done_callback(lambda done: self.chains.get(key) is done and self.chains.pop(key))

    async def _turn(
        self,
        handler: Handler,
        turn_id: int,
        log_id: str | None,
        payload: Any,
        again: bool,
        previous: Awaitable[None] | None,
    ) -> None:
        request_id.set(log_id or new_request_id())  # this task's own context: its log lines only
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)  # the same person's earlier turn first
        error: str | None = None
        result: Any = None
        try:
            result = await handler(payload, again)
        except Exception as exc:
            log.exception("turn failed in a worker")
            error = f"{exc.__class__.__name__}: {exc}"
        if not self.finished:  # one write back for every turn that finishes in this loop iteration
            asyncio.get_running_loop().call_soon(self._send_back)
        self.finished.append((turn_id, error, result))

    def _send_back(self) -> None:
        if self.finished:
            batch, self.finished = self.finished, []
            self.connection.send([("done", turn_id, error, result) for turn_id, error, result in batch])


# -- in the server --------------------------------------------------------------------------------


@dataclass
class Turn:
    id: int
    key: str
    log_id: str | None
    payload: Any
    done: asyncio.Future[Any]
    attempts: int = 0


@dataclass
class Worker:
    """One worker process as the server sees it: its pipe, the turns it holds, and the turns waiting."""

    process: BaseProcess
    connection: Connection
    ready: bool = False
    running: dict[int, Turn] = field(default_factory=dict)
    waiting: list[Turn] = field(default_factory=list)
    outgoing: list[tuple[Any, ...]] = field(default_factory=list)


class Workers:
    """`processes` workers, each running `factory`'s handler; `run(key, payload)` returns when the turn
    is done. Start with `start()` inside the running loop; `close()` lets the turns begun finish."""

    def __init__(self, settings: Settings, factory: Factory, processes: int, name: Platform) -> None:
        self.settings, self.factory, self.name = settings, factory, name  # name: the channel too
        self.capacity = WINDOW * processes  # turns worth handing over at once
        self.context = multiprocessing.get_context("spawn")  # never fork a process running an event loop
        self.workers: list[Worker | None] = [None] * processes
        self.next_id = 0
        self.closing = False

    def mount(self, app: web.Application) -> None:
        """Running while `app` runs (started inside its loop, closed as it stops), and in /readyz."""
        # Only the server mounts: a spawned worker imports this module too, and readiness brings the
        # migrations (alembic) and the dispatcher, which a worker never uses (a third of a second a spawn).
        from bot.readiness import add_connection_check

        async def running(_app: web.Application) -> AsyncIterator[None]:
            self.start()
            yield
            await self.close()

        app.cleanup_ctx.append(running)
        add_connection_check(app, f"{self.name}_workers", self.state)

    def start(self) -> None:
        for index in range(len(self.workers)):
            self._spawn(index)

    def _spawn(self, index: int) -> None:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=serve, args=(theirs, self.factory, self.settings.model_dump(), self.name, os.getpid()),
            name=f"pathway-{self.name}-worker-{index}", daemon=True,
        )  # fmt: skip
        process.start()
        theirs.close()
        worker = Worker(process, ours)
        previous = self.workers[index]
        self.workers[index] = worker
        loop = asyncio.get_running_loop()
        loop.add_reader(ours.fileno(), self._receive, worker)
        loop.add_reader(process.sentinel, self._died, index, worker)
        if previous is not None:  # the dead worker's turns, in the order they came
            for turn in [*previous.running.values(), *previous.waiting]:
                self._hand_over(worker, turn)

    async def run(self, key: str, payload: Any, log_id: str | None = None) -> Any:
        """Run one turn in the worker that runs `key`'s turns and return what its handler returned;
        raises TurnFailed or WorkerLost. `log_id`: what the turn's log lines in the worker carry."""
        return await self.submit(key, payload, log_id)

    def submit(self, key: str, payload: Any, log_id: str | None = None) -> asyncio.Future[Any]:
        """`run`, with the turn handed over before this returns: `key`'s turns run in the order
        submitted (a coroutine would hand its turn over only when first awaited)."""
        worker = self.workers[zlib.crc32(key.encode()) % len(self.workers)]
        assert worker is not None, "workers not started"
        self.next_id += 1
        turn = Turn(self.next_id, key, log_id, payload, asyncio.get_running_loop().create_future())
        self._hand_over(worker, turn)
        return turn.done

    def _hand_over(self, worker: Worker, turn: Turn) -> None:
        if len(worker.running) >= WINDOW or not worker.ready:
            worker.waiting.append(turn)  # the pipe holds no more than WINDOW turns, so a write never blocks
            return
        turn.attempts += 1
        worker.running[turn.id] = turn
        if not worker.outgoing:  # one write for every turn handed over in this loop iteration
            asyncio.get_running_loop().call_soon(self._flush, worker)
        worker.outgoing.append(("turn", turn.id, turn.key, turn.log_id, turn.payload, turn.attempts > 1))

    def _flush(self, worker: Worker) -> None:
        batch, worker.outgoing = worker.outgoing, []
        if batch:
            with contextlib.suppress(OSError):  # it died: _died hands its turns to the next one
                worker.connection.send(batch)

    def _receive(self, worker: Worker) -> None:
        try:
            for message in worker.connection.recv():  # one batch a call, as in the worker
                self._received(worker, message)
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(worker.connection.fileno())

    def _received(self, worker: Worker, message: tuple[Any, ...]) -> None:
        if message[0] == "ready":
            worker.ready = True
            waiting, worker.waiting = worker.waiting, []
            for turn in waiting:
                self._hand_over(worker, turn)
            return
        _, turn_id, error, result = message
        turn = worker.running.pop(turn_id)
        if turn.done.done():
            pass  # the server stopped waiting for it
        elif error:
            turn.done.set_exception(TurnFailed(error))
        else:
            turn.done.set_result(result)
        if worker.waiting and len(worker.running) < WINDOW:
            self._hand_over(worker, worker.waiting.pop(0))

    def _died(self, index: int, worker: Worker) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(worker.process.sentinel)
        with contextlib.suppress(EOFError, OSError):
            while worker.connection.poll():  # what it finished before it died
                for message in worker.connection.recv():
                    self._received(worker, message)
        loop.remove_reader(worker.connection.fileno())
        worker.connection.close()
        if self.closing:
            return
        log.error(
            "%s worker %d died (exit code %s); starting another", self.name, index, worker.process.exitcode
        )
        for turn in list(worker.running.values()):
            if turn.attempts >= ATTEMPTS:
                del worker.running[turn.id]
                turn.done.set_exception(WorkerLost(f"its worker died {turn.attempts} times running it"))
        if worker.ready:
            self._spawn(index)
        else:
            loop.call_later(RESTART_PAUSE_SECONDS, self._spawn, index)

    async def state(self) -> str:
        """ "ok" when every worker is up; otherwise what is not (/readyz)."""
        down = [
            str(i) for i, w in enumerate(self.workers) if w is None or not w.ready or not w.process.is_alive()
        ]
        return "ok" if not down else f"{self.name} worker(s) {', '.join(down)} not ready"

    async def close(self) -> None:
        """Stop every worker once the turns it has begun are done."""
        self.closing = True
        for worker in self.workers:
            if worker is not None and worker.process.is_alive():
                self._flush(worker)
                try:
                    worker.connection.send([("stop",)])
                except OSError:
                    continue
        await asyncio.to_thread(self._join)  # the loop meanwhile takes in the last turns' results

    def _join(self) -> None:
        for worker in self.workers:
            if worker is not None:
                worker.process.join(STOP_SECONDS)
                if worker.process.is_alive():
                    worker.process.kill()
