"""Teams turns' core in worker processes (TEAMS_ANSWER_PROCESSES=1), through the real botbuilder stack over
loopback: the worker runs the core, the server renders and sends within the request; one person's turns
in order; a core that raises in a worker told to the person; /readyz showing the workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import build
from bot.runtime import Runtime
from bot.settings import Settings
from bot.teams.mount import SORRY, mount
from bot.teams.workers import WORKERS_KEY, core_in_worker
from bot.workers import Factory, Handler, Workers
from dialogs.messages import Incoming, Reply
from storage.handled_events import first_delivery
from tests.fakes.bot_connector import BotConnector
from tests.teams.conftest import Server, Teams, words

WENDY = "worker@medway.example"
PAY, LEVEL_3 = "how much is SCP 39?", "what do I need for level 3?"


@asynccontextmanager
async def slow_pay_question(settings: Settings) -> AsyncIterator[Handler]:
    """The real core, slower for the pay question: a later turn would overtake it if order were not kept."""
    async with core_in_worker(settings) as answer:

        async def handle(incoming: Incoming, again: bool) -> list[Reply]:
            if incoming.text == PAY:
                await asyncio.sleep(1.0)
            return await answer(incoming, again)

        yield handle


@asynccontextmanager
async def failing(_settings: Settings) -> AsyncIterator[Handler]:
    """A worker whose every core turn raises, standing in for a bug in the core."""

    async def handle(incoming: Incoming, _again: bool) -> list[Reply]:
        raise RuntimeError(f"no answer for {incoming.event_id}")

    yield handle


Deploy = Callable[[Factory], Awaitable[tuple[Teams, Workers]]]


@pytest.fixture
async def deploy(runtime: Runtime, connector: BotConnector, aiohttp_server: Server) -> AsyncIterator[Deploy]:
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = runtime.settings.model_copy(update={"teams_answer_processes": 1, "pathway_database_url": url})
    fake = await aiohttp_server(connector.app())
    servers: list[TestServer] = []

    async with aiohttp.ClientSession() as client:

        async def started(factory: Factory) -> tuple[Teams, Workers]:
            app = web.Application()
            assert "teams: on" in mount(app, Runtime(settings, runtime.library, runtime.sessions), factory)
            server = TestServer(app, host="127.0.0.1", port=0)
            await server.start_server()
            servers.append(server)
            teams = Teams(client, str(server.make_url("")).rstrip("/"), str(fake.make_url("")).rstrip("/"),
                          connector)  # fmt: skip
            found = app[WORKERS_KEY]
            await until(lambda: found.workers[0] is not None and found.workers[0].ready, "no worker started")
            return teams, found

        yield started
    for server in servers:
        await server.close()


async def until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


async def test_a_message_is_answered_by_the_core_in_a_worker(deploy: Deploy, runtime: Runtime) -> None:
    teams, workers = await deploy(core_in_worker)
    answer = await teams.say(WENDY, PAY)
    assert "£32,800" in words(answer)
    assert workers.next_id == 1  # the turn went to the worker, not to a thread here
    with runtime.sessions() as session:  # the worker's own connection recorded the activity
        assert not first_delivery(session, "teams", "msg-1")


async def test_one_persons_messages_are_answered_in_the_order_sent(deploy: Deploy) -> None:
    teams, workers = await deploy(slow_pay_question)
    first = asyncio.ensure_future(teams.say(WENDY, PAY))
    await until(lambda: workers.next_id == 1, "the first message never reached the worker")
    await teams.say(WENDY, LEVEL_3)
    await first
    log = [r.text for r in teams.connector.log if r.conversation == teams.personal(WENDY)]
    assert len(log) == 2
    assert "£32,800" in log[0]  # the pay answer went first, though the second question was quicker
    assert "To reach Level 3" in log[1] and "£32,800" not in log[1]


async def test_a_core_that_raises_in_a_worker_is_told_to_the_person(deploy: Deploy) -> None:
    teams, workers = await deploy(failing)
    answer = await teams.say(WENDY, PAY)
    assert words(answer) == SORRY
    assert await workers.state() == "ok"  # the worker is still there for the next turn


async def test_readyz_shows_the_teams_workers(runtime: Runtime, aiohttp_server: Server) -> None:
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    runtime.settings = runtime.settings.model_copy(
        update={"teams_answer_processes": 1, "pathway_database_url": url}
    )
    app, _notes = build(runtime, dispatch=False, reminders=False)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as client:
        deadline = time.monotonic() + 60
        while True:
            async with client.get(server.make_url("/readyz")) as response:
                body = await response.json()
            if body["checks"]["teams_workers"] == "ok" or time.monotonic() > deadline:
                break
            assert body["checks"]["teams_workers"] == "teams worker(s) 0 not ready"  # loading its packs
            await asyncio.sleep(0.1)
    assert response.status == 200, body
    assert body["checks"]["teams_workers"] == "ok"
