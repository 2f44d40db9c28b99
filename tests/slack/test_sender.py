"""The outbox sender for Slack against the fake Web API: addressing, card updates, and every failure
mapped to what the dispatcher needs (retry after Retry-After, back off, or give up)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import Delivery, RateLimited, SendFailed, Undeliverable
from bot.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.slack.mount import senders
from bot.slack.sender import SlackSender
from dialogs.messages import Attachment, Card, CardField, Reply, button
from storage import directory, outbox, posted
from storage.db import transaction
from storage.tables import Identity, OutboxMessage
from tests.fakes.slack_api import FakeSlackApi

CARD = Card(title="Progression application: Wendy Worker", key="app-1-recommend",
            fields=[CardField(label="Applying for", value="Level 3")],
            buttons=[button("Approve", "decide", "primary", application=1, stage="recommend", outcome="approved")])  # fmt: skip


def person_id(runtime: Runtime, email: str) -> int:
    with transaction(runtime.sessions) as session:
        person = directory.find_person_by_email(session, "medway", email)
        assert person is not None
        return person.id


def delivery(address: dict[str, object], reply: Reply, person: int | None = None) -> Delivery:
    return Delivery(id=1, org_id="medway", channel="slack", address=address, kind="card", reply=reply,
                    recipient_person_id=person)  # fmt: skip


@pytest.fixture
async def sender(runtime: Runtime) -> AsyncIterator[SlackSender]:
    sender = senders(runtime)[0]
    yield sender
    await sender.close()


async def test_first_contact_by_email_links_the_slack_account(
    sender: SlackSender, fake_slack: FakeSlackApi, runtime: Runtime
) -> None:
    manager = person_id(runtime, "tm@medway.example")
    await sender.send(delivery({"email": "tm@medway.example"}, Reply(text=CARD.title, card=CARD), manager))
    assert [c.method for c in fake_slack.calls] == [
        "users.lookupByEmail",
        "conversations.open",
        "chat.postMessage",
    ]
    with runtime.sessions() as session:
        identity = session.scalars(select(Identity)).one()
        assert (identity.external_id, identity.address["channel"]) == ("UMANAGER", "DMANAGER")
        copy = posted.copy_for(session, CARD.key or "", manager, "slack")
        assert copy is not None and copy.reference["channel"] == "DMANAGER"

    closed = Card(title=CARD.title, key=CARD.key, body="Recommended by Tom Other on 23 November 2026 10:00.")
    await sender.send(delivery({"email": "tm@medway.example"}, Reply(text=closed.body, card=closed,
                                                                      replaces=CARD.key), manager))  # fmt: skip
    update = fake_slack.of("chat.update")[-1]
    assert update["ts"] == copy.reference["ts"] and "Recommended by Tom Other" in str(update["blocks"])
    assert len(fake_slack.of("chat.postMessage")) == 1


async def test_known_user_without_a_channel_gets_a_dm_opened(
    sender: SlackSender, fake_slack: FakeSlackApi
) -> None:
    await sender.send(delivery({"team": "T0MEDWAY", "user": "UWORKER"}, Reply(text="Your manager decided.")))
    assert [c.method for c in fake_slack.calls] == ["conversations.open", "chat.postMessage"]
    assert fake_slack.of("chat.postMessage")[0]["channel"] == "DWORKER"


async def test_a_replacement_for_a_card_never_posted_here_is_posted_new(
    sender: SlackSender, fake_slack: FakeSlackApi, runtime: Runtime
) -> None:
    worker = person_id(runtime, "worker@medway.example")
    await sender.send(
        delivery({"channel": "DWORKER"}, Reply(text="closed", card=CARD, replaces=CARD.key), worker)
    )
    assert [c.method for c in fake_slack.calls] == ["chat.postMessage"]


@pytest.mark.parametrize(
    ("status", "error", "raised"),
    [(429, "", RateLimited), (503, "", SendFailed), (200, "user_not_found", Undeliverable),
     (200, "channel_not_found", Undeliverable), (200, "account_inactive", Undeliverable),
     (200, "invalid_auth", SendFailed)],
)  # fmt: skip
async def test_failures_are_reported_in_the_dispatchers_terms(
    sender: SlackSender, fake_slack: FakeSlackApi, status: int, error: str, raised: type[Exception]
) -> None:
    fake_slack.fail_next("chat.postMessage", status=status, error=error, retry_after=7)
    with pytest.raises(raised) as caught:
        await sender.send(delivery({"channel": "DWORKER"}, Reply(text="hello")))
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 7
    assert len(fake_slack.of("chat.postMessage")) == 1  # the sender itself never retries


async def test_network_failure_is_a_send_failure(sender: SlackSender, fake_slack: FakeSlackApi) -> None:
    await fake_slack.close()
    with pytest.raises(SendFailed):
        await sender.send(delivery({"channel": "DWORKER"}, Reply(text="hello")))


async def test_dispatcher_honours_retry_after(
    runtime: Runtime, fake_slack: FakeSlackApi, sender: SlackSender
) -> None:
    worker = person_id(runtime, "worker@medway.example")
    with transaction(runtime.sessions) as session:
        outbox.enqueue(session, org_id="medway", channel="slack", address={"channel": "DWORKER"}, kind="message",
                       payload=Reply(text="Panel on 3 March").model_dump(mode="json"), idempotency_key="k1",
                       recipient_person_id=worker)  # fmt: skip
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30)
    dispatcher = Dispatcher(runtime.sessions, {"slack": sender})
    assert await dispatcher.run_once() == 1
    with runtime.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.status == "pending" and "retry after 30s" in (row.last_error or "")
        assert dispatcher.paused_until["slack"] > dispatcher.clock()
        assert row.due_at >= dispatcher.clock() + timedelta(seconds=29)  # not before Retry-After
    assert fake_slack.posts_per_channel() == {}  # refused, so nothing posted yet and nothing lost


async def test_a_long_document_is_shared_as_a_file_not_cut_at_fifty_blocks(
    sender: SlackSender, fake_slack: FakeSlackApi
) -> None:
    rows = "\n".join(
        f"Person {n},person{n}@medway.example,Assessment,slack,delivered,1,," for n in range(5000)
    )
    report = Attachment(
        filename="broadcast-1-reach.csv", content="name,email,team\n" + rows, media_type="text/csv"
    )
    await sender.send(
        delivery({"channel": "DHR"}, Reply(text="Reach of “Panel”: 5,000 rows.", attachment=report))
    )
    [post] = fake_slack.of("chat.postMessage")
    assert len(post["blocks"]) < 50 and "broadcast-1-reach.csv is attached as a file" in post["text"]
    [shared] = fake_slack.files.values()
    assert shared["content"] == report.content and shared["channel"] == "DHR"  # every row, as written
    assert shared["filename"] == shared["title"] == "broadcast-1-reach.csv"
    assert [c.method for c in fake_slack.calls][-3:] == ["files.getUploadURLExternal", "upload",
                                                          "files.completeUploadExternal"]  # fmt: skip


async def test_a_short_document_stays_in_the_message(sender: SlackSender, fake_slack: FakeSlackApi) -> None:
    form = Attachment(filename="PAY002.txt", content="To spinal point: 41")
    await sender.send(delivery({"channel": "DWORKER"}, Reply(text="Approved.", attachment=form)))
    assert (
        "To spinal point: 41" in str(fake_slack.of("chat.postMessage")[0]["blocks"]) and not fake_slack.files
    )


async def test_the_exactly_once_look_back_stays_within_slacks_limit(
    sender: SlackSender, fake_slack: FakeSlackApi
) -> None:
    first = delivery({"channel": "DWORKER"}, Reply(text="Panel booked.")).model_copy(
        update={"idempotency_key": "k1"}
    )
    await sender.send(first)
    for n in range(10):  # the worker and the bot talk in between
        await sender.send(delivery({"channel": "DWORKER"}, Reply(text=f"Answer {n}")))
    await sender.send(first.model_copy(update={"uncertain": True}))  # its outcome was lost: look first
    assert [int(p["limit"]) for p in fake_slack.of("conversations.history")] == [15]
    assert sum("Panel booked." in m["text"] for m in fake_slack.messages.values()) == 1
