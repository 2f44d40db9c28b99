"""The attacks on the web chat that worked before it became a loopback-only demo surface: through a
reverse proxy on the same host, from another site's page in the browser, and by DNS rebinding."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library
from storage.tables import Decision
from tests.outage import unreachable_sessions
from tests.web.conftest import MANAGER, WORKER, button, submit_medway_application, turn

PEOPLE = "/api/web/organisations/medway/people"


def count(sessions: sessionmaker[Session], table: type) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_client_behind_a_reverse_proxy_on_this_host_is_refused(client: TestClient) -> None:
    """The proxy connects from 127.0.0.1; the headers it adds say the client is elsewhere."""
    for headers in (
        {"X-Forwarded-For": "203.0.113.7"},
        {"Forwarded": "for=203.0.113.7;proto=https"},
        {"X-Real-IP": "203.0.113.7"},
        {"Via": "1.1 proxy"},
    ):
        response = await client.get(PEOPLE, headers=headers)
        assert response.status == 403, headers
        assert "came through a proxy" in (await response.json())["error"]
        hr = await client.post(
            "/api/web/turns", json={"org": "medway", "as": "hr@medway.example", "text": "who was reached"},
            headers=headers,
        )  # fmt: skip
        assert hr.status == 403


async def test_a_dns_rebinding_host_is_refused(client: TestClient) -> None:
    for host in ("attacker.example", f"attacker.example:{client.port}", "127.0.0.1.nip.io"):
        for path in (PEOPLE, "/"):
            response = await client.get(path, headers={"Host": host})
            assert response.status == 403, (host, path)
            assert "not one of this machine's names" in (await response.json())["error"]
    assert (await client.get(PEOPLE, headers={"Host": f"localhost:{client.port}"})).status == 200


async def manager_has_a_card(client: TestClient) -> dict[str, Any]:
    await submit_medway_application(client)
    status = await turn(client, MANAGER, text="status")
    progressed = button(status, "Progressed")  # with what Medway's form has the line manager record
    recorded = {"competencies": "met", "attendance_punctuality_diversity": "have"}
    return {**progressed, "data": {**progressed["data"], **recorded}}


async def test_a_cross_site_text_plain_post_records_no_decision(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    approve = await manager_has_a_card(client)
    body = json.dumps({"org": "medway", "as": MANAGER, "action": approve})
    port = client.port
    attempts = [  # a page elsewhere: a form or fetch(no-cors) may send text/plain without asking
        {"Content-Type": "text/plain", "Origin": "https://attacker.example"},
        {"Content-Type": "text/plain"},  # a browser that sent no Origin
        {
            "Content-Type": "application/json",
            "Origin": "https://attacker.example",
        },  # a preflight would stop it
        {"Content-Type": "application/json", "Origin": "null"},  # a sandboxed frame
        {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"},
    ]
    for headers in attempts:
        response = await client.post("/api/web/turns", data=body, headers=headers)
        assert response.status in (403, 415), headers
    assert count(session_factory, Decision) == 0
    same_site = await client.post(
        "/api/web/turns", data=body,
        headers={"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"},
    )  # fmt: skip
    assert same_site.status == 200 and count(session_factory, Decision) == 1  # the page itself still works


async def test_serve_does_not_mount_the_web_chat_unless_asked(
    aiohttp_client: Any, session_factory: sessionmaker[Session], library: Library
) -> None:
    runtime = Runtime(Settings(_env_file=None), library, session_factory)
    app, notes = build(runtime, dispatch=False, reminders=False)
    served = await aiohttp_client(app)
    for path in ("/", PEOPLE, "/api/web/organisations"):
        assert (await served.get(path)).status == 404, path
    assert (
        await served.post("/api/web/turns", json={"org": "medway", "as": WORKER, "text": "x"})
    ).status == 404
    assert any(note.startswith("web chat: off") for note in notes)
    assert (await served.get("/healthz")).status == 200


async def test_while_the_database_is_away_a_turn_gets_503_and_nothing_is_lost(
    aiohttp_client: Any, library: Library
) -> None:
    dead = Runtime(Settings(_env_file=None), library, unreachable_sessions())
    app, _notes = build(dead, dispatch=False, reminders=False, web_chat=True)
    served = await aiohttp_client(app)
    for response in (
        await served.post("/api/web/turns", json={"org": "medway", "as": WORKER, "text": "apply"}),
        await served.get(PEOPLE),
    ):
        assert response.status == 503
        assert "briefly unavailable" in (await response.json())["error"]
    assert (await served.get("/healthz")).status == 200  # alive...
    ready = await served.get("/readyz")
    assert ready.status == 503  # ...but not ready
    assert (await ready.json())["checks"]["database"].startswith("unavailable")


async def test_readyz_is_ready_on_a_migrated_database(client: TestClient) -> None:
    ready = await client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["ready"] is True
