"""Event turns (DMs, mentions, answered after the ack) run whole in worker processes.

In threads the core holds the GIL against the event loop that acknowledges Slack, and posting each
answer costs that loop too, so under a burst acknowledgements slow down with the answers. With
SLACK_ANSWER_PROCESSES > 0 (default 1) the server's loop only verifies, acknowledges and hands each
event over; a worker process, at a lower CPU priority, finds the person, runs the core and posts the
answer with its own Web API client and database connections. Clicks and modal submissions stay in the
server (a modal must open within 3 seconds of the click's trigger).
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bot.logs import configure_logging, new_request_id, request_id
from bot.settings import Settings
from bot.slack.answering import InThreads
from bot.slack.client import Clients, keep_connections
from bot.slack.turns import SlackTurns, TurnInput
from dialogs.conversation import Conversation
from knowledge.library import Library
from storage import db

WORKER_NICENESS = 19  # answers yield the CPU to acknowledgements
PR_SET_PDEATHSIG = 1  # linux/prctl.h

_loop: asyncio.AbstractEventLoop | None = None
_turns: SlackTurns | None = None


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


def _start_worker(settings: dict[str, Any], parent: int) -> None:
    global _loop, _turns
    die_with_parent(parent)
    os.nice(WORKER_NICENESS)
    configured = Settings.model_validate(settings)
    configure_logging(configured.pathway_log_format)  # a spawned process starts with none
    sessions = db.session_factory(db.make_engine(configured.pathway_database_url))
    conversation = Conversation(Library.load(configured.packs_dir), sessions, channel="slack")
    clients = Clients(configured, retries=True)
    _loop = asyncio.new_event_loop()
    _loop.run_until_complete(_open(clients))
    _turns = SlackTurns(conversation, clients, InThreads(conversation))


async def _open(clients: Clients) -> None:
    keep_connections(clients.shared)  # the connection pool belongs to this worker's loop


def _event_turn(turn: TurnInput) -> None:
    """One event's turn, with the workspace's bot token bolt authorised the event with in the server."""
    assert _loop is not None and _turns is not None, "worker not started"
    request_id.set(turn.event_id or new_request_id())  # this turn's log lines carry Slack's event id
    _loop.run_until_complete(_turns.answer_now(turn))


class EventWorkers:
    def __init__(self, settings: Settings, processes: int) -> None:
        self.capacity = 2 * processes  # one running and one ready in each worker
        self.executor = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("spawn"),  # never fork a process running an event loop
            initializer=_start_worker,
            initargs=(settings.model_dump(), os.getpid()),
        )

    async def run(self, turn: TurnInput) -> None:
        await asyncio.get_running_loop().run_in_executor(self.executor, _event_turn, turn)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)  # the turns already running finish
