"""Teams over loopback: the real aiohttp app and CloudAdapter, real activity JSON, a fake Bot Connector.

`Teams` plays the Teams service: it posts activities to /api/messages with `serviceUrl` pointing at
the fake connector, which records what the bot sends. Every Adaptive Card the bot sends is checked
against Microsoft's published Adaptive Card 1.5 schema (tests/official_schemas.py) when the test ends.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, web
from aiohttp.test_utils import TestServer
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library
from storage import directory
from storage.db import transaction
from tests import official_schemas
from tests.dialogs.conftest import library, sessions  # noqa: F401  (fixtures)
from tests.fakes.bot_connector import BotConnector, Recorded

TENANT = "tenant-medway"
BOT = {"id": "28:pathway-bot", "name": "Pathway"}
TEAM, CHANNEL = "19:children-team@thread.tacv2", "19:children-channel@thread.tacv2"
CHANNEL_CONVERSATION = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                        "id": f"{CHANNEL};messageid=1700000000000"}  # fmt: skip
PEOPLE = {  # roster email -> (Teams user id, Entra object id, name)
    "worker@medway.example": ("29:wendy", "aad-wendy", "Wendy Worker"),
    "tm@medway.example": ("29:tara", "aad-tara", "Tara Manager"),
    "sm@medway.example": ("29:sam", "aad-sam", "Sam Service"),
    "stranger@medway.example": ("29:stranger", "aad-stranger", "Stan Ranger"),
    "tm2@medway.example": ("29:tom", "aad-tom", "Tom Other"),
    "nq@medway.example": ("29:ned", "aad-ned", "Ned New"),
    "hr@medway.example": ("29:harriet", "aad-harriet", "Harriet HR"),
}

Server = Callable[[web.Application], Awaitable[TestServer]]


def validate_card(card: dict[str, Any]) -> None:
    """The card is valid by the official schema (the calling test skips when the schemas are absent)."""
    assert official_schemas.problems(official_schemas.ADAPTIVE_CARD, card) == []
    assert card["version"] == "1.5"


class Teams:
    """Sends Bot Framework activities as Teams would and reads what the bot sent back."""

    def __init__(self, client: ClientSession, bot_url: str, connector_url: str, connector: BotConnector):
        self.client = client
        self.bot_url = bot_url
        self.connector_url = connector_url
        self.connector = connector
        self._ids = itertools.count(1)

    @staticmethod
    def personal(email: str) -> str:
        return f"a:personal-{PEOPLE[email][0]}"

    def activity(
        self, email: str, conversation: dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        user_id, aad, name = PEOPLE[email]
        return {
            "type": "message",
            "id": f"msg-{next(self._ids)}",
            "timestamp": "2026-11-23T10:00:00.000Z",
            "serviceUrl": self.connector_url,
            "channelId": "msteams",
            "from": {"id": user_id, "name": name, "aadObjectId": aad},
            "conversation": conversation
            or {"conversationType": "personal", "tenantId": TENANT, "id": self.personal(email)},
            "recipient": BOT,
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-GB",
            **fields,
        }

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> ClientResponse:
        async with self.client.post(
            f"{self.bot_url}/api/messages", json=activity, headers=headers
        ) as response:
            await response.read()
            return response

    async def say(self, email: str, text: str) -> list[Recorded]:
        """Post a personal-chat message; the bot's new messages in that chat."""
        before = len(self.connector.log)
        response = await self.post(self.activity(email, text=text))
        assert response.status in (200, 201), response.status
        return self.new_since(before, self.personal(email))

    async def submit(self, email: str, card: Recorded, title: str, **inputs: str) -> list[Recorded]:
        """Press the card button `title` (typing `inputs` into its boxes) in the person's personal chat."""
        before = len(self.connector.log)
        data = dict(find_action(card, title)["data"])
        activity = self.activity(email, value={**data, **inputs}, replyToId=card.activity_id)
        response = await self.post(activity)
        assert response.status in (200, 201), response.status
        return self.new_since(before, self.personal(email))

    async def execute(
        self, email: str, card: Recorded, title: str | None = None, **inputs: str
    ) -> tuple[dict[str, Any], list[Recorded]]:
        """Press the card's Universal Action `title` (None: the card's refresh, as Teams runs it when the
        person opens the card), as Teams does with an adaptiveCard/action invoke; the invoke response
        and the bot's new messages in the person's personal chat."""
        before = len(self.connector.log)
        assert card.card is not None
        if title is None:
            action, trigger = dict(card.card["refresh"]["action"]), "automatic"
        else:
            action, trigger = find_action(card, title), "manual"
        assert action["type"] == "Action.Execute"
        value = {"action": {"type": "Action.Execute", "verb": action["verb"], "data": {**action["data"], **inputs}},
                 "trigger": trigger}  # fmt: skip
        activity = self.activity(email, type="invoke", name="adaptiveCard/action", value=value,
                                 replyToId=card.activity_id)  # fmt: skip
        async with self.client.post(f"{self.bot_url}/api/messages", json=activity) as response:
            assert response.status == 200, response.status
            answer = await response.json()
        return answer, self.new_since(before, self.personal(email))

    async def mention(self, email: str, text: str) -> list[Recorded]:
        """Post "@Pathway <text>" in a team channel; the bot's new messages in that channel thread."""
        before = len(self.connector.log)
        mention = {"type": "mention", "text": "<at>Pathway</at>", "mentioned": BOT}
        channel_data = {"tenant": {"id": TENANT}, "teamsChannelId": CHANNEL, "team": {"id": TEAM},
                        "channel": {"id": CHANNEL}}  # fmt: skip
        activity = self.activity(email, conversation=CHANNEL_CONVERSATION, text=f"<at>Pathway</at> {text}",
                                 entities=[mention], channelData=channel_data)  # fmt: skip
        response = await self.post(activity)
        assert response.status in (200, 201), response.status
        return self.new_since(before, CHANNEL_CONVERSATION["id"])

    async def install(self, email: str, how: str = "installationUpdate") -> list[Recorded]:
        """The person adds the app in personal scope (Teams sends installationUpdate and conversationUpdate)."""
        before = len(self.connector.log)
        if how == "installationUpdate":
            activity = self.activity(email, type="installationUpdate", action="add")
        else:
            activity = self.activity(email, type="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
            activity["channelData"]["eventType"] = "teamMemberAdded"
        response = await self.post(activity)
        assert response.status in (200, 201), response.status
        return self.new_since(before, self.personal(email))

    def new_since(self, before: int, conversation: str) -> list[Recorded]:
        return [
            r for r in self.connector.log[before:] if r.conversation == conversation and r.kind != "update"
        ]


def find_action(message: Recorded, title: str) -> dict[str, Any]:
    """The card's action `title`. A decisive button is a confirming step (an Action.ShowCard holding
    what it will do and the button that does it): pressing it means pressing that button too."""
    card = message.card
    assert card is not None, f"not a card: {message.body}"
    for action in card.get("actions", []):
        if title.lower() in str(action.get("title", "")).lower():
            if action["type"] == "Action.ShowCard":
                [confirming] = action["card"]["actions"]
                return dict(confirming)
            return dict(action)
    raise AssertionError(f"no action {title!r} in {[a.get('title') for a in card.get('actions', [])]}")


def last_card(messages: list[Recorded]) -> Recorded:
    return next(m for m in reversed(messages) if m.card is not None)


def words(messages: list[Recorded]) -> str:
    return "\n".join(m.text for m in messages)


@pytest.fixture
def connector() -> BotConnector:
    fake = BotConnector()
    for email, (user_id, aad, name) in PEOPLE.items():
        fake.add_member(user_id, aad, name, email)
    return fake


@pytest.fixture
def teams_settings() -> Settings:
    """Teams as the Bot Framework Emulator drives it: authentication off, on loopback (the fake
    connector's serviceUrl is a loopback address, which only Emulator mode accepts)."""
    return Settings(
        _env_file=None,
        microsoft_app_id=None,
        microsoft_app_password=None,
        pathway_teams_emulator=True,
        teams_answer_processes=0,  # threads: the test's own database session (workers: test_workers.py)
    )


@pytest.fixture
def runtime(
    teams_settings: Settings,
    library: Library,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> Runtime:
    with transaction(sessions) as session:
        directory.link_teams_tenant(session, "medway", TENANT)
    return Runtime(teams_settings, library, sessions)


@pytest.fixture
async def teams(aiohttp_server: Server, connector: BotConnector, runtime: Runtime) -> AsyncIterator[Teams]:
    fake = await aiohttp_server(connector.app())
    app, _notes = build(runtime, dispatch=False, reminders=False)
    bot = await aiohttp_server(app)
    async with ClientSession() as client:
        yield Teams(client, str(bot.make_url("")).rstrip("/"), str(fake.make_url("")).rstrip("/"), connector)
    if official_schemas.available():  # else only the tests about cards themselves skip
        for card in connector.all_cards():
            validate_card(card)
