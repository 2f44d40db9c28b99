"""Bot Framework tokens checked offline: a loopback key server publishes the signing key, a correctly
signed token is accepted, and expired, wrong-audience, wrong-issuer, unsigned and foreign-key tokens are
refused. The key server runs on the bot's own event loop, so a key fetch that blocked the loop (as
botbuilder's own does) could never be answered: the test would hang instead of pass."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select

from bot.app import build
from bot.runtime import Runtime
from bot.settings import Settings
from storage import directory
from storage.db import transaction
from storage.tables import HandledEvent, Person
from tests.fakes.openid import FakeKeyServer, new_key
from tests.teams.conftest import PEOPLE, TENANT, Server, Teams

APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
WORKER = "worker@medway.example"


@pytest.fixture
async def keys(aiohttp_server: Server) -> FakeKeyServer:
    fake = FakeKeyServer()
    server = await aiohttp_server(fake.app())
    fake.base_url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
async def secured(
    aiohttp_server: Server, runtime: Runtime, keys: FakeKeyServer, teams: Teams
) -> AsyncIterator[str]:
    runtime.settings = Settings(_env_file=None, microsoft_app_id=APP_ID, microsoft_app_password="secret",
                                microsoft_app_tenant_id=TENANT, microsoft_openid_metadata_url=keys.metadata_url, teams_answer_processes=0,
                                pathway_teams_service_hosts=["127.0.0.1"])  # fmt: skip  # the fake connector
    with transaction(runtime.sessions) as session:  # Wendy has talked to Pathway: no member look-up needed
        wendy = session.scalars(select(Person).where(Person.email == WORKER)).one()
        directory.link_identity(session, wendy.id, "teams", TENANT, PEOPLE[WORKER][1])
    app, _notes = build(runtime, dispatch=False, reminders=False)
    server = await aiohttp_server(app)
    yield str(server.make_url("/api/messages"))


def handled(runtime: Runtime) -> int:
    with transaction(runtime.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(HandledEvent)) or 0)


async def refresh(teams: Teams, url: str, token: str) -> tuple[int, object]:
    """Open a card (a Universal Actions refresh: answered in the invoke response, no outbound call)."""
    value = {"action": {"type": "Action.Execute", "verb": "refresh",
                        "data": {"pathway": {"name": "refresh", "data": {"card": "nothing-7"}}}}}  # fmt: skip
    activity = teams.activity(WORKER, type="invoke", name="adaptiveCard/action", value=value)
    headers = {"Authorization": f"Bearer {token}"}
    async with ClientSession() as client, client.post(url, json=activity, headers=headers) as response:
        return response.status, (await response.json() if response.status == 200 else None)


@pytest.mark.timeout(60)
async def test_a_correctly_signed_token_is_accepted(
    teams: Teams, runtime: Runtime, keys: FakeKeyServer, secured: str
) -> None:
    status, body = await refresh(teams, secured, keys.token(APP_ID, teams.connector_url))
    assert status == 200, body
    assert body == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": "This card has nothing new."}  # fmt: skip
    assert keys.fetched == ["/v1/.well-known/openidconfiguration", "/v1/.well-known/keys"]


Forge = Callable[[FakeKeyServer, str], str]
FORGED: dict[str, Forge] = {
    "expired": lambda keys, url: keys.token(APP_ID, url, lifetime=-3600),
    "wrong audience": lambda keys, url: keys.token("0b5e7c4d-0000-4000-8000-000000000000", url),
    "wrong issuer": lambda keys, url: keys.token(APP_ID, url, issuer="https://sts.evil.example/"),
    "unsigned": lambda keys, url: keys.unsigned(APP_ID, url),
    "another key": lambda keys, url: keys.token(APP_ID, url, key=new_key()),
    "an unpublished key": lambda keys, url: keys.token(APP_ID, url, key=new_key(), kid="not-published"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("forgery", list(FORGED))
async def test_a_bad_token_is_refused(
    teams: Teams, runtime: Runtime, keys: FakeKeyServer, secured: str, forgery: str
) -> None:
    status, _body = await refresh(teams, secured, FORGED[forgery](keys, teams.connector_url))
    assert status == 401
    assert handled(runtime) == 0 and teams.connector.log == []
