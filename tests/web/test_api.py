"""The web chat's API over HTTP against the real server application: who may talk, what is refused,
and delivery of messages queued for a person while their page is connected."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp.typedefs import Handler
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build
from bot.demo import demo_roster
from bot.loopback import is_loopback_address
from bot.operations import import_file
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library
from storage import outbox
from storage.db import transaction
from storage.tables import Identity, OutboxMessage, Person
from tests.web.conftest import MANAGER, WORKER, submit_medway_application, texts, turn


class Stream:
    """A person's open event stream, read the way a browser's EventSource reads it."""

    def __init__(self, response: Any) -> None:
        self.response = response

    async def next(self, timeout: float = 5) -> tuple[str, dict[str, Any]]:
        event, data = "message", []
        async with asyncio.timeout(timeout):
            while True:
                line = (await self.response.content.readline()).decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: "):
                    data.append(line[len("data: ") :])
                elif not line and data:
                    return event, json.loads("\n".join(data))

    async def nothing_within(self, seconds: float) -> bool:
        try:
            await self.next(timeout=seconds)
        except TimeoutError:
            return True
        return False


async def open_stream(client: TestClient, who: str) -> Stream:
    response = await client.get("/api/web/inbox", params={"org": "medway", "as": who})
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    stream = Stream(response)
    event, person = await stream.next()
    assert event == "ready" and person["email"] == who
    return stream


async def test_the_page_and_its_files_are_served(client: TestClient) -> None:
    page = await client.get("/")
    html = await page.text()
    assert page.status == 200 and 'role="log"' in html and "/web/app.js" in html
    for asset, kind in (("/web/app.js", "javascript"), ("/web/style.css", "text/css")):
        response = await client.get(asset)
        assert response.status == 200 and kind in response.headers["Content-Type"]


async def test_lists_organisations_and_their_people(client: TestClient) -> None:
    organisations = await (await client.get("/api/web/organisations")).json()
    assert [o["id"] for o in organisations["organisations"]] == ["bcc", "coventry", "hertfordshire", "medway"]
    people = await (await client.get("/api/web/organisations/medway/people")).json()
    by_email = {p["email"]: p for p in people["people"]}
    assert set(by_email) == {WORKER, MANAGER, "service@medway.example", "hr@medway.example",
                             "panel@medway.example", "panel2@medway.example"}  # fmt: skip
    assert by_email[WORKER]["description"] == "social worker, Level 2 Social Worker"
    assert by_email["service@medway.example"]["role"] == "service_manager"
    missing = await client.get("/api/web/organisations/nowhere/people")
    assert missing.status == 404 and "nowhere" in (await missing.json())["error"]


async def test_a_question_gets_the_cited_answer(client: TestClient) -> None:
    answer = await turn(client, WORKER, text="how much is SCP 39?")
    [reply] = answer["replies"]
    assert "£32,800" in reply["text"]
    assert reply["sources"] == [
        {
            "document": "medway-2010-career-framework",
            "section": "3.1",
            "title": "Medway Career Framework for Children's Social Workers (2010)",
        }
    ]


async def test_refuses_to_act_for_anyone_not_on_the_roster(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    cases = [
        ({"org": "medway", "as": "stranger@medway.example", "text": "apply"}, 403),
        ({"org": "medway", "as": "worker@bcc.example", "text": "apply"}, 403),  # on another council's roster
        ({"org": "nowhere", "as": WORKER, "text": "apply"}, 404),
    ]
    for body, status in cases:
        response = await client.post("/api/web/turns", json=body)
        assert response.status == status, body
        assert body["as"] in (await response.json())["error"] or status == 404
    stream = await client.get("/api/web/inbox", params={"org": "medway", "as": "stranger@medway.example"})
    assert stream.status == 403 and "not on medway's staff list" in (await stream.json())["error"]
    with session_factory() as session:
        assert session.scalars(select(Identity)).all() == []  # nothing was linked for them


async def test_malformed_turns_are_refused_with_400_and_say_why(client: TestClient) -> None:
    bodies = [
        b"{not json",
        b"[1, 2]",
        json.dumps({"org": "medway", "text": "hi"}).encode(),  # no "as"
        json.dumps({"org": "medway", "as": WORKER}).encode(),  # neither text nor action
        json.dumps({"org": "medway", "as": WORKER, "text": "hi", "action": {"name": "status"}}).encode(),
        json.dumps({"org": "medway", "as": WORKER, "action": {"name": ""}}).encode(),
        json.dumps({"org": "medway", "as": WORKER, "action": {"name": "x", "data": {"a": [1]}}}).encode(),
        json.dumps({"org": "medway", "as": "not an email", "text": "hi"}).encode(),
        json.dumps({"org": "medway", "as": WORKER, "text": "hi", "extra": 1}).encode(),
    ]
    for body in bodies:
        response = await client.post(
            "/api/web/turns", data=body, headers={"Content-Type": "application/json"}
        )
        answer = await response.json()
        assert response.status == 400, body
        assert answer["error"] == "That request is not valid: see details." and answer["details"], body
    bad_query = await client.get("/api/web/inbox", params={"org": "medway"})
    assert bad_query.status == 400


async def test_huge_turns_are_refused_with_413(client: TestClient) -> None:
    response = await client.post(
        "/api/web/turns", json={"org": "medway", "as": WORKER, "text": "x" * 100_000}
    )
    assert response.status == 413 and "too large" in (await response.json())["error"]

    async def chunks() -> Any:  # no Content-Length: the size is only known by reading
        for _ in range(40):
            yield b"x" * 50_000

    json_type = {"Content-Type": "application/json"}
    chunked = await client.post("/api/web/turns", data=chunks(), headers=json_type)
    assert chunked.status == 413


async def test_a_long_message_within_the_limit_gets_a_clear_reply(client: TestClient) -> None:
    answer = await turn(client, WORKER, text="word " * 5_000)
    assert "too long" in texts(answer)


def queue(
    session_factory: sessionmaker[Session],
    email: str,
    key: str,
    payload: dict[str, Any],
    channel: str = "web",
) -> int:
    with transaction(session_factory) as session:
        person = session.scalars(select(Person).where(Person.email == email)).one()
        row = outbox.enqueue(
            session,
            org_id="medway",
            channel=channel,  # type: ignore[arg-type]
            address={"email": email},
            kind="card",
            payload=payload,
            idempotency_key=key,
            recipient_person_id=person.id,
        )
        return row.id


async def test_queued_messages_are_delivered_when_the_page_confirms_them(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    card = {"title": "A card", "body": "Waiting", "key": "k1", "fields": [], "buttons": []}
    first = queue(session_factory, MANAGER, "one", {"text": "A card", "card": card})
    second = queue(
        session_factory, MANAGER, "two", {"text": "Done", "card": {**card, "body": "Done"}, "replaces": "k1"}
    )
    for_worker = queue(session_factory, WORKER, "three", {"text": "For the worker"})
    on_slack = queue(session_factory, MANAGER, "four", {"text": "On Slack"}, channel="slack")

    stream = await open_stream(client, MANAGER)
    got = [await stream.next(), await stream.next()]
    assert [(event, item["id"]) for event, item in got] == [("message", first), ("message", second)]
    assert got[1][1]["reply"]["replaces"] == "k1" and got[1][1]["reply"]["card"]["body"] == "Done"
    assert await stream.nothing_within(0.5)
    stream.response.close()  # the page went away before confirming anything

    again = await open_stream(client, MANAGER)  # so the next connection gets both again
    assert [(await again.next(timeout=6))[1]["id"] for _ in range(2)] == [first, second]
    elsewhere = await client.post(
        "/api/web/inbox/received", json={"org": "medway", "as": WORKER, "ids": [first, second]}
    )
    assert (await elsewhere.json())["delivered"] == 0  # not the worker's to confirm
    confirmed = await client.post(
        "/api/web/inbox/received", json={"org": "medway", "as": MANAGER, "ids": [first, second]}
    )
    assert (await confirmed.json())["delivered"] == 2
    again.response.close()

    with session_factory() as session:
        status = {row.id: row.status for row in session.scalars(select(OutboxMessage))}
    assert status == {first: "delivered", second: "delivered", for_worker: "pending", on_slack: "pending"}
    last = await open_stream(client, MANAGER)
    assert await last.nothing_within(0.5)  # delivered once, not again on the next connection


async def test_confirming_refuses_bad_bodies_and_strangers(client: TestClient) -> None:
    for body, status in (
        ({"org": "medway", "as": MANAGER, "ids": []}, 400),
        ({"org": "medway", "as": MANAGER, "ids": ["x"]}, 400),
        ({"org": "medway", "as": "stranger@medway.example", "ids": [1]}, 403),
    ):
        response = await client.post("/api/web/inbox/received", json=body)
        assert response.status == status and "error" in await response.json()


async def test_messages_for_someone_arrive_on_their_open_page_as_the_turn_happens(client: TestClient) -> None:
    manager = await open_stream(client, MANAGER)
    await submit_medway_application(client)

    event, item = await manager.next(timeout=1.5)  # rung at once, not at the next look round
    card = item["reply"]["card"]
    assert event == "message" and card["title"] == "Progression application: Wendy Worker"
    assert item["reply"]["card_fallback"] is True  # its text is the card in words: the page shows the card
    decline = next(b["action"] for b in card["buttons"] if b["label"] == "NOT progressed")

    asked = await turn(client, MANAGER, action=decline)
    [form] = [r["form"] for r in asked["replies"] if r["form"]]
    assert [f["name"] for f in form["fields"]] == [
        "competencies", "attendance_punctuality_diversity", "reasons", "actions"]  # fmt: skip
    data = {**form["submit"]["data"], "competencies": "not met", "attendance_punctuality_diversity": "have",
            "reasons": "Two examples are thin.", "actions": "Add a case study."}  # fmt: skip
    decided = await turn(client, MANAGER, action={"name": form["submit"]["name"], "data": data})
    [closed] = [r for r in decided["replies"] if r["replaces"]]
    assert closed["replaces"] == card["key"]
    assert closed["card_fallback"] is False and closed["text"].startswith("Recorded:")  # words of its own
    assert "NOT progressed (Line manager's recommendation) by Maria Manager" in closed["card"]["body"]

    worker = await open_stream(client, WORKER)
    _event, outcome = await worker.next()
    assert "not agreed this time" in outcome["reply"]["text"]
    assert (
        "Two examples are thin." in outcome["reply"]["text"]
        and "Add a case study." in outcome["reply"]["text"]
    )


async def test_the_api_answers_only_requests_from_this_machine(
    aiohttp_client: Any, session_factory: sessionmaker[Session], library: Library
) -> None:
    """Behind a load balancer the page has no login to lean on, so another machine is refused."""

    @web.middleware
    async def from_elsewhere(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await handler(request.clone(remote="203.0.113.7"))  # as a proxied request arrives

    runtime = Runtime(Settings(_env_file=None), library, session_factory)
    import_file(runtime, demo_roster(library))
    app, _notes = build(runtime, dispatch=False, reminders=False, web_chat=True)
    app.middlewares.insert(0, from_elsewhere)
    client = await aiohttp_client(app)
    for response in (
        await client.post("/api/web/turns", json={"org": "medway", "as": WORKER, "text": "apply"}),
        await client.get("/api/web/organisations/medway/people"),
        await client.get("/api/web/inbox", params={"org": "medway", "as": WORKER}),
    ):
        assert response.status == 403 and "only on the machine it runs on" in (await response.json())["error"]
    assert (await client.get("/healthz")).status == 200


def test_which_addresses_count_as_this_machine() -> None:
    local = ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"]
    other = ["10.0.0.1", "203.0.113.7", "::ffff:10.0.0.1", "2001:db8::1", "", None, "not-an-address"]
    assert all(is_loopback_address(a) for a in local) and not any(is_loopback_address(a) for a in other)
