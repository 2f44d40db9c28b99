"""The Teams sender over the fake connector: proactive sends, and failures in the dispatcher's terms."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery import Delivery, Postponed, RateLimited, SendFailed, Undeliverable
from bot.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.teams.mount import sender
from dialogs.messages import Attachment, Card, Reply
from storage import outbox
from storage.db import transaction
from storage.tables import Identity, OutboxMessage, Person
from tests.teams.conftest import Teams

WORKER = "worker@medway.example"


async def worker_address(teams: Teams, runtime: Runtime) -> dict[str, Any]:
    await teams.say(WORKER, "hello")
    with transaction(runtime.sessions) as session:
        identity = session.scalars(select(Identity).where(Identity.external_id == "aad-wendy")).one()
        assert identity.address is not None
        return dict(identity.address)


def delivery(address: dict[str, Any], text: str = "Your panel is on 3 March.") -> Delivery:
    return Delivery(
        id=1, org_id="medway", channel="teams", address=address, kind="message", reply=Reply(text=text)
    )


async def test_proactive_message_reaches_the_personal_chat(teams: Teams, runtime: Runtime) -> None:
    address = await worker_address(teams, runtime)
    before = len(teams.connector.log)
    await sender(runtime).send(delivery(address))
    sent = teams.new_since(before, teams.personal(WORKER))
    assert [m.text for m in sent] == ["Your panel is on 3 March."]


@pytest.mark.parametrize(
    ("status", "error"), [(429, RateLimited), (503, SendFailed), (404, Undeliverable), (403, Undeliverable)]
)
async def test_connector_failures_map_to_dispatcher_errors(
    teams: Teams, runtime: Runtime, status: int, error: type[Exception]
) -> None:
    address = await worker_address(teams, runtime)
    teams.connector.fail_next(status, times=4, retry_after="7")
    failures = len(teams.connector.failures)
    started = time.monotonic()
    with pytest.raises(error) as raised:
        await sender(runtime).send(delivery(address))
    assert time.monotonic() - started < 5
    assert len(teams.connector.failures) == failures - 1  # one attempt: the dispatcher does the retrying
    if status == 429:
        assert isinstance(raised.value, RateLimited) and raised.value.retry_after == 7


async def test_someone_who_has_not_installed_the_app_is_waited_for_until_they_do(
    teams: Teams, runtime: Runtime
) -> None:
    with transaction(runtime.sessions) as session:
        wendy = session.scalars(select(Person).where(Person.email == WORKER)).one().id
    queued = delivery({"email": WORKER}).model_copy(update={"recipient_person_id": wendy})
    with pytest.raises(Postponed, match="waiting for them to install Pathway"):  # kept, not a failure
        await sender(runtime).send(queued)
    await teams.install(WORKER)  # now there is a personal chat to write to
    before = len(teams.connector.log)
    await sender(runtime).send(queued)
    assert [m.text for m in teams.new_since(before, teams.personal(WORKER))] == ["Your panel is on 3 March."]


async def test_dispatcher_retries_after_a_rate_limit(teams: Teams, runtime: Runtime) -> None:
    address = await worker_address(teams, runtime)
    with transaction(runtime.sessions) as session:
        outbox.enqueue(session, org_id="medway", channel="teams", address=address, kind="message",
                       payload=Reply(text="Panel dates are out.").model_dump(mode="json"),
                       idempotency_key="panel-1")  # fmt: skip
    teams.connector.fail_next(429, retry_after="0")
    dispatcher = Dispatcher(runtime.sessions, {"teams": sender(runtime)})
    await dispatcher.run_once()
    with transaction(runtime.sessions) as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.status == "pending" and "rate limit" in (row.last_error or "")
    await dispatcher.run_once()
    with transaction(runtime.sessions) as session:
        assert session.scalars(select(OutboxMessage)).one().status == "delivered"
    assert "Panel dates are out." in [m.text for m in teams.connector.posted(teams.personal(WORKER))]


async def test_an_uncertain_resend_of_a_card_redraws_the_copy_instead_of_posting_twice(
    teams: Teams, runtime: Runtime
) -> None:
    address = await worker_address(teams, runtime)
    with transaction(runtime.sessions) as session:
        wendy = session.scalars(select(Person).where(Person.email == WORKER)).one().id
    card = Card(title="Panel booked", body="3 March, 10:00", key="panel-7")
    first = delivery(address).model_copy(update={"reply": Reply(text="Panel booked", card=card),
                                                 "recipient_person_id": wendy})  # fmt: skip
    before = len(teams.connector.log)
    await sender(runtime).send(first)
    await sender(runtime).send(first.model_copy(update={"uncertain": True}))  # the outcome was lost
    chat = teams.personal(WORKER)
    assert len(teams.new_since(before, chat)) == 1
    assert [u.activity_id for u in teams.connector.updates(chat)] == [
        teams.new_since(before, chat)[0].activity_id
    ]


async def test_a_card_update_from_the_outbox_redraws_the_posted_copy(teams: Teams, runtime: Runtime) -> None:
    address = await worker_address(teams, runtime)
    with transaction(runtime.sessions) as session:
        wendy = session.scalars(select(Person).where(Person.email == WORKER)).one().id
    ask = Reply(text="Please decide", card=Card(title="Decide", body="…", key="application-9-recommend"))
    closed = Card(
        title="Decide", body="Recommended by Tara Manager on 23 November 2026 10:00.", key=ask.card.key
    )  # type: ignore[union-attr]
    update = Reply(text=closed.body, card=closed, replaces=closed.key)
    base = delivery(address).model_copy(update={"recipient_person_id": wendy})
    await sender(runtime).send(base.model_copy(update={"reply": ask}))
    chat = teams.personal(WORKER)
    posted = teams.connector.posted(chat)[-1]
    await sender(runtime).send(base.model_copy(update={"reply": update, "kind": "card_update"}))
    assert teams.connector.posted(chat)[-1] is posted  # nothing new posted
    now = teams.connector.current(chat, posted.activity_id)
    assert (
        now.kind == "update"
        and "Recommended by Tara Manager" in now.text
        and "actions" not in (now.card or {})
    )


async def test_a_long_document_is_offered_as_a_file_and_uploaded_once_accepted(
    teams: Teams, runtime: Runtime
) -> None:
    address = await worker_address(teams, runtime)
    rows = "\n".join(f"Person {n},person{n}@medway.example,teams,delivered" for n in range(5000))
    report = Attachment(filename="broadcast-1-reach.csv", content="name,email,channel,status\n" + rows,
                        media_type="text/csv")  # fmt: skip
    before = len(teams.connector.log)
    await sender(runtime).send(delivery(address).model_copy(update={"reply": Reply(text="Reach: 5,000 rows.",
                                                                                   attachment=report)}))  # fmt: skip
    sent = teams.new_since(before, teams.personal(WORKER))
    assert [m.text for m in sent[:1]] == ["Reach: 5,000 rows."] and len(sent) == 2  # not a dozen text parts
    [offer] = sent[1].body["attachments"]
    assert offer["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert offer["name"] == "broadcast-1-reach.csv" and offer["content"]["sizeInBytes"] == len(report.content)
    assert "Person 4999" not in str(sent[1].body)  # the content waits on the server, not in the card
    upload_url = f"{teams.connector_url}/files/broadcast-1-reach.csv"
    accepted = teams.activity(WORKER, type="invoke", name="fileConsent/invoke", replyToId=sent[1].activity_id,
                              value={"type": "fileUpload", "action": "accept", "context": offer["content"]["acceptContext"],
                                     "uploadInfo": {"name": "broadcast-1-reach.csv", "uploadUrl": upload_url,
                                                    "contentUrl": "https://onedrive.example/reach.csv",
                                                    "uniqueId": "file-1", "fileType": "csv"}})  # fmt: skip
    before = len(teams.connector.log)
    assert (await teams.post(accepted)).status == 200
    content, content_range = teams.connector.uploads["broadcast-1-reach.csv"]
    assert (
        content.decode() == report.content and content_range == f"bytes 0-{len(content) - 1}/{len(content)}"
    )
    [shown] = teams.new_since(before, teams.personal(WORKER))
    assert shown.body["attachments"][0]["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    assert shown.body["attachments"][0]["contentUrl"] == "https://onedrive.example/reach.csv"
