"""Event turns answered in worker processes (SLACK_ANSWER_PROCESSES=1), through the real bolt stack over
loopback: order kept per person, a worker that dies restarted and its turn answered, a turn that fails
in a worker told to the person, /readyz showing the workers."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.readiness import CONNECTION_CHECKS
from bot.runtime import Runtime
from bot.slack.mount import SLACK_KEY, mount
from bot.slack.turns import MAY_BE_UNANSWERED, NOT_ANSWERED, Place, TurnInput, Workspace
from bot.slack.workers import EventWorkers, answerer
from bot.workers import Factory, Handler, WorkerCore, WorkerLoop, Workers
from storage.tables import Identity
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import TEAM, SlackWorkspace

QUESTIONS = ["how much is SCP 39?", "what do I need for level 3?", "who signs off my progression?"]


@dataclass
class Deployment:
    slack: SlackWorkspace
    app: web.Application
    server: TestServer

    @property
    def workers(self) -> Workers:
        events = self.app[SLACK_KEY].turns.events
        assert isinstance(events, EventWorkers)
        return events.workers

    def worker_pid(self) -> int:
        worker = self.workers.workers[0]
        assert worker is not None and worker.process.pid is not None
        return worker.process.pid

    async def ready(self) -> str:
        [check] = self.app[CONNECTION_CHECKS].values()
        return await check()

    async def until(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, what
            await asyncio.sleep(0.02)


@pytest.fixture
async def deployment(runtime: Runtime, fake_slack: FakeSlackApi) -> AsyncIterator[Deployment]:
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = runtime.settings.model_copy(update={"slack_answer_processes": 1, "pathway_database_url": url})
    app = web.Application()
    assert "slack: on" in mount(app, Runtime(settings, runtime.library, runtime.sessions))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        slack = SlackWorkspace(str(server.make_url("/slack/events")), fake_slack, http, app[SLACK_KEY].turns)
        deployment = Deployment(slack, app, server)
        await deployment.until(lambda: deployment.workers.workers[0].ready, "the worker did not start")  # type: ignore[union-attr]
        yield deployment
    await server.close()


async def test_event_turns_run_whole_in_a_worker_process(deployment: Deployment, runtime: Runtime) -> None:
    """The server acknowledges; the worker finds the person, runs the core and posts the answer itself
    (its own Web API client and database connections), and knows a Slack retry it already answered."""
    slack = deployment.slack
    assert (await slack.dm("UWORKER", "how much is SCP 39?", event_id="Ev0WORKER")).status == 200
    await slack.settle(timeout=60)
    assert (await slack.dm("UWORKER", "how much is SCP 39?", event_id="Ev0WORKER", retry=1)).status == 200
    await slack.settle()
    assert "£32,800" in slack.last_post("DWORKER")["text"]
    assert len(slack.posts("DWORKER")) == 1  # the retry was recognised in the worker too
    with runtime.sessions() as session:
        assert session.scalars(select(Identity.address)).one() == {
            "team": TEAM,
            "user": "UWORKER",
            "channel": "DWORKER",
        }


async def test_a_stopping_worker_closes_its_connections(runtime: Runtime, fake_slack: FakeSlackApi) -> None:
    """A worker told to stop closes its Web API connection pool itself once its turns are done, rather
    than leaving it to the garbage collector, which reported "Unclosed client session" and "Unclosed
    connector" at every shutdown. The worker's loop is run here, on this test's loop and a real pipe, so
    the collector can be made to run at once and whatever it would report is seen."""
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(str(context.get("message"))))
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    ours, theirs = multiprocessing.Pipe()
    worker = asyncio.ensure_future(
        WorkerLoop(theirs).run(
            answerer, WorkerCore(runtime.settings.model_copy(update={"pathway_database_url": url}), "slack")
        )
    )
    try:
        assert await asyncio.to_thread(ours.recv) == [("ready",)]
        turn = TurnInput(Workspace(TEAM), "UWORKER", Place(channel="DWORKER", direct=True),
                         text="how much is SCP 39?", event_id="Ev0CLOSING")  # fmt: skip
        ours.send([("turn", 1, "k", "Ev0CLOSING", turn, False)])
        assert await asyncio.to_thread(ours.recv) == [("done", 1, None, None)]
        assert fake_slack.of("chat.postMessage")  # the pool holds a connection to the fake now
        ours.send([("stop",)])
        await worker
    finally:
        loop.set_exception_handler(None)
    del worker
    gc.collect()  # what the worker held and did not close is reported now
    assert not [message for message in reported if "Unclosed" in message], reported


async def test_a_worker_outlives_a_stop_signal_meant_for_the_whole_service(deployment: Deployment) -> None:
    """systemd's SIGTERM (and a terminal's SIGINT) reaches every process of the service at once: the
    worker leaves stopping to the server, which drains it, rather than dying in the middle of its turns."""
    first = deployment.worker_pid()
    os.kill(first, signal.SIGTERM)
    os.kill(first, signal.SIGINT)
    assert (await deployment.slack.dm("UWORKER", "how much is SCP 39?", event_id="Ev0SIGNAL")).status == 200
    await deployment.slack.settle(timeout=60)
    assert answered(deployment.slack, "DWORKER", "£32,800") == 1
    assert deployment.worker_pid() == first and await deployment.ready() == "ok"


def answered(slack: SlackWorkspace, channel: str, text: str) -> int:
    return sum(text in post.get("text", "") for post in slack.posts(channel))


async def test_one_persons_messages_are_answered_in_the_order_sent(deployment: Deployment) -> None:
    slack = deployment.slack
    for n in range(9):  # three people, three questions each, interleaved
        user = ("UWORKER", "UMANAGER", "UHR")[n % 3]
        assert (await slack.dm(user, QUESTIONS[n // 3], event_id=f"Ev0ORDER{n}")).status == 200
    await slack.settle(timeout=60)
    for channel in ("DWORKER", "DMANAGER", "DHR"):
        posts = slack.posts(channel)
        assert len(posts) == 3
        assert "£" in posts[0]["text"]  # the pay question was asked first, and answered first


async def test_a_worker_killed_before_the_core_ran_is_restarted_and_the_turn_answered_once(
    deployment: Deployment, fake_slack: FakeSlackApi
) -> None:
    fake_slack.latency = 1.0  # the worker is waiting on users.info (first contact) when it is killed
    first = deployment.worker_pid()
    assert (await deployment.slack.dm("UWORKER", "how much is SCP 39?", event_id="Ev0KILLED")).status == 200
    await deployment.until(lambda: bool(fake_slack.of("users.info")), "the worker never asked who it was")
    os.kill(first, signal.SIGKILL)
    fake_slack.latency = 0.0
    await deployment.until(lambda: deployment.worker_pid() != first, "no new worker")
    assert await deployment.ready() == "slack worker(s) 0 not ready"  # still loading its packs
    await deployment.slack.settle(timeout=60)
    assert answered(deployment.slack, "DWORKER", "£32,800") == 1
    assert answered(deployment.slack, "DWORKER", MAY_BE_UNANSWERED.text) == 0
    assert await deployment.ready() == "ok"


async def test_a_worker_killed_after_the_core_took_the_turn_says_the_answer_may_be_lost(
    deployment: Deployment, fake_slack: FakeSlackApi
) -> None:
    slack = deployment.slack
    assert (await slack.dm("UWORKER", "how much is SCP 39?", event_id="Ev0WARM")).status == 200
    await slack.settle(timeout=60)  # the person is known now: the next turn goes straight to the core
    fake_slack.latency = 1.0
    first = deployment.worker_pid()
    assert (await slack.dm("UWORKER", "what do I need for level 3?", event_id="Ev0POSTING")).status == 200
    await deployment.until(lambda: len(fake_slack.of("chat.postMessage")) == 2, "the answer was never posted")
    os.kill(first, signal.SIGKILL)  # the core has committed the turn; its answer is on the wire
    fake_slack.latency = 0.0
    await slack.settle(timeout=60)
    assert deployment.worker_pid() != first
    assert answered(slack, "DWORKER", MAY_BE_UNANSWERED.text) == 1  # not silently dropped, not answered twice


@asynccontextmanager
async def failing(_core: WorkerCore) -> AsyncIterator[Handler]:
    """A worker whose every turn raises, standing in for a bug in a turn."""

    async def handle(turn: TurnInput, _again: bool) -> None:
        raise RuntimeError(f"no answer for {turn.event_id}")

    yield handle


@asynccontextmanager
async def dying(_core: WorkerCore) -> AsyncIterator[Handler]:
    """A worker that dies on every turn, standing in for a turn that crashes the interpreter."""

    async def handle(_turn: TurnInput, _again: bool) -> None:
        os._exit(3)

    yield handle


@pytest.mark.parametrize("factory", [failing, dying], ids=["raises", "kills its worker"])
async def test_a_turn_that_fails_in_a_worker_is_told_to_the_person(
    runtime: Runtime, fake_slack: FakeSlackApi, factory: Factory
) -> None:
    from bot.slack.mount import bolt_app, events_handler

    events = EventWorkers(runtime.settings, 1, factory)
    slack_app = bolt_app(runtime.settings, runtime.conversation("slack"), events=events)
    app = web.Application()
    events.mount(app)
    app.router.add_post("/slack/events", events_handler(slack_app.bolt, slack_app.lane))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            slack = SlackWorkspace(str(server.make_url("/slack/events")), fake_slack, http, slack_app.turns)
            assert (await slack.dm("UWORKER", "how much is SCP 39?", event_id="Ev0FAILS")).status == 200
            await slack.settle(timeout=90)
            assert [post["text"] for post in slack.posts("DWORKER")] == [NOT_ANSWERED.text]
            deadline = time.monotonic() + 60
            while await events.workers.state() != "ok":  # a worker is there for the next turn
                assert time.monotonic() < deadline, await events.workers.state()
                await asyncio.sleep(0.05)
    finally:
        await slack_app.turns.close()
        await server.close()
