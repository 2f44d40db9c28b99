"""Teams turns' core in worker processes (TEAMS_ANSWER_PROCESSES=1), through the real botbuilder stack over
loopback: the worker runs the core, the server renders and sends within the request; one person's turns
in order; a core that raises in a worker told to the person; a worker killed mid-turn restarted and its
turns answered once, /readyz showing it down meanwhile; /readyz showing the workers."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import build
from bot.readiness import Readiness
from bot.runtime import Runtime
from bot.teams.handler import PathwayBot
from bot.teams.mount import SORRY, TEAMS_BOT_KEY, mount
from bot.teams.workers import INTERRUPTED, WORKERS_KEY, Answered, core_in_worker
from bot.workers import Factory, Handler, WorkerCore, Workers
from dialogs.messages import Incoming
from storage.handled_events import first_delivery
from storage.tables import HandledEvent
from tests.fakes.bot_connector import BotConnector
from tests.teams.conftest import PEOPLE, TENANT, Server, Teams, words

WENDY, TARA = "worker@medway.example", "tm@medway.example"
PAY, LEVEL_3 = "how much is SCP 39?", "what do I need for level 3?"
FIRST = "msg-1"  # the first activity a test's Teams sends


@asynccontextmanager
async def slow_pay_question(core: WorkerCore) -> AsyncIterator[Handler]:
    """The real core, slower for the pay question: a later turn would overtake it if order were not kept."""
    async with core_in_worker(core) as answer:

        async def handle(incoming: Incoming, again: bool) -> Answered:
            if incoming.text == PAY:
                await asyncio.sleep(1.0)
            return await answer(incoming, again)

        yield handle


async def appeared(path: Path) -> None:
    while not path.exists():
        await asyncio.sleep(0.02)


async def ready_when_let(signals: Path) -> None:
    """In a worker: one started again (after a worker that got this far) gets ready only once the test
    has touched `let-ready`, so the test sees /readyz say it is down meanwhile, however fast it starts.
    The files cross from the test to the worker processes."""
    if (signals / "started").exists():
        await appeared(signals / "let-ready")
    (signals / "started").touch()


@asynccontextmanager
async def stuck_before_the_core(core: WorkerCore, signals: Path) -> AsyncIterator[Handler]:
    """The real core, but the first activity's first attempt never reaches it: it is in the worker, not
    yet taken by the core (`held` says so), when the worker is killed. A run after a restart (`again`)
    goes through."""
    await ready_when_let(signals)
    async with core_in_worker(core) as answer:

        async def handle(incoming: Incoming, again: bool) -> Answered:
            if incoming.event_id == FIRST and not again:
                (signals / "held").touch()
                await asyncio.Event().wait()
            return await answer(incoming, again)

        yield handle


@asynccontextmanager
async def stuck_after_the_core(core: WorkerCore, signals: Path) -> AsyncIterator[Handler]:
    """The real core, but the first activity's first attempt never returns once the core has committed
    it: the worker is killed with the answer made and not yet sent back."""
    await ready_when_let(signals)
    async with core_in_worker(core) as answer:

        async def handle(incoming: Incoming, again: bool) -> Answered:
            replies = await answer(incoming, again)
            if incoming.event_id == FIRST and not again:
                await asyncio.Event().wait()
            return replies

        yield handle


@asynccontextmanager
async def failing(_core: WorkerCore) -> AsyncIterator[Handler]:
    """A worker whose every core turn raises, standing in for a bug in the core."""

    async def handle(incoming: Incoming, _again: bool) -> Answered:
        raise RuntimeError(f"no answer for {incoming.event_id}")

    yield handle


Deploy = Callable[[Factory], Awaitable[tuple[Teams, Workers, PathwayBot]]]


@pytest.fixture
async def deploy(runtime: Runtime, connector: BotConnector, aiohttp_server: Server) -> AsyncIterator[Deploy]:
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = runtime.settings.model_copy(update={"teams_answer_processes": 1, "pathway_database_url": url})
    fake = await aiohttp_server(connector.app())
    servers: list[TestServer] = []

    async with aiohttp.ClientSession() as client:

        async def started(factory: Factory) -> tuple[Teams, Workers, PathwayBot]:
            app = web.Application()
            deployed = Runtime(settings, runtime.library, runtime.sessions)
            assert "teams: on" in mount(app, deployed, factory)
            app.router.add_get("/readyz", Readiness(deployed, None).answer)
            server = TestServer(app, host="127.0.0.1", port=0)
            await server.start_server()
            servers.append(server)
            teams = Teams(client, str(server.make_url("")).rstrip("/"), str(fake.make_url("")).rstrip("/"),
                          connector)  # fmt: skip
            found = app[WORKERS_KEY]
            await until(lambda: found.workers[0] is not None and found.workers[0].ready, "no worker started")
            return teams, found, app[TEAMS_BOT_KEY]

        yield started
    for server in servers:
        await server.close()


async def until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


async def test_a_message_is_answered_by_the_core_in_a_worker(deploy: Deploy, runtime: Runtime) -> None:
    teams, workers, _bot = await deploy(core_in_worker)
    answer = await teams.say(WENDY, PAY)
    assert "£32,800" in words(answer)
    assert workers.next_id == 1  # the turn went to the worker, not to a thread here
    with runtime.sessions() as session:  # the worker's own connection recorded the activity
        assert not first_delivery(session, "teams", "msg-1")


async def test_one_persons_messages_are_answered_in_the_order_sent(deploy: Deploy) -> None:
    teams, workers, _bot = await deploy(slow_pay_question)
    first = asyncio.ensure_future(teams.say(WENDY, PAY))
    await until(lambda: workers.next_id == 1, "the first message never reached the worker")
    await teams.say(WENDY, LEVEL_3)
    await first
    log = [r.text for r in teams.connector.log if r.conversation == teams.personal(WENDY)]
    assert len(log) == 2
    assert "£32,800" in log[0]  # the pay answer went first, though the second question was quicker
    assert "To reach Level 3" in log[1] and "£32,800" not in log[1]


async def test_one_persons_turns_reach_the_core_in_the_order_they_came(
    deploy: Deploy, connector: BotConnector
) -> None:
    """The second message overtook the first when the first's sender look-up was slower: the order was
    taken only once the sender was known."""
    teams, workers, bot = await deploy(core_in_worker)
    slow = connector.hold_next_lookup()
    pay = asyncio.ensure_future(teams.say(WENDY, PAY))
    await until(lambda: len(connector.lookups) == 1, "the first message was never looked up")
    level_3 = asyncio.ensure_future(teams.say(WENDY, LEVEL_3))
    wendy = f"{TENANT}:{PEOPLE[WENDY][1]}"
    # The second has come and waits behind the first, or it has gone to the core before it.
    await until(lambda: bot.order.in_line(wendy) == 2 or workers.next_id > 0, "the second never came")
    slow.set()
    await asyncio.gather(pay, level_3)
    log = personal_log(teams, WENDY)
    assert len(log) == 2
    assert "£32,800" in log[0] and "To reach Level 3" in log[1]


def worker_pid(workers: Workers) -> int:
    worker = workers.workers[0]
    assert worker is not None and worker.process.pid is not None
    return worker.process.pid


async def readyz(teams: Teams) -> tuple[int, str]:
    """/readyz's status and what it says of the Teams workers."""
    async with teams.client.get(f"{teams.bot_url}/readyz") as response:
        return response.status, (await response.json())["checks"]["teams_workers"]


def personal_log(teams: Teams, email: str) -> list[str]:
    return [r.text for r in teams.connector.log if r.conversation == teams.personal(email)]


async def killed(teams: Teams, workers: Workers, signals: Path) -> None:
    """SIGKILL the worker (no clean-up runs in it) and see /readyz say so until another is up (the
    next worker waits to get ready until it is let: `ready_when_let`)."""
    first = worker_pid(workers)
    os.kill(first, signal.SIGKILL)
    await until(lambda: worker_pid(workers) != first or not workers.workers[0].process.is_alive(),  # type: ignore[union-attr]
                "the worker did not die")  # fmt: skip
    assert await readyz(teams) == (503, "teams worker(s) 0 not ready")
    await until(lambda: worker_pid(workers) != first, "no worker was started in its place")
    assert await readyz(teams) == (503, "teams worker(s) 0 not ready")
    (signals / "let-ready").touch()


async def test_a_worker_killed_before_the_core_took_its_turns_answers_each_once_after_the_restart(
    deploy: Deploy, runtime: Runtime, tmp_path: Path
) -> None:
    teams, workers, _bot = await deploy(partial(stuck_before_the_core, signals=tmp_path))
    assert await readyz(teams) == (200, "ok")
    # The first in the worker, which the core has not taken; the second sent after it (two requests
    # sent at once may come in either order) and handed to the worker behind it.
    asking = [asyncio.ensure_future(teams.say(WENDY, PAY))]
    await until((tmp_path / "held").exists, "the first turn never reached the worker")
    asking.append(asyncio.ensure_future(teams.say(WENDY, LEVEL_3)))
    await until(lambda: len(workers.workers[0].running) == 2, "the second turn never reached the worker")  # type: ignore[union-attr]
    assert not any(task.done() for task in asking)
    await killed(teams, workers, tmp_path)
    pay, level_3 = await asyncio.gather(*asking)  # the requests Teams made are answered, in the end
    assert "£32,800" in words(pay) and "To reach Level 3" in words(level_3)
    log = personal_log(teams, WENDY)
    assert len(log) == 2  # each once, in the order sent
    assert "£32,800" in log[0] and "To reach Level 3" in log[1]
    await until(
        lambda: workers.workers[0] is not None and workers.workers[0].ready, "the new worker never got ready"
    )
    assert await readyz(teams) == (200, "ok")
    assert "£32,800" in words(await teams.say(TARA, PAY))  # the new worker answers the next turn


async def test_a_worker_killed_after_the_core_committed_a_turn_tells_the_person_once(
    deploy: Deploy, runtime: Runtime, tmp_path: Path
) -> None:
    teams, workers, _bot = await deploy(partial(stuck_after_the_core, signals=tmp_path))
    asking = asyncio.ensure_future(teams.say(WENDY, PAY))

    def committed() -> bool:
        with runtime.sessions() as session:
            return (
                session.scalar(select(HandledEvent.event_id).where(HandledEvent.event_id == FIRST))
                is not None
            )

    await until(committed, "the core never handled the turn")
    await killed(teams, workers, tmp_path)
    answer = await asyncio.wait_for(asking, 60)
    # The core recognises the activity and says nothing again; the answer it made died with the worker,
    # and the person is told so, once, rather than left without a reply.
    assert [m.text for m in answer] == [INTERRUPTED.text]
    assert personal_log(teams, WENDY) == [INTERRUPTED.text]


async def test_a_core_that_raises_in_a_worker_is_told_to_the_person(deploy: Deploy) -> None:
    teams, workers, _bot = await deploy(failing)
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
