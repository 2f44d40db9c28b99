"""Teams is mounted only with credentials; the Emulator's auth-off mode is an explicit, loopback-only
opt-in; and no activity may send the bot to a `serviceUrl` that is not the Bot Framework's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select

from bot.app import build
from bot.operations import listening_host
from bot.runtime import Runtime
from bot.settings import Settings
from bot.teams.mount import allowed_service_url
from knowledge.library import Library
from storage.db import transaction
from storage.tables import HandledEvent, Identity
from tests.outage import unreachable_sessions
from tests.teams.conftest import Server, Teams

WORKER = "worker@medway.example"
SLACK_ONLY = {"slack_bot_token": "xoxb-only", "slack_signing_secret": "secret", "slack_app_token": None}


def stored(runtime: Runtime) -> int:
    with transaction(runtime.sessions) as session:
        return sum(
            int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (HandledEvent, Identity)
        )


async def test_a_slack_only_deployment_exposes_no_other_endpoint(
    runtime: Runtime, aiohttp_client: Any
) -> None:
    runtime.settings = Settings(_env_file=None, **SLACK_ONLY)
    app, notes = build(runtime, dispatch=False, reminders=False)
    posts = {route.resource.canonical for route in app.router.routes() if route.method == "POST"}
    assert posts == {"/slack/events"}  # bolt checks every request's signature
    client = await aiohttp_client(app)
    assert (await client.post("/api/messages", json={"type": "message"})).status == 404
    assert (await client.get("/api/web/organisations/medway/people")).status == 404
    assert any(note.startswith("teams: off") for note in notes)


async def test_a_forged_activity_cannot_send_the_bot_elsewhere(teams: Teams, runtime: Runtime) -> None:
    """The attack that recorded an approval: the bot looked the sender up at an attacker's serviceUrl."""
    for url in (
        "https://attacker.example/",
        "http://attacker.example/",
        "https://smba.trafficmanager.net.attacker.example/",
    ):
        activity = {**teams.activity(WORKER, text="status"), "serviceUrl": url}
        response = await teams.post(activity)
        assert response.status == 403, url
    assert teams.connector.log == [] and teams.connector.lookups == []
    assert stored(runtime) == 0


async def test_emulator_mode_refuses_requests_through_a_proxy(teams: Teams, runtime: Runtime) -> None:
    activity = teams.activity(WORKER, text="status")
    for headers in ({"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=203.0.113.7"}):
        assert (await teams.post(activity, headers=headers)).status == 403
    assert teams.connector.log == [] and stored(runtime) == 0


async def test_authenticated_mode_checks_the_service_url_before_anything_else(
    teams: Teams, runtime: Runtime, aiohttp_server: Server
) -> None:
    runtime.settings = Settings(
        _env_file=None,
        microsoft_app_id="app-id",
        microsoft_app_password="pw",
        microsoft_app_tenant_id="t",
        teams_answer_processes=0,
    )
    app, _notes = build(runtime, dispatch=False, reminders=False)
    server = await aiohttp_server(app)
    activity = teams.activity(WORKER, text="status")  # the fake connector: not a Bot Framework host
    async with (
        ClientSession() as client,
        client.post(server.make_url("/api/messages"), json=activity) as response,
    ):
        assert response.status == 403
    assert teams.connector.lookups == [] and stored(runtime) == 0


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://smba.trafficmanager.net/emea/", True),
        ("https://smba.trafficmanager.net/amer/", True),
        ("https://europe.webchat.botframework.com/", True),
        ("https://smba.infra.gcc.teams.microsoft.com/", True),
        ("http://smba.trafficmanager.net/emea/", False),  # never in clear
        ("https://botframework.com.attacker.example/", False),
        ("https://attacker.example/smba.trafficmanager.net", False),
        ("https://user@attacker.example/", False),
        ("https://[not-a-host/", False),
        ("file:///etc/passwd", False),
        ("http://127.0.0.1:3978/", False),  # loopback only when configured (tests, the Emulator)
    ],
)
def test_which_service_urls_are_the_bot_frameworks(url: str, allowed: bool) -> None:
    assert allowed_service_url(url, Settings(_env_file=None).pathway_teams_service_hosts) is allowed


async def test_while_the_database_is_away_teams_gets_503(
    teams: Teams, library: Library, aiohttp_server: Server
) -> None:
    dead = Runtime(
        Settings(_env_file=None, pathway_teams_emulator=True, teams_answer_processes=0),
        library,
        unreachable_sessions(),
    )
    app, _notes = build(dead, dispatch=False, reminders=False)
    server = await aiohttp_server(app)
    activity = teams.activity(WORKER, text="status")
    async with (
        ClientSession() as client,
        client.post(server.make_url("/api/messages"), json=activity) as response,
    ):
        assert response.status == 503
    assert teams.connector.log == []


def test_no_login_front_ends_keep_the_server_on_loopback() -> None:
    notes: list[str] = []
    assert listening_host("0.0.0.0", ["Teams in Emulator mode"], notes) == "127.0.0.1"
    assert "listening on 127.0.0.1 only" in notes[0] and "Teams in Emulator mode" in notes[0]
    assert listening_host("0.0.0.0", [], []) == "0.0.0.0"  # Slack and authenticated Teams: as configured
    assert listening_host("::1", ["the web chat"], []) == "::1"


async def test_an_unknown_charset_is_read_as_utf8_and_an_activity_without_an_id_gets_400(
    teams: Teams,
) -> None:
    activity = teams.activity(WORKER, text="status")
    url = f"{teams.bot_url}/api/messages"
    async with ClientSession() as client:
        body, odd = json.dumps(activity).encode(), "application/json; charset=nonsense"
        async with client.post(url, data=body, headers={"Content-Type": odd}) as response:
            assert response.status == 201  # the Bot Framework sends UTF-8 whatever the header says
        unanswerable = json.dumps({**activity, "id": None}).encode()  # nothing to reply to
        async with client.post(
            url, data=unanswerable, headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status == 400


@pytest.mark.parametrize(
    "extra",
    [
        {"type": "conversationUpdate", "membersAdded": [{"id": "x"}],
         "channelData": {"eventType": "teamMemberAdded", "team": []}},
        {"type": "conversationUpdate", "channelData": {"eventType": "channelCreated", "channel": []}},
        {"type": "conversationUpdate", "channelData": {"eventType": "teamRenamed", "team": []}},
    ],
)  # fmt: skip
async def test_channel_data_the_sdk_cannot_read_gets_400_not_a_failed_turn(
    teams: Teams, extra: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    response = await teams.post({**teams.activity(WORKER, text="hello"), **extra})
    assert response.status == 400
    assert not [record for record in caplog.records if record.exc_info]
