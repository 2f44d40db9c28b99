"""Under load: a full backlog sheds new events with 503 (Slack retries them); worker processes are
tested in test_workers.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.runtime import Runtime
from bot.slack.mount import bolt_app, events_handler
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import SlackWorkspace


@pytest.fixture(params=["lane", "bolt"])
async def small_workspace(
    runtime: Runtime, fake_slack: FakeSlackApi, request: pytest.FixtureRequest
) -> AsyncIterator[SlackWorkspace]:
    """Pathway allowed one unanswered turn at a time; messages taken by the event lane (as served), or
    all through bolt's middleware (as other events are)."""
    slack = bolt_app(runtime.settings, runtime.conversation("slack"), max_backlog=1)
    app = web.Application()
    app.router.add_post(
        "/slack/events", events_handler(slack.bolt, slack.lane if request.param == "lane" else None)
    )
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
