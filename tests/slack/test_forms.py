"""Forms in Slack (issue 16): a modal's problems come back inline in the view_submission acknowledgement
(`response_action: errors`, keyed by block id) with the modal kept open and nothing saved; dates are
Block Kit date pickers; decisive buttons carry Block Kit `confirm` dialogs. The real bolt app over HTTP
on loopback against the fake Slack Web API; every message and modal sent is checked against Slack's
own Block Kit models (conftest)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from bot.runtime import Runtime
from storage.tables import Broadcast, Decision, Panel
from tests.slack.conftest import SlackWorkspace, find_button
from tests.slack.test_medway_application import click, say, submit_application

Dispatch = Callable[[], Awaitable[int]]


def element(posted: dict[str, Any], label: str) -> dict[str, Any]:
    """The whole button element labelled `label` (find_button keeps only what a click sends)."""
    for block in posted["blocks"]:
        for candidate in block.get("elements", []):
            if candidate.get("type") == "button" and candidate["text"]["text"].lower() == label.lower():
                return dict(candidate)
    raise AssertionError(f"no button {label!r}")


def with_button(workspace: SlackWorkspace, channel: str, label: str) -> dict[str, Any]:
    for post in reversed(workspace.posts(channel)):
        try:
            return element(post, label)
        except AssertionError:
            continue
    raise AssertionError(f"no button {label!r} in {channel}")


async def submitted(
    workspace: SlackWorkspace, user: str, view: dict[str, Any], values: dict[str, str]
) -> Any:
    """Submit the modal; Slack's acknowledgement body (None when empty: the modal closes)."""
    response = await workspace.submit(user, view, values)
    assert response.status == 200
    body = await response.text()
    await workspace.settle()
    return await response.json() if body else None


async def test_a_bad_panel_date_keeps_the_modal_open_with_the_error_under_its_date_picker(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    await say(workspace, "UHR", "add panel")
    offered = workspace.last_post("DHR")
    await click(workspace, "UHR", offered, "Add a panel")  # a form asked in words opens from a button
    modal = workspace.fake.of("views.open")[-1]["view"]
    pickers = {b["block_id"]: b["element"]["type"] for b in modal["blocks"] if b["type"] == "input"}
    assert pickers["sits_on"] == pickers["submission_deadline"] == "datepicker"
    assert pickers["location"] == "plain_text_input"

    posts_before = len(workspace.posts("DHR"))
    ack = await submitted(workspace, "UHR", modal,
                          {"sits_on": "2027-06-14", "submission_deadline": "2027-06-30", "location": "Room 4"})  # fmt: skip
    assert ack == {
        "response_action": "errors",
        "errors": {
            "submission_deadline": "The submission deadline comes after the panel date: please check them."
        },
    }
    assert len(workspace.posts("DHR")) == posts_before  # no message after the fact: the modal says it
    with runtime.sessions() as session:
        assert session.scalars(select(Panel)).all() == []

    again = await submitted(
        workspace, "UHR", modal, {"sits_on": "2027-06-14", "submission_deadline": "2027-06-30"}
    )
    assert again is not None and again["response_action"] == "errors"  # re-checked, not "already sent"
    closed = await submitted(workspace, "UHR", modal,
                             {"sits_on": "2027-06-14", "submission_deadline": "2027-05-24", "location": "Room 4"})  # fmt: skip
    assert closed is None  # an empty acknowledgement: the modal closes
    assert (
        "Panel added: Monday 14 June 2027, at Room 4, submissions by Monday 24 May 2027"
        in workspace.last_post("DHR")["text"]
    )


async def test_decisive_buttons_confirm_and_a_decision_modal_keeps_its_answers(
    workspace: SlackWorkspace, dispatch: Dispatch, runtime: Runtime
) -> None:
    await submit_application(workspace)
    submit = with_button(workspace, "DWORKER", "Submit")
    assert submit["confirm"]["title"]["text"] == "Submit your application for Level 3 Social Worker?"
    assert (
        submit["confirm"]["confirm"]["text"] == "Yes, submit it" and submit["confirm"]["style"] == "primary"
    )

    await dispatch()
    card = workspace.last_post("DMANAGER")
    declining = element(card, "NOT progressed")
    assert declining["confirm"]["title"]["text"] == "NOT progressed: Wendy Worker?"
    assert declining["confirm"]["style"] == "danger" and declining["confirm"]["deny"]["text"] == "Go back"
    assert "confirm" in element(card, "Progressed") and "confirm" not in element(
        card, "Read all the evidence"
    )

    await click(
        workspace, "UMANAGER", card, "NOT progressed"
    )  # what Slack sends once its dialog is confirmed
    modal = workspace.fake.of("views.open")[-1]["view"]
    entered = {
        "competencies": "maybe",
        "attendance_punctuality_diversity": "have",
        "reasons": "Thin examples.",
    }
    ack = await submitted(workspace, "UMANAGER", modal, entered)
    assert ack is not None and ack["response_action"] == "errors"
    assert set(ack["errors"]) == {"competencies", "actions"}  # each under its own box; the rest kept as typed
    with runtime.sessions() as session:
        assert session.scalars(select(Decision)).all() == []
    assert await submitted(workspace, "UMANAGER", modal, {**entered, "competencies": "not met",
                                                          "actions": "More examples."}) is None  # fmt: skip
    assert "Recorded: NOT progressed" in str(workspace.fake.of("chat.update")[-1]["blocks"])


async def test_a_form_whose_answer_is_slower_than_slack_allows_closes_and_answers_in_the_dm(
    workspace: SlackWorkspace, runtime: Runtime, monkeypatch: Any
) -> None:
    """The acknowledgement cannot wait past Slack's 3 seconds: then the modal closes and the form, with
    what was entered, comes as a message whose button reopens it."""
    from bot.slack import listeners

    monkeypatch.setattr(listeners, "INLINE_ERRORS_WAIT", 0.0)
    await say(workspace, "UHR", "add panel")
    await click(workspace, "UHR", workspace.last_post("DHR"), "Add a panel")
    modal = workspace.fake.of("views.open")[-1]["view"]
    ack = await submitted(
        workspace, "UHR", modal, {"sits_on": "2027-06-14", "submission_deadline": "2027-06-30"}
    )
    assert ack is None
    told = workspace.last_post("DHR")
    assert "submission deadline comes after the panel date" in told["text"]
    await click(workspace, "UHR", told, "Add a panel")
    reopened = workspace.fake.of("views.open")[-1]["view"]
    kept = {
        b["block_id"]: b["element"].get("initial_date") for b in reopened["blocks"] if b["type"] == "input"
    }
    assert kept["sits_on"] == "2027-06-14" and kept["submission_deadline"] == "2027-06-30"
    assert "submission deadline comes after" in str(reopened["blocks"])  # the problem under its picker
    find_button(told["blocks"], "Add a panel")


async def test_scheduling_a_broadcast_picks_its_day_and_time_and_a_past_one_stays_in_the_modal(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    await say(workspace, "UHR", "broadcast: Portfolios are due on 24 May.")
    await click(workspace, "UHR", workspace.last_post("DHR"), "Everyone")
    await click(workspace, "UHR", workspace.last_post("DHR"), "Schedule…")
    modal = workspace.fake.of("views.open")[-1]["view"]
    pickers = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert pickers["on"]["type"] == "datepicker" and pickers["at"]["type"] == "timepicker"
    assert pickers["at"]["initial_time"] == "09:00"  # the start of the working day, to change
    ack = await submitted(workspace, "UHR", modal, {"on": "2020-01-01", "at": "09:30"})
    assert ack is not None and ack["response_action"] == "errors" and set(ack["errors"]) == {"on"}
    assert "has passed" in ack["errors"]["on"]
    with runtime.sessions() as session:
        assert session.scalars(select(Broadcast).where(Broadcast.status == "scheduled")).all() == []
    assert await submitted(workspace, "UHR", modal, {"on": "2030-06-03", "at": "14:15"}) is None
    assert "Scheduled for Monday 3 June 2030 at 14:15" in workspace.last_post("DHR")["text"]
