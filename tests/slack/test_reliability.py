"""Bad requests are refused and lose nothing; retries, double deliveries and odd payloads do no harm."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from sqlalchemy import func, select

from bot.runtime import Runtime
from storage.tables import HandledEvent, Identity, OutboxMessage
from tests.slack.conftest import TEAM, SlackWorkspace


def count(runtime: Runtime, table: type) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


async def test_wrong_secret_and_stale_timestamp_are_rejected_and_nothing_stored(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    forged = await workspace.dm("UWORKER", "how much is SCP 39?", secret="not-the-secret")
    stale = await workspace.dm("UWORKER", "how much is SCP 39?", timestamp=int(time.time()) - 10 * 60)
    unsigned = await workspace.http.post(
        workspace.url, data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert (forged.status, stale.status, unsigned.status) == (401, 401, 401)
    await workspace.settle()
    assert workspace.fake.calls == []  # not even a profile lookup
    assert count(runtime, HandledEvent) == count(runtime, Identity) == count(runtime, OutboxMessage) == 0


async def test_a_retried_event_is_answered_once(workspace: SlackWorkspace) -> None:
    await workspace.dm("UWORKER", "how much is SCP 39?", event_id="Ev0RETRY")
    await workspace.settle()
    retry = await workspace.dm("UWORKER", "how much is SCP 39?", event_id="Ev0RETRY", retry=1)
    assert retry.status == 200
    await workspace.settle()
    assert len(workspace.posts("DWORKER")) == 1


async def test_a_workspace_not_linked_to_a_council_gets_a_clear_answer(workspace: SlackWorkspace) -> None:
    event = {"type": "message", "channel_type": "im", "channel": "DOTHER", "user": "UWORKER",
             "text": "how much is SCP 39?", "ts": "1.000001", "team": "T0ELSEWHERE"}  # fmt: skip
    envelope = {"type": "event_callback", "team_id": "T0ELSEWHERE", "event_id": "Ev0OTHER", "event": event}
    response = await workspace.post(json.dumps(envelope), "application/json")
    assert response.status == 200
    await workspace.settle()
    assert "isn't linked to a council" in workspace.last_post("DOTHER")["text"]


async def test_unknown_and_forged_buttons_are_answered_politely(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    await workspace.dm("UWORKER", "status")
    await workspace.settle()
    posted = workspace.last_post("DWORKER")
    foreign = {**posted, "blocks": [{"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Other app"}, "action_id": "other.thing", "value": "x"},
        {"type": "button", "text": {"type": "plain_text", "text": "Forged"}, "action_id": "pw.act.decide.0", "value": "{not json"},
        {"type": "button", "text": {"type": "plain_text", "text": "Invented"}, "action_id": "pw.act.x.0",
         "value": json.dumps({"name": "launch_missiles", "data": {}})},
    ]}]}  # fmt: skip
    for label in ("Other app", "Forged", "Invented"):
        response = await workspace.click("UWORKER", foreign, label)
        assert response.status == 200
    await workspace.settle()
    answers = [p["text"] for p in workspace.posts("DWORKER")[-3:]]
    assert sum("can't read that button" in a for a in answers) == 2
    assert sum("don't recognise that button" in a for a in answers) == 1
    assert not workspace.fake.of("chat.update")


async def test_malformed_payloads_get_a_4xx_or_are_ignored_without_a_crash(workspace: SlackWorkspace) -> None:
    not_json = await workspace.post("{this is not json", "application/json")
    bad_form = await workspace.post(urlencode({"payload": "{nope"}), "application/x-www-form-urlencoded")
    no_user = await workspace.post(
        json.dumps(
            {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0X", "event": {"type": "message"}}
        ),
        "application/json",
    )
    half_click = await workspace.interactive(
        {"type": "block_actions", "actions": [{"action_id": "pw.act.x.0"}]}
    )
    assert not_json.status < 500 and bad_form.status < 500 and half_click.status < 500
    assert no_user.status == 200
    await workspace.settle()
    assert not workspace.fake.of("chat.postMessage")


async def test_huge_text_is_cut_and_the_sender_told(workspace: SlackWorkspace) -> None:
    await workspace.dm("UWORKER", "how much is SCP 39? " + "blah " * 8000)
    await workspace.settle()
    assert "read only its first 4,000 characters" in workspace.texts("DWORKER")


async def test_a_body_over_the_size_limit_is_refused(workspace: SlackWorkspace) -> None:
    response = await workspace.dm("UWORKER", "x" * 1_100_000)
    assert response.status == 413


def test_a_handled_event_is_recognised_on_every_database(runtime: Runtime) -> None:
    """The core's retry guard, which the Slack front-end relies on, holds on SQLite and PostgreSQL alike."""
    from storage.db import transaction
    from storage.handled_events import first_delivery

    with transaction(runtime.sessions) as session:
        assert first_delivery(session, "slack", "Ev0ONCE") is True
    with transaction(runtime.sessions) as session:
        assert first_delivery(session, "slack", "Ev0ONCE") is False
        assert first_delivery(session, "teams", "Ev0ONCE") is True


async def test_a_guest_from_an_unlinked_workspace_in_a_shared_channel_is_told_clearly(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    workspace.fake.add_user("UGUEST", "worker@medway.example", team="T0PARTNER")  # same email, other org
    event = {"type": "app_mention", "channel": "C0SHARED", "user": "UGUEST", "user_team": "T0PARTNER",
             "text": "<@UPATHWAYBOT> how much is SCP 39?", "ts": "2.000001"}  # fmt: skip
    assert (await workspace.event(event)).status == 200
    await workspace.settle()
    assert "isn't linked to a council" in workspace.last_post("C0SHARED")["text"]
    assert count(runtime, Identity) == 0  # not linked to the Medway worker with the same email
