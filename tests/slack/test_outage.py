"""While the database is away nothing is acknowledged that cannot be kept: Slack is told to deliver
the event again later, and a click is told plainly that nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.runtime import Runtime
from bot.slack import mount as slack_mount
from knowledge.library import Library
from tests.fakes.slack_api import FakeSlackApi
from tests.outage import unreachable_sessions
from tests.slack.conftest import SlackWorkspace


@pytest.fixture
async def cut_off(
    runtime: Runtime, library: Library, fake_slack: FakeSlackApi
) -> AsyncIterator[SlackWorkspace]:
    """The Slack front-end of a server whose PostgreSQL cannot be reached."""
    dead = Runtime(runtime.settings, library, unreachable_sessions())
    app = web.Application()
    slack_mount.mount(app, dead)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        turns = app[slack_mount.SLACK_KEY].turns
        workspace = SlackWorkspace(str(server.make_url("/slack/events")), fake_slack, http, turns)
        yield workspace
        await workspace.settle()
    await server.close()


async def test_an_event_is_refused_with_a_retryable_status(cut_off: SlackWorkspace) -> None:
    response = await cut_off.dm("UWORKER", "how much is SCP 39?")
    assert response.status == 503  # Slack retries a delivery that was not answered 2xx
    await cut_off.settle()
    assert cut_off.fake.of("chat.postMessage") == []


async def test_a_click_is_told_nothing_changed(cut_off: SlackWorkspace) -> None:
    posted = {"channel": "DWORKER", "ts": "1700000000.000100", "text": "card",
              "blocks": [{"type": "actions", "elements": [{"type": "button", "action_id": "pw.act.approve",
                          "value": '{"name": "approve", "data": {"application": 1}}',
                          "text": {"type": "plain_text", "text": "Approve"}}]}]}  # fmt: skip
    response = await cut_off.click("UMANAGER", posted, "Approve")
    assert response.status == 200
    await cut_off.settle()
    said = " ".join(str(call.params.get("text", "")) for call in cut_off.fake.calls)
    assert "briefly unavailable" in said and "nothing was changed" in said
