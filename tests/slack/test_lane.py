"""The event lane (bot/slack/lane.py): messages and mentions are queued straight after their signature is
checked, without bolt's per-request dispatch; everything else, and any message the lane cannot take as
bolt would, is still bolt's. The other Slack tests run through the lane too (mount serves it)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.runtime import Runtime
from bot.slack import mount as slack_mount
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import SlackWorkspace


class Counted(SlackWorkspace):
    dispatched: list[str]


@pytest.fixture
async def counted(runtime: Runtime, fake_slack: FakeSlackApi) -> AsyncIterator[Counted]:
    """Pathway as served, with each request bolt dispatches noted (its payload's type)."""
    app = web.Application()
    slack_mount.mount(app, runtime)
    bolt = app[slack_mount.SLACK_KEY].bolt
    dispatched: list[str] = []
    dispatch: Callable[[AsyncBoltRequest], Awaitable[BoltResponse]] = bolt.async_dispatch

    async def noting(request: AsyncBoltRequest) -> BoltResponse:
        body: dict[str, Any] = request.body
        dispatched.append(str(body.get("event", {}).get("type") or body.get("type") or body.get("command")))
        return await dispatch(request)

    bolt.async_dispatch = noting  # type: ignore[method-assign]
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        turns = app[slack_mount.SLACK_KEY].turns
        workspace = Counted(str(server.make_url("/slack/events")), fake_slack, http, turns)
        workspace.dispatched = dispatched
        yield workspace
        await workspace.settle()
    await server.close()


async def test_messages_and_mentions_are_answered_without_bolts_dispatch(counted: Counted) -> None:
    assert (await counted.dm("UWORKER", "how much is SCP 39?")).status == 200
    assert (await counted.mention("UMANAGER", "how much is SCP 39?")).status == 200
    await counted.settle()
    assert "£32,800" in counted.last_post("DWORKER")["text"]
    assert "£32,800" in counted.last_post("C0GENERAL")["text"]
    assert counted.dispatched == []


async def test_everything_else_is_still_bolts(counted: Counted) -> None:
    challenge = json.dumps({"type": "url_verification", "token": "legacy", "challenge": "c-123"})
    verified = await counted.post(challenge, "application/json")
    assert verified.status == 200 and "c-123" in await verified.text()
    assert (await counted.command("UWORKER", "help")).status == 200
    home = {"type": "app_home_opened", "user": "UWORKER", "channel": "DWORKER", "tab": "home"}
    assert (await counted.event(home)).status == 200
    await counted.settle()
    assert counted.dispatched == ["url_verification", "/pathway", "app_home_opened"]
    assert counted.fake.of("views.publish")


async def test_a_message_the_lane_cannot_verify_is_refused_by_bolt(counted: Counted) -> None:
    forged = await counted.dm("UWORKER", "how much is SCP 39?", secret="not-the-secret")
    stale = await counted.dm("UWORKER", "how much is SCP 39?", timestamp=1)
    assert (forged.status, stale.status) == (401, 401)
    assert counted.dispatched == ["message", "message"]
    await counted.settle()
    assert not counted.posts("DWORKER")
