"""Socket Mode (SLACK_APP_TOKEN set): Pathway connects out to Slack (apps.connections.open, then the
WebSocket it names), acknowledges each event envelope and answers it, against the loopback fake."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from sqlalchemy.orm import Session, sessionmaker

from bot.operations import link_workspace
from bot.readiness import CONNECTION_CHECKS, Readiness
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack import mount as slack_mount
from knowledge.library import Library
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlackApi
from tests.slack.conftest import SECRET, TEAM
from tests.slack.test_oauth import BCC, MEDWAY, Deployment, fake, posts_to, token_of  # noqa: F401  (fixture)


async def test_an_event_over_socket_mode_is_acknowledged_and_answered(
    runtime: Runtime, fake_slack: FakeSlackApi
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"slack_app_token": "xapp-1-test"})
    app = web.Application()
    assert slack_mount.mount(app, runtime) == "slack: on (Socket Mode; one workspace (SLACK_BOT_TOKEN))"
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()  # connects out at start-up
    try:
        [opened] = [c for c in fake_slack.calls if c.method == "apps.connections.open"]
        assert opened.token == "xapp-1-test"  # the app-level token, not the bot token
        event = {"type": "message", "channel_type": "im", "channel": "DWORKER", "user": "UWORKER",
                 "text": "how much is SCP 39?", "ts": f"{time.time():.6f}", "team": TEAM}  # fmt: skip
        body = {"type": "event_callback", "team_id": TEAM, "api_app_id": "A0PATHWAY", "event_id": "Ev0SOCKET1",
                "event_time": int(time.time()), "event": event}  # fmt: skip
        envelope = await fake_slack.push(body)
        deadline = time.monotonic() + 20
        while not [p for p in fake_slack.of("chat.postMessage") if p.get("channel") == "DWORKER"]:
            assert time.monotonic() < deadline, "no answer over Socket Mode"
            await asyncio.sleep(0.05)
        assert envelope in fake_slack.acknowledged
        [answer] = [p for p in fake_slack.of("chat.postMessage") if p.get("channel") == "DWORKER"]
        assert "39" in answer["text"] and "Source" in json.dumps(answer["blocks"])
    finally:
        await server.close()
    assert fake_slack.sockets == []  # the connection is closed when the server stops


async def test_readyz_reports_the_socket_mode_connection(runtime: Runtime, fake_slack: FakeSlackApi) -> None:
    runtime.settings = runtime.settings.model_copy(update={"slack_app_token": "xapp-1-test"})
    app = web.Application()
    slack_mount.mount(app, runtime)
    app.router.add_get("/readyz", Readiness(runtime, None).answer)
    [check] = app[CONNECTION_CHECKS].values()
    assert (await check()).startswith("not connected")  # before the server has connected out
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with ClientSession() as client, client.get(server.make_url("/readyz")) as answer:
            body = await answer.json()
        assert body["checks"]["slack_socket_mode"] == "ok" and answer.status == 200, body
    finally:
        await server.close()
    assert (await check()).startswith("not connected")


async def test_socket_mode_with_oauth_answers_each_installed_workspace_with_its_own_token(
    sessions: sessionmaker[Session],
    library: Library,
    fake: FakeSlackApi,  # noqa: F811
) -> None:
    """Several workspaces over Socket Mode: installs still come through /slack/install (HTTP), and each
    event arriving on the socket is authorised by its workspace's installation in the store."""
    settings = Settings(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET, slack_signing_secret=SECRET,
                        slack_api_url=fake.base_url, slack_answer_processes=0, slack_app_token="xapp-1-test")  # fmt: skip
    runtime = Runtime(settings, library, sessions)
    app = web.Application()
    assert (
        slack_mount.mount(app, runtime)
        == "slack: on (Socket Mode; workspaces installed at GET /slack/install)"
    )
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    fake.redirect_uri = str(server.make_url("/slack/oauth_redirect"))
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[str(server.make_url("/"))])
    try:
        async with aiohttp.ClientSession(cookie_jar=jar) as browser:
            deployment = Deployment(runtime, fake, server, browser, app)
            for org, install in (("medway", MEDWAY), ("bcc", BCC)):
                link_workspace(runtime, org, "slack", str(install.team))
                assert (await deployment.install(install))[0] == 200
            for team, user in (("T0MEDWAY", "UWORKER"), ("T0BCC", "UWILL")):
                event = {"type": "message", "channel_type": "im", "channel": "D" + user[1:], "user": user,
                         "text": "how much is SCP 39?", "ts": f"{time.time():.6f}", "team": team}  # fmt: skip
                body = {"type": "event_callback", "team_id": team, "api_app_id": "A0PATHWAY",
                        "event_id": f"Ev0SOCKET{team}", "event_time": int(time.time()), "event": event}  # fmt: skip
                envelope = await fake.push(body)
                deadline = time.monotonic() + 20
                while not posts_to(fake, "D" + user[1:]):
                    assert time.monotonic() < deadline, f"no answer over Socket Mode for {team}"
                    await asyncio.sleep(0.05)
                assert envelope in fake.acknowledged
                [(token, _text)] = posts_to(fake, "D" + user[1:])
                assert token == token_of(fake, team)  # that workspace's own bot token, from the store
    finally:
        await server.close()
