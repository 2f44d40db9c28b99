"""Under load: a full backlog sheds new events with 503 (Slack retries them), and turns can run in
worker processes so acknowledgements never wait for answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.runtime import Runtime
from bot.slack.mount import SLACK_KEY, bolt_app, events_handler, mount
from storage.tables import Identity
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import TEAM, SlackWorkspace


@pytest.fixture
async def small_workspace(runtime: Runtime, fake_slack: FakeSlackApi) -> AsyncIterator[SlackWorkspace]:
    """Pathway allowed one unanswered turn at a time."""
    slack = bolt_app(runtime.settings, runtime.conversation("slack"), max_backlog=1)
    app = web.Application()
    app.router.add_post("/slack/events", events_handler(slack.bolt))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        workspace = SlackWorkspace(str(server.make_url("/slack/events")), fake_slack, http, slack.turns)
        yield workspace
        await workspace.settle()
    await slack.turns.close()
    await server.close()


async def test_a_full_backlog_refuses_events_and_slacks_retry_is_answered(
    small_workspace: SlackWorkspace, fake_slack: FakeSlackApi
) -> None:
    fake_slack.latency = 0.3  # keep the first turn busy
    first = await small_workspace.dm("UWORKER", "how much is SCP 39?", event_id="Ev0FIRST")
    await asyncio.sleep(0.05)  # its listener is now waiting on the (slow) Web API
    second = await small_workspace.dm("UMANAGER", "how much is SCP 39?", event_id="Ev0SECOND")
    assert (first.status, second.status) == (200, 503)
    await small_workspace.settle()
    retried = await small_workspace.dm("UMANAGER", "how much is SCP 39?", event_id="Ev0SECOND", retry=1)
    assert retried.status == 200
    await small_workspace.settle()
    assert "£32,800" in small_workspace.last_post("DWORKER")["text"]
    assert "£32,800" in small_workspace.last_post("DMANAGER")["text"]


async def test_event_turns_run_whole_in_a_worker_process(runtime: Runtime, fake_slack: FakeSlackApi) -> None:
    """SLACK_ANSWER_PROCESSES=1: the server acknowledges; a worker process finds the person, runs the core
    and posts the answer itself (its own Web API client and database connections)."""
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = runtime.settings.model_copy(update={"slack_answer_processes": 1, "pathway_database_url": url})
    app = web.Application()
    assert "slack: on" in mount(app, Runtime(settings, runtime.library, runtime.sessions))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            workspace = SlackWorkspace(
                str(server.make_url("/slack/events")), fake_slack, http, app[SLACK_KEY].turns
            )
            response = await workspace.dm("UWORKER", "how much is SCP 39?", event_id="Ev0WORKER")
            assert response.status == 200
            await workspace.settle(timeout=60)  # the first turn waits for the worker to start
            retried = await workspace.dm("UWORKER", "how much is SCP 39?", event_id="Ev0WORKER", retry=1)
            assert retried.status == 200
            await workspace.settle()
    finally:
        await server.close()
    assert "£32,800" in workspace.last_post("DWORKER")["text"]
    assert len(workspace.posts("DWORKER")) == 1  # the retry was recognised in the worker too
    with runtime.sessions() as session:
        assert session.scalars(select(Identity.address)).one() == {
            "team": TEAM,
            "user": "UWORKER",
            "channel": "DWORKER",
        }
