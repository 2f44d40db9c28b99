"""The real bolt app on the real aiohttp server (loopback, free port), requests signed exactly as Slack
signs them, and a fake Slack Web API recording what the bot sends."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from itertools import count
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatch import Dispatcher
from bot.operations import link_workspace
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack import mount as slack_mount
from bot.slack.turns import SlackTurns
from knowledge.library import Library
from tests import official_schemas
from tests.dialogs.conftest import library, sessions  # the transcripts' packs and roster
from tests.fakes.slack_api import FakeSlackApi

__all__ = ["library", "sessions"]  # fixtures, re-exported for pytest

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
IDS = count(1)
TEAM = "T0MEDWAY"
PEOPLE = {
    "UWORKER": "worker@medway.example",
    "UMANAGER": "tm@medway.example",
    "USERVICE": "sm@medway.example",
    "UHR": "hr@medway.example",
    "USTRANGER": "stranger@medway.example",
}


def sign(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature: v0 HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class SlackWorkspace:
    """Plays Slack's side: delivers signed events, clicks and submissions; reads what the bot sent."""

    def __init__(
        self,
        url: str,
        fake: FakeSlackApi,
        http: aiohttp.ClientSession,
        turns: SlackTurns,
        team: str = TEAM,
        enterprise: str | None = None,
    ) -> None:
        self.url = url
        self.fake = fake
        self.http = http
        self.turns = turns
        self.team = team  # the workspace its people write in
        self.enterprise = enterprise  # its Enterprise Grid organisation, where Pathway is installed org-wide
        self.ids = IDS  # event ids unique across workspaces: a repeated one is a retry, answered once

    # -- deliveries -----------------------------------------------------------------------------

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None, **signing: Any
    ) -> aiohttp.ClientResponse:
        all_headers = {"Content-Type": content_type, **sign(body, **signing), **(headers or {})}
        async with self.http.post(self.url, data=body.encode(), headers=all_headers) as response:
            await response.read()
            return response

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None, **signing: Any
    ) -> aiohttp.ClientResponse:
        envelope = {
            "token": "legacy",
            "team_id": self.team,
            "api_app_id": "A0PATHWAY",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self.ids):08d}",
            "event_time": int(time.time()),
            "event": {"team": self.team, "event_ts": f"{time.time():.6f}", **event},
            **self._grid(),
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return await self.post(json.dumps(envelope), "application/json", headers, **signing)

    async def dm(
        self, user: str, text: str, files: list[dict[str, Any]] | None = None, **options: Any
    ) -> aiohttp.ClientResponse:
        """A DM; with `files` (fake.share's file objects) the message shares them, as Slack sends it."""
        event = {"type": "message", "channel_type": "im", "channel": "D" + user[1:], "user": user,
                 "text": text, "ts": f"{time.time():.6f}"}  # fmt: skip
        if files:
            event.update(subtype="file_share", files=files)
        return await self.event(event, **options)

    async def mention(self, user: str, text: str, channel: str = "C0GENERAL") -> aiohttp.ClientResponse:
        event = {"type": "app_mention", "channel": channel, "user": user,
                 "text": f"<@UPATHWAYBOT> {text}", "ts": f"{time.time():.6f}"}  # fmt: skip
        return await self.event(event)

    def _grid(self) -> dict[str, Any]:
        """What Slack adds to a payload from an Enterprise Grid where the app is installed org-wide."""
        if self.enterprise is None:
            return {}
        return {"enterprise_id": self.enterprise, "is_enterprise_install": True,
                "authorizations": [{"enterprise_id": self.enterprise, "team_id": None, "user_id": "UPATHWAYBOT",
                                    "is_bot": True, "is_enterprise_install": True}]}  # fmt: skip

    async def interactive(self, payload: dict[str, Any], **signing: Any) -> aiohttp.ClientResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **signing)

    async def click(
        self, user: str, posted: dict[str, Any], label: str, line: str | None = None
    ) -> aiohttp.ClientResponse:
        """Click the button labelled `label` on a message the bot posted (as recorded by the fake);
        `line`: the button beside that line of a card (an evidence item's Open)."""
        element = find_button(posted["blocks"], label, line)
        channel = posted["channel"]
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": self.team},
            "team": {"id": self.team},
            "api_app_id": "A0PATHWAY",
            "trigger_id": f"trigger-{next(self.ids)}",
            "container": {"type": "message", "message_ts": posted["ts"], "channel_id": channel},
            "channel": {"id": channel},
            "message": {"ts": posted["ts"], "text": posted.get("text", "")},
            "response_url": self.fake.base_url.replace("/api/", f"/respond/{next(self.ids)}"),
            "actions": [{**element, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
        }
        return await self.interactive(payload)

    async def submit(
        self,
        user: str,
        view: dict[str, Any],
        values: dict[str, str],
        files: dict[str, list[dict[str, Any]]] | None = None,
    ) -> aiohttp.ClientResponse:
        """Submit the modal `view`: `values` typed (or, in a date or time picker, chosen: YYYY-MM-DD, HH:MM), `files`
        (by block) uploaded in its file inputs."""
        kinds = {b.get("block_id"): b.get("element", {}).get("type") for b in view.get("blocks", [])}
        picked = {"datepicker": "selected_date", "timepicker": "selected_time"}  # what each picker sends
        state: dict[str, Any] = {
            name: {"value": {"type": kinds[name], picked[kinds[name]]: value}}
            if kinds.get(name) in picked
            else {"value": {"type": "plain_text_input", "value": value}}
            for name, value in values.items()
        }
        for name, uploaded in (files or {}).items():
            state[name] = {"value": {"type": "file_input", "files": uploaded}}
        payload = {
            "type": "view_submission",
            "user": {"id": user, "team_id": self.team},
            "team": {"id": self.team},
            "api_app_id": "A0PATHWAY",
            # Slack keeps a modal's id across its submissions; a view without one is a new modal.
            "view": {"id": f"V{next(self.ids)}", **view, "state": {"values": state}},
        }
        return await self.interactive(payload)

    async def command(self, user: str, text: str) -> aiohttp.ClientResponse:
        body = urlencode({"command": "/pathway", "text": text, "team_id": self.team, "user_id": user,
                          "channel_id": "C0GENERAL", "trigger_id": f"trigger-{next(self.ids)}",
                          "response_url": self.fake.base_url.replace("/api/", "/respond/cmd")})  # fmt: skip
        return await self.post(body, "application/x-www-form-urlencoded")

    # -- reading what the bot did --------------------------------------------------------------------

    async def settle(self, timeout: float = 20) -> None:
        """Wait until bolt has finished every listener it started and every queued turn is answered
        (the work done after the ack)."""
        deadline = time.monotonic() + timeout
        await asyncio.sleep(0.02)
        while time.monotonic() < deadline:
            busy = [
                t for t in asyncio.all_tasks() if not t.done() and "run_ack_function" in repr(t.get_coro())
            ]
            if not busy and self.turns.in_flight == 0:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("bolt listeners still running")

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """chat.postMessage calls (to `channel`), each with the ts the fake gave it."""
        found = []
        for (posted_channel, ts), params in self.fake.messages.items():
            if channel is None or posted_channel == channel:
                found.append({**params, "channel": posted_channel, "ts": ts})
        return found

    def last_post(self, channel: str) -> dict[str, Any]:
        posts = self.posts(channel)
        assert posts, f"nothing posted to {channel}; calls: {[c.method for c in self.fake.calls]}"
        return posts[-1]

    def texts(self, channel: str) -> str:
        return "\n".join(
            p.get("text", "") for p in self.fake.of("chat.postMessage") if p.get("channel") == channel
        )


def find_button(blocks: list[dict[str, Any]], label: str, line: str | None = None) -> dict[str, Any]:
    """The button labelled `label`; with `line`, the one beside the section whose text has `line`."""
    for block in blocks:
        accessory = block.get("accessory")
        if line is not None:
            if accessory and line.lower() in str(block.get("text", {}).get("text", "")).lower():
                return {k: accessory[k] for k in ("action_id", "value", "type") if k in accessory}
            continue
        for element in [*block.get("elements", []), *([accessory] if accessory else [])]:
            if element.get("type") == "button" and label.lower() in element["text"]["text"].lower():
                return {k: element[k] for k in ("action_id", "value", "type") if k in element}
    raise AssertionError(f"no button {label!r} in {json.dumps(blocks)[:2000]}")


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi(team_id=TEAM)
    for user, email in PEOPLE.items():
        fake.add_user(user, email, name=email.split("@")[0])
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def runtime(sessions: sessionmaker[Session], library: Library, fake_slack: FakeSlackApi) -> Runtime:
    settings = Settings(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                        slack_api_url=fake_slack.base_url, slack_app_token=None,
                        slack_answer_processes=0)  # fmt: skip  # threads: the test's own database session
    runtime = Runtime(settings, library, sessions)
    link_workspace(runtime, "medway", "slack", TEAM)
    return runtime


@pytest.fixture
async def workspace(runtime: Runtime, fake_slack: FakeSlackApi) -> AsyncIterator[SlackWorkspace]:
    app = web.Application()
    note = slack_mount.mount(app, runtime)
    assert "slack: on" in note
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        turns = app[slack_mount.SLACK_KEY].turns
        workspace = SlackWorkspace(str(server.make_url("/slack/events")), fake_slack, http, turns)
        yield workspace
        await workspace.settle()
    await server.close()
    for problem in sent_block_kit_problems(fake_slack):  # every message and modal the bot sent is valid
        raise AssertionError(problem)


def sent_block_kit_problems(fake: FakeSlackApi) -> list[str]:
    """Block Kit problems (official_schemas.block_kit_problems) in everything sent to the fake Slack."""
    found = []
    for call in fake.calls:
        if call.method in ("chat.postMessage", "chat.update", "response_url") and call.params.get("blocks"):
            found += [
                f"{call.method}: {p}" for p in official_schemas.block_kit_problems(call.params["blocks"])
            ]
        if call.method in ("views.open", "views.publish", "views.update") and call.params.get("view"):
            found += [
                f"{call.method}: {p}" for p in official_schemas.block_kit_problems(view=call.params["view"])
            ]
    return found


@pytest.fixture
async def dispatch(runtime: Runtime) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """Deliver everything due in the outbox through the real Slack sender (one dispatcher pass)."""
    senders = slack_mount.senders(runtime)
    yield Dispatcher(runtime.sessions, {s.channel: s for s in senders}).run_once
    for sender in senders:
        await sender.close()
