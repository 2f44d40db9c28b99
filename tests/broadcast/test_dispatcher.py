"""The dispatcher with the real Slack sender against the loopback fake Slack Web API: every copy once,
through 429s (Retry-After) and 5xx (backoff); the gone are failed, not retried; each person in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatch import Dispatcher, delivery_of
from storage import mutes, outbox
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import OutboxMessage, Person
from tests.broadcast.slack_edge import deliver_all, link_everyone_to_slack, posted, slack_sender, slack_user
from tests.dialogs.conftest import Chat, find_button
from tests.fakes.slack_api import FakeSlackApi

HR = "hr@medway.example"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi(auto_users=True)
    await api.start()
    yield api
    await api.close()


def broadcast_to_everyone(chat: Chat, text: str) -> None:
    asked = chat.say(HR, f"broadcast: {text}")
    chat.press(HR, find_button(chat.press(HR, find_button(asked, "Everyone")), "Send now"))


def rows(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    with transaction(sessions) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def person_id(sessions: sessionmaker[Session], email: str) -> int:
    with transaction(sessions) as session:
        return session.scalars(select(Person.id).where(Person.email == email)).one()


async def test_a_broadcast_reaches_everyone_once_through_429_and_5xx(
    chat: Chat, sessions: sessionmaker[Session], fake: FakeSlackApi
) -> None:
    link_everyone_to_slack(sessions, "medway")
    broadcast_to_everyone(chat, "Panel 14 June 2027, portfolios by 24 May")
    fake.fail_next("chat.postMessage", 429, retry_after=1)
    fake.fail_next("chat.postMessage", 503)
    took = await deliver_all(Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}), sessions)
    sent = rows(sessions)
    assert len(sent) == 6 and {row.status for row in sent} == {"delivered"}
    assert posted(fake) == {"D" + slack_user(row.recipient_person_id)[1:]: 1 for row in sent}  # type: ignore[arg-type]
    # One more claim for the 429, one more for the 503; on a loaded machine a stall past a paced slot takes a
    # new slot (a claim more, nothing sent twice: posted once each, above), at most once a message here.
    assert 8 <= sum(row.attempts for row in sent) <= 8 + len(sent)
    assert sum(row.failures for row in sent) == 1  # the 429 is not counted as a failed send
    assert took >= 0.5  # the 429 paused the channel (Retry-After 1s)
    assert all("Panel 14 June 2027" in params["text"] for params in fake.messages.values())


async def test_gone_recipients_fail_at_once_and_muting_holds_back_broadcasts_only(
    chat: Chat, sessions: sessionmaker[Session], fake: FakeSlackApi
) -> None:
    link_everyone_to_slack(sessions, "medway")
    broadcast_to_everyone(chat, "News")
    gone, muted = person_id(sessions, "tm2@medway.example"), person_id(sessions, "nq@medway.example")
    with transaction(sessions) as session:
        session.get_one(Person, gone).active = False  # left after the broadcast was queued
        mutes.mute(session, muted)  # muted after it was queued
        outbox.enqueue(session, org_id="medway", channel="slack", address={"email": "nobody@medway.example"},
                       kind="message", payload={"text": "to nobody"}, idempotency_key="nobody")  # fmt: skip
        outbox.enqueue(session, org_id="medway", channel="slack", address={"team": "T0MEDWAY", "user": "U1"},
                       kind="message", payload={"text": "your decision"}, idempotency_key="decision",
                       recipient_person_id=muted)  # fmt: skip
    fake.auto_users = False  # nobody@ is not a Slack user
    fake.add_user("U1", "nq@medway.example")
    await deliver_all(Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}), sessions)
    outcome = {
        (row.recipient_person_id, row.kind): (row.status, row.last_error, row.attempts)
        for row in rows(sessions)
    }
    assert outcome[(gone, "broadcast")] == ("failed", "recipient no longer active on the roster", 1)
    assert outcome[(muted, "broadcast")] == ("failed", "recipient muted broadcasts", 1)
    assert outcome[(muted, "message")] == ("delivered", None, 1)  # decisions still reach them
    assert outcome[(None, "message")] == ("failed", "slack: users_not_found", 1)  # no retry for ever
    hr = person_id(sessions, "hr@medway.example")
    assert outcome.pop((hr, "undelivered")) == ("delivered", None, 1)  # HR is told; not of who left or muted
    assert sum(status == "delivered" for status, _e, _a in outcome.values()) == 5


async def test_each_persons_messages_go_out_in_order(
    sessions: sessionmaker[Session], chat: Chat, fake: FakeSlackApi
) -> None:
    worker, other = person_id(sessions, "worker@medway.example"), person_id(sessions, "tm@medway.example")
    with transaction(sessions) as session:
        for number in range(5):
            for who in (worker, other):
                outbox.enqueue(session, org_id="medway", channel="slack", kind="message",
                               address={"channel": f"D{who}"}, payload={"text": f"message {number}"},
                               idempotency_key=f"m{number}:{who}", recipient_person_id=who)  # fmt: skip
    fake.fail_next("chat.postMessage", 503)  # the first message to one of them must be retried first
    dispatcher = Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}, batch=10)
    await deliver_all(dispatcher, sessions)
    for who in (worker, other):
        texts = [params["text"] for (channel, _ts), params in fake.messages.items() if channel == f"D{who}"]
        assert texts == [f"message {number}" for number in range(5)]


async def test_a_hiccup_is_retried_at_once_not_left_to_the_end_of_the_queue(
    sessions: sessionmaker[Session], fake: FakeSlackApi
) -> None:
    with transaction(sessions) as session:
        for number in range(4):
            outbox.enqueue(session, org_id="medway", channel="slack", kind="message",
                           address={"channel": f"D{number}"}, payload={"text": f"message {number}"},
                           idempotency_key=f"m{number}")  # fmt: skip
    fake.fail_next("chat.postMessage", 503)
    dispatcher = Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}, batch=1)
    for _ in range(5):
        assert await dispatcher.run_once() == 1
    posts = [params["text"] for params in fake.of("chat.postMessage")]
    assert posts == ["message 0", "message 0", "message 1", "message 2", "message 3"]  # the first was a 503
    assert fake.of("conversations.history")[0]["channel"] == "D0"  # the 503 may have posted: it looked first
    assert {row.status for row in rows(sessions)} == {"delivered"}


async def test_a_send_whose_outcome_was_lost_is_not_posted_again(
    chat: Chat, sessions: sessionmaker[Session], fake: FakeSlackApi
) -> None:
    link_everyone_to_slack(sessions, "medway")
    broadcast_to_everyone(chat, "Panel dates are out")
    sender = slack_sender(fake, sessions)
    with transaction(sessions) as session:  # a dispatcher claims two copies, posts one, and dies
        claims = outbox.claim_for_sending(session, "doomed", limit=2, lease_seconds=0.2)
    assert [claim.uncertain for claim in claims] == [False, False]
    await sender.send(delivery_of(claims[0].message))
    await asyncio.sleep(0.3)  # its lease runs out
    await deliver_all(Dispatcher(sessions, {"slack": sender}), sessions)
    assert set(posted(fake).values()) == {1} and len(posted(fake)) == 6  # each person once, nobody twice
    looked = [params["channel"] for params in fake.of("conversations.history")]
    assert sorted(looked) == sorted(f"D{slack_user(c.message.recipient_person_id)[1:]}" for c in claims)  # type: ignore[arg-type]
    assert {row.status for row in rows(sessions)} == {"delivered"}


async def test_a_rate_limited_look_up_postpones_that_message_without_pausing_the_channel(
    sessions: sessionmaker[Session], fake: FakeSlackApi
) -> None:
    with transaction(sessions) as session:  # one recipient must be looked up by email first
        outbox.enqueue(session, org_id="medway", channel="slack", address={"email": "new@medway.example"},
                       kind="message", payload={"text": "needs a look-up"}, idempotency_key="by-email")  # fmt: skip
        outbox.enqueue(session, org_id="medway", channel="slack", address={"channel": "DKNOWN"},
                       kind="message", payload={"text": "direct"}, idempotency_key="direct")  # fmt: skip
    fake.fail_next("users.lookupByEmail", 429, retry_after=30)  # that method's tier is used up
    dispatcher = Dispatcher(sessions, {"slack": slack_sender(fake, sessions)})
    assert await dispatcher.run_once() == 2
    with transaction(sessions) as session:
        outbox.enqueue(session, org_id="medway", channel="slack", address={"channel": "DLATER"},
                       kind="message", payload={"text": "queued after"}, idempotency_key="after")  # fmt: skip
    assert await dispatcher.run_once() == 1  # posting goes on: the channel was not paused
    assert sorted(params["text"] for params in fake.of("chat.postMessage")) == ["direct", "queued after"]
    waiting = {row.idempotency_key: row for row in rows(sessions)}["by-email"]
    assert (waiting.status, waiting.failures) == ("pending", 0)  # not counted towards giving up
    assert "look-up" in (waiting.last_error or "") and "retry after 30s" in (waiting.last_error or "")
    assert waiting.due_at >= utc_now() + timedelta(seconds=25)
