"""A broadcast to a Slack council where nobody has talked to Pathway yet: each person is found by their
roster email (users.lookupByEmail) and their DM opened (conversations.open) without their having written
first; whoever Slack cannot reach is in the reach report with the reason, and HR is told."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatch import Dispatcher
from storage import directory
from storage.db import transaction
from storage.tables import Identity, OutboxMessage
from tests.broadcast.slack_edge import TEAM, deliver_all, slack_sender
from tests.dialogs.conftest import Chat, all_text, find_button
from tests.fakes.slack_api import FakeSlackApi

HR = "hr@medway.example"
IN_SLACK = {"sm@medway.example": "USAM", "tm@medway.example": "UTARA", "worker@medway.example": "UWENDY",
            HR: "UHARRIET", "tm2@medway.example": "UTOM"}  # fmt: skip


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi(team_id=TEAM)
    for user in IN_SLACK.values():
        if user != "UTOM":
            first = next(m for (c, _ts), m in fake.messages.items() if c == "D" + user[1:])
            assert first["text"].startswith("📣"), user
    assert {p["users"] for p in fake.of("conversations.open")} == set(IN_SLACK.values())
    report = all_text(chat.press(HR, find_button(sent, "Reach report")))
    assert "delivered 4 (66%), going out 0, failed 2" in report
    assert "slack: users_not_found (1)" in report and "slack: account_inactive (1)" in report
    with transaction(sessions) as session:  # the next message to them goes straight to the DM
        linked = {i.external_id: i.address for i in session.scalars(select(Identity))}
        told = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "undelivered")).one()
    assert linked["UWENDY"] == {"team": TEAM, "user": "UWENDY", "channel": "DWENDY"}
    assert told.status == "delivered" and told.address["channel"] == "DHARRIET"
    notice = next(
        m
        for (c, _ts), m in fake.messages.items()
        if c == "DHARRIET" and "could not be delivered" in m["text"]
    )
    assert "Some copies of your broadcast" in notice["text"]
