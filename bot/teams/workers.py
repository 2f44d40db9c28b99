"""Where a Teams turn's core runs: in worker processes (bot/workers.py), or in threads of the server.

botbuilder's turn stays in the server (its TurnContext holds the request: replies are sent within it,
forms are redrawn, file consent is answered), and only the core's part crosses the pipe: the
`Incoming` the handler built goes to a worker, the core's `Reply` list comes back with the person
the core identified (where their keyed cards went is kept by person, and the server then need not
look them up), and the handler renders and sends it as before. The core is synchronous Python (identifying the person, the database,
the answer: milliseconds of CPU a turn); in the server it holds the GIL against the loop that runs
botbuilder for every other request, so with TEAMS_ANSWER_PROCESSES > 0 (default 1, as for Slack) it
runs on another core. 0: threads in the server, as before.

A turn whose core raises in the worker, or whose worker died each time it ran it, raises here
(TurnFailed, WorkerLost) into botbuilder's turn error handler, which tells the person (bot/teams/mount.py
`apologise`), as a crash in the server's own threads does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Protocol

from aiohttp import web

from bot.settings import Settings
from bot.workers import Factory, Handler, WorkerCore, Workers
from dialogs.conversation import Conversation
from dialogs.messages import Incoming, Reply
from storage.availability import UNAVAILABLE_TEXT, is_outage

log = logging.getLogger(__name__)
WORKERS_KEY = web.AppKey("teams_workers", Workers)  # the worker processes, when the core runs in them
# A worker died running the turn after the core had taken it (so the core now says nothing for its
# event id): its replies were never sent, since the server sends only what comes back.
INTERRUPTED = Reply(
    text="Sorry, I was interrupted while answering your last message, so my answer was lost. "
    "Please send it again."
)


# The core's replies to a turn, and the roster person it identified (None: nobody).
Answered = tuple[list[Reply], int | None]


class Core(Protocol):
    """The core's answer to one turn."""

    def answer(self, incoming: Incoming) -> Awaitable[Answered]:
        """The turn handed to the core before this returns, and its answer to come."""
        ...


class InThreads:
    """The core in a thread of the server (TEAMS_ANSWER_PROCESSES=0)."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def answer(self, incoming: Incoming) -> Awaitable[Answered]:
        # Threads run one person's turns side by side; only their sends are kept in order.
        return asyncio.ensure_future(asyncio.to_thread(self.conversation.handle_identified, incoming))


@asynccontextmanager
async def core_in_worker(core: WorkerCore) -> AsyncIterator[Handler]:
    """In a worker, once: the core that answers Teams turns there, on the worker's own connections
    (closed with the worker's core as it stops)."""
    conversation = core.conversation

    async def answer(incoming: Incoming, again: bool) -> Answered:
        try:
            replies, person_id = await asyncio.to_thread(conversation.handle_identified, incoming)
        except Exception as exc:
            if not is_outage(exc):
                raise
            # Rolled back: nothing changed, and the person is told so (as the server's turn error
            # handler says it, which would see only TurnFailed's text).
            log.warning("Teams turn refused: database unavailable (%s)", exc.__class__.__name__)
            return [Reply(text=UNAVAILABLE_TEXT)], None
        return ([INTERRUPTED], None) if again and not replies else (replies, person_id)

    yield answer


class InWorkers:
    """The core in worker processes: one person's turns all go to one worker, in order."""

    def __init__(self, settings: Settings, processes: int, factory: Factory = core_in_worker) -> None:
        self.workers = Workers(settings, factory, processes, "teams")

    def answer(self, incoming: Incoming) -> Awaitable[Answered]:
        sender = incoming.sender
        # Handed over now, so one person's turns reach their worker in the order asked; its log lines
        # in the worker carry the activity id.
        return self.workers.submit(f"{sender.tenant}:{sender.user_id}", incoming, incoming.event_id)


def core(
    app: web.Application, settings: Settings, conversation: Conversation, factory: Factory = core_in_worker
) -> Core:
    """The core as TEAMS_ANSWER_PROCESSES says: worker processes (running with `app`), or threads."""
    if settings.teams_answer_processes <= 0:
        return InThreads(conversation)
    workers = InWorkers(settings, settings.teams_answer_processes, factory)
    workers.workers.mount(app)
    app[WORKERS_KEY] = workers.workers
    return workers
