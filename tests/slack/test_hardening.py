"""The smaller findings of the attack probe, through the real bolt stack: what a forged request can
put in the log, button data that is not a number, overlong form text, control characters, and a
modal submitted twice."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from bot.runtime import Runtime
from bot.slack.translate import ACTION_PREFIX, FORM_CALLBACK, FormContext
from dialogs.messages import Action
from storage.tables import Decision, EvidenceItem, ReviewRequest, UnansweredQuestion
from tests.slack.conftest import SlackWorkspace
from tests.slack.test_medway_application import click, last_with_button, say


def count(runtime: Runtime, table: type) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_forged_request_reaches_the_log_only_as_a_short_escaped_excerpt(
    workspace: SlackWorkspace, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    injected = "hello\n2026-12-01 00:00:00 ERROR bot: FORGED LINE\n" + "x" * 500_000
    response = await workspace.dm("UWORKER", injected, secret="not-the-secret")
    assert response.status == 401
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")]
    assert any("Invalid request signature" in m for m in messages)
    assert all(len(m) < 400 and "\n" not in m for m in messages), max(messages, key=len)[:500]


def pressed(user: str, value: str) -> dict[str, object]:
    return {"channel": "D" + user[1:], "ts": "1700000000.000100", "text": "card",
            "blocks": [{"type": "actions", "elements": [{"type": "button", "action_id": ACTION_PREFIX + "x",
                        "value": value, "text": {"type": "plain_text", "text": "Press"}}]}]}  # fmt: skip


@pytest.mark.parametrize("application", ["abc", "12; DROP TABLE", 10**12, "99999999999999999999", -3, "١٢"])
async def test_a_button_whose_id_is_not_a_number_gets_a_clear_answer(
    workspace: SlackWorkspace, runtime: Runtime, application: object
) -> None:
    value = json.dumps({"name": "approve", "data": {"application": application}})
    await click(workspace, "UMANAGER", pressed("UMANAGER", value), "Press")
    said = workspace.texts("DMANAGER") + " ".join(str(c.params.get("text", "")) for c in workspace.fake.calls)
    assert "isn't a number I can use" in said and "nothing was changed" in said
    assert "went wrong" not in said
    assert count(runtime, Decision) == 0


async def test_a_forged_100k_reason_is_refused_clearly_and_not_stored(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    context = FormContext(submit=Action(name="review", data={"application": 1}), channel="DWORKER")
    view = {"type": "modal", "callback_id": FORM_CALLBACK, "private_metadata": context.model_dump_json()}
    response = await workspace.submit("UWORKER", view, {"reasons": "r" * 100_000})
    assert response.status == 200
    await workspace.settle()
    said = workspace.texts("DWORKER")
    assert "too long for me" in said and "100,000 characters" in said
    assert count(runtime, ReviewRequest) == 0


async def test_a_view_of_the_wrong_shape_gets_400_not_500(workspace: SlackWorkspace) -> None:
    context = FormContext(submit=Action(name="review", data={"application": 1}), channel="DWORKER")
    view = {"callback_id": FORM_CALLBACK, "private_metadata": context.model_dump_json()}  # no "type"
    assert (await workspace.submit("UWORKER", view, {"reasons": "fine"})).status == 400


async def test_nul_and_control_characters_are_stripped_at_the_edge(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    said = await say(workspace, "UWORKER", "how much is\x00 SCP\x07 39?\x1b[2J")
    assert "£32,800" in said and "went wrong" not in said
    said = await say(workspace, "UWORKER", "what is the\x00 car parking allowance for\x00 visits?")
    assert "went wrong" not in said  # PostgreSQL refuses NUL in the unanswered question it keeps
    with runtime.sessions() as session:
        kept = session.scalars(select(UnansweredQuestion.question)).all()
    assert kept and all("\x00" not in question for question in kept)


async def test_an_evidence_modal_submitted_twice_saves_its_examples_once(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    await say(workspace, "UWORKER", "I want to go for level 3")
    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Continue"), "Continue")
    page = last_with_button(workspace, "DWORKER", "Your evidence for")
    await click(workspace, "UWORKER", page, "Open", line="Assessments")
    view = {**workspace.fake.of("views.open")[-1]["view"], "id": "V0EVIDENCE"}
    example = "In a complex case I led the assessment work myself and the plan was agreed at review."
    for _ in range(2):  # a double click on Submit sends the same modal twice
        assert (await workspace.submit("UWORKER", view, {"new1": example})).status == 200
        await workspace.settle()
    assert count(runtime, EvidenceItem) == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"7", "application/json"),  # JSON, but not an object
        (b'["a"]', "application/json"),
        (b"payload=7", "application/x-www-form-urlencoded"),
        (b'{"type": "event_callback"}', "application/json; charset=nonsense"),
        (b"\xff\xfe{}", "application/json"),
    ],
)
async def test_unreadable_bodies_get_400_before_any_signature_check(
    workspace: SlackWorkspace, body: bytes, content_type: str
) -> None:
    async with workspace.http.post(
        workspace.url, data=body, headers={"Content-Type": content_type}
    ) as response:
        assert response.status == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "actions": []},
        {"type": "block_actions", "user": False},
        {"type": "block_actions", "actions": [7]},
        {"type": "view_submission", "view": []},
        {"type": "event_callback", "event": "x"},
    ],
)
async def test_signed_payloads_bolt_cannot_read_get_400(
    workspace: SlackWorkspace, payload: dict[str, object]
) -> None:
    assert (await workspace.interactive(payload)).status == 400
