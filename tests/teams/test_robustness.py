"""Bad input never crashes the endpoint: malformed activities get a 4xx, odd card data and huge text
a clear answer, a redelivered activity one effect, and with auth on an unsigned request a 401."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select

from bot.app import build
from bot.runtime import Runtime
from bot.settings import Settings
from storage.db import transaction
from storage.tables import HandledEvent, Identity
from tests.teams.conftest import TENANT, Server, Teams, words

WORKER = "worker@medway.example"
APP_ID = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('{"text": "no type"}', "application/json", 400),
        ('{"type": "message", "text": "no addresses"}', "application/json", 400),
        ('{"type": "message"}', "text/plain", 415),
    ],
)
async def test_malformed_activities_get_a_4xx(
    teams: Teams, body: str, content_type: str, status: int
) -> None:
    async with teams.client.post(
        f"{teams.bot_url}/api/messages", data=body, headers={"Content-Type": content_type}
    ) as response:
        assert response.status == status
    assert teams.connector.log == []


async def test_wrong_field_types_get_a_4xx(teams: Teams) -> None:
    activity = teams.activity(WORKER, text="hi")
    activity["from"] = "not an object"
    assert (await teams.post(activity)).status == 400


async def test_huge_bodies_are_refused(teams: Teams) -> None:
    activity = teams.activity(WORKER, text="x" * 2_000_000)
    assert (await teams.post(activity)).status == 413


async def test_huge_text_gets_a_clear_answer(teams: Teams) -> None:
    replies = await teams.say(WORKER, "why " * 10_000)
    assert "too long for me" in words(replies)


async def test_unknown_card_actions_get_a_clear_answer(teams: Teams) -> None:
    for value in ({"something": "else"}, {"pathway": {"name": "launch_rockets", "data": {}}},
                  {"pathway": {"name": "decide", "data": {"nested": {"x": 1}}}}):  # fmt: skip
        before = len(teams.connector.log)
        response = await teams.post(teams.activity(WORKER, value=value, replyToId="bot-99"))
        assert response.status == 201
        assert "recognise that" in words(teams.new_since(before, teams.personal(WORKER)))


async def test_redelivered_activity_has_one_effect(teams: Teams, runtime: Runtime) -> None:
    activity = teams.activity(WORKER, text="apply")
    await teams.post(activity)
    sent = len(teams.connector.log)
    await teams.post(activity)  # Teams retries the same activity id
    assert len(teams.connector.log) == sent
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(HandledEvent)) == 1


@pytest.fixture
async def secured(aiohttp_server: Server, runtime: Runtime) -> AsyncIterator[tuple[str, Runtime]]:
    runtime.settings = Settings(_env_file=None, microsoft_app_id=APP_ID, microsoft_app_password="secret",
                                microsoft_app_tenant_id=TENANT, teams_answer_processes=0,
                                pathway_teams_service_hosts=["127.0.0.1"])  # fmt: skip  # the fake connector
    app, notes = build(runtime, dispatch=False, reminders=False)
    assert any("Bot Framework tokens required" in note for note in notes)
    server = await aiohttp_server(app)
    yield str(server.make_url("/api/messages")), runtime


# A well-formed but forged JWT is checked against Microsoft's published keys, which needs the internet.
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz"])
async def test_unauthenticated_requests_are_refused_when_auth_is_on(
    teams: Teams, secured: tuple[str, Runtime], authorization: str | None
) -> None:
    url, runtime = secured
    headers = {"Authorization": authorization} if authorization else {}
    activity = teams.activity(WORKER, text="apply")
    async with ClientSession() as client, client.post(url, json=activity, headers=headers) as response:
        assert response.status == 401
    assert teams.connector.log == [] and teams.connector.lookups == []
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(HandledEvent)) == 0
        assert session.scalar(select(func.count()).select_from(Identity)) == 0


async def test_auth_off_is_announced(runtime: Runtime) -> None:
    _app, notes = build(runtime, dispatch=False, reminders=False)
    assert any("authentication OFF" in note and "PATHWAY_TEAMS_EMULATOR" in note for note in notes)


async def test_an_overlong_form_box_gets_a_clear_answer(teams: Teams) -> None:
    value = {
        "pathway": {"name": "review", "data": {}, "required": {"reasons": "Reasons"}},
        "reasons": "x" * 5000,
    }
    before = len(teams.connector.log)
    assert (await teams.post(teams.activity(WORKER, value=value, replyToId="bot-1"))).status == 201
    assert "too long for me" in words(teams.new_since(before, teams.personal(WORKER)))


@pytest.mark.parametrize(
    "extra",
    [
        {"type": "typing"},
        {"type": "messageReaction", "reactionsAdded": [{"type": "like"}], "replyToId": "bot-1"},
        {"type": "invoke", "name": "adaptiveCard/action", "value": {"action": {"verb": "x"}}},
        {"type": "conversationUpdate", "membersAdded": "not a list"},
        {"type": "message", "entities": [{"type": "mention", "mentioned": "no id"}], "text": "<at>x</at> hi"},
    ],
)
async def test_other_activities_are_answered_without_a_crash(teams: Teams, extra: dict[str, object]) -> None:
    response = await teams.post({**teams.activity(WORKER), **extra})
    assert response.status in (200, 201, 400, 501)  # 501: an invoke Pathway does not implement
    assert "went wrong" not in words(teams.connector.log)
