"""Event turns (DMs, mentions, answered after the ack) run whole in worker processes (bot/workers.py).

With SLACK_ANSWER_PROCESSES > 0 (default 1) the server's loop only verifies, acknowledges and hands
each event over; a worker finds the person, runs the core and posts the answer with its own Web API
client and database connections, many turns at once. One worker is the default because the box this
is sized for has two cores: the server's loop on one, the worker on the other; more workers on two
cores would only share the second one, each with its own packs (~100 MB) and database connections.
Clicks and modal submissions stay in the server (a modal must open within 3 seconds of the click's
trigger).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.settings import Settings
from bot.slack.answering import InThreads
from bot.slack.client import Clients, keep_connections, release_connections
from bot.slack.turns import SlackTurns, TurnInput
from bot.workers import Factory, Handler, WorkerCore, Workers


@asynccontextmanager
async def answerer(core: WorkerCore) -> AsyncIterator[Handler]:
    """In a worker, once: what answers an event turn there (the worker's core, and its own Web API
    client); the client's connections closed as the worker stops (the worker closes its core)."""
    clients = Clients(core.settings, retries=True)
    keep_connections(clients.shared)  # the connection pool belongs to this worker's loop
    turns = SlackTurns(core.conversation, clients, InThreads(core.conversation))

    async def answer(turn: TurnInput, again: bool) -> None:
        await turns.answer_now(turn, again=again)

    try:
        yield answer
    finally:
        await release_connections(clients.shared)


class EventWorkers:
    """Event turns for the workers: one person's turns all go to one worker, in order."""

    def __init__(self, settings: Settings, processes: int, factory: Factory = answerer) -> None:
        self.workers = Workers(settings, factory, processes, "slack")
        self.capacity = self.workers.capacity

    async def run(self, turn: TurnInput) -> None:
        # Its log lines in the worker carry Slack's event id.
        await self.workers.run(f"{turn.workspace.team}:{turn.user}", turn, turn.event_id)

    def mount(self, app: web.Application) -> None:
        """Running while the server runs, and in /readyz."""
        self.workers.mount(app)
