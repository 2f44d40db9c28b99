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
from storage.columns import utc_now
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
    for email, user in IN_SLACK.items():
        api.add_user(user, email)
    api.users["UTOM"].deleted = True  # deactivated in Slack; Ned (nq@) was never invited
    await api.start()
    yield api
    await api.close()


async def test_a_broadcast_reaches_everyone_in_slack_though_nobody_has_talked_to_the_bot(
    chat: Chat, sessions: sessionmaker[Session], fake: FakeSlackApi
) -> None:
    with transaction(sessions) as session:
        directory.link_slack_workspace(session, "medway", TEAM)  # so medway's staff are on Slack
    preview = chat.press(HR, find_button(chat.say(HR, "broadcast: Panel 14 June 2027"), "Everyone"))
    assert "This will reach 6 people (6 on slack)" in preview[0].text
    sent = chat.press(HR, find_button(preview, "Send now"))
    await deliver_all(Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}), sessions)
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
    notices = [m["text"] for (c, _ts), m in fake.messages.items() if c == "DHARRIET"]
    assert any(
        "Some copies of your broadcast" in text and "could not be delivered" in text for text in notices
    )


async def test_a_broadcast_after_pathway_was_removed_from_the_workspace_reports_why_nobody_got_it(
    chat: Chat, sessions: sessionmaker[Session], fake: FakeSlackApi
) -> None:
    """Some had DMs with Pathway (direct addresses), the rest are found by email: after the workspace
    removed Pathway, every copy fails at once with that reason, in the reach report."""
    with transaction(sessions) as session:
        directory.link_slack_workspace(session, "medway", TEAM)
    first = chat.press(HR, find_button(chat.say(HR, "broadcast: Panel 14 June 2027"), "Everyone"))
    chat.press(HR, find_button(first, "Send now"))
    await deliver_all(Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}), sessions)
    fake.uninstall(TEAM)
    with transaction(sessions) as session:  # what Slack's app_uninstalled event records (test_revocation.py)
        directory.remove_slack_workspace(session, TEAM, "app_uninstalled", utc_now())
    posted = len(fake.of("chat.postMessage"))
    preview = chat.press(HR, find_button(chat.say(HR, "broadcast: Panel 20 September 2027"), "Everyone"))
    sent = chat.press(HR, find_button(preview, "Send now"))
    await deliver_all(Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}), sessions)
    assert len(fake.of("chat.postMessage")) == posted  # nothing tried with the dead token
    report = all_text(chat.press(HR, find_button(sent, "Reach report")))
    assert "delivered 0 (0%), going out 0, failed 6" in report
    assert f"Pathway was removed from Slack workspace {TEAM} on " in report
