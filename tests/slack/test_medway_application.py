"""A whole Medway application in Slack: the worker applies in a DM, the line manager's approval card
arrives through the outbox and the Slack sender, the manager approves (the card updates in place), the
service manager authorises, and the worker is told the outcome. Plus double clicks and stale cards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from bot.runtime import Runtime
from storage.tables import Application, Identity
from tests.slack.conftest import SlackWorkspace

Dispatch = Callable[[], Awaitable[int]]


def example(competency: str, n: int) -> str:
    return f"In a complex case I led the {competency.lower()} work myself, example {n}, and the plan was agreed at review."


async def say(workspace: SlackWorkspace, user: str, text: str) -> str:
    before = len(workspace.posts("D" + user[1:]))
    await workspace.dm(user, text)
    await workspace.settle()
    return "\n".join(p["text"] for p in workspace.posts("D" + user[1:])[before:])


async def click(
    workspace: SlackWorkspace, user: str, posted: dict[str, Any], label: str, line: str | None = None
) -> None:
    response = await workspace.click(user, posted, label, line)
    assert response.status == 200
    await workspace.settle()


def last_with_button(workspace: SlackWorkspace, channel: str, label: str) -> dict[str, Any]:
    for post in reversed(workspace.posts(channel)):
        if label.lower() in str(post.get("blocks", "")).lower():
            return post
    raise AssertionError(f"no message with {label!r} in {channel}")


async def submit_application(workspace: SlackWorkspace) -> None:
    text = await say(workspace, "UWORKER", "I want to go for level 3")
    assert "how you stand" in text
    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Continue"), "Continue")
    for _ in range(20):
        prompt = workspace.last_post("DWORKER")["text"]
        assert "Please give about 3 examples" in prompt, prompt
        title = prompt.split(": ", 1)[1].split(".")[0]
        for n in range(1, 4):
            await say(workspace, "UWORKER", example(title, n))
    assert "1. Line manager's recommendation (Tara Manager)" in workspace.last_post("DWORKER")["text"]
    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Yes, send it"), "Yes, send it")
    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Submit"), "Submit")
    assert "sent it to Tara Manager" in workspace.last_post("DWORKER")["text"]


async def test_full_medway_application_from_dm_to_authorisation(
    workspace: SlackWorkspace, dispatch: Dispatch, runtime: Runtime
) -> None:
    await submit_application(workspace)
    fake = workspace.fake

    assert await dispatch() == 1  # the manager's card: first contact, found by email
    assert [c["email"] for c in fake.of("users.lookupByEmail")] == ["tm@medway.example"]
    assert fake.of("conversations.open")[-1]["users"] == "UMANAGER"
    card = workspace.last_post("DMANAGER")
    assert "Progression application: Wendy Worker" in str(card["blocks"][0])
    assert "Level 3 Social Worker" in str(card["blocks"])

    await click(
        workspace, "UMANAGER", card, "Progressed"
    )  # the form's met / not met and have / have not first
    modal = fake.of("views.open")[-1]["view"]
    assert [b["block_id"] for b in modal["blocks"]] == [
        "competencies",
        "attendance_punctuality_diversity",
        "note",
    ]
    await workspace.submit(
        "UMANAGER", modal, {"competencies": "met", "attendance_punctuality_diversity": "have"}
    )
    await workspace.settle()
    update = fake.of("chat.update")[-1]
    assert (update["channel"], update["ts"]) == ("DMANAGER", card["ts"])  # the card itself changed
    assert update["text"] == "Recorded: Progressed (Line manager's recommendation)."
    assert "Progressed (Line manager's recommendation) by Tara Manager" in str(update["blocks"])
    assert all(block["type"] != "actions" for block in update["blocks"])  # no buttons left to press

    assert await dispatch() == 2  # the service manager's card and the worker's progress notice
    assert "Tara Manager recommended it ('Progressed')" in workspace.texts("DWORKER")
    authorise = workspace.last_post("DSERVICE")
    assert "Service Managers and above only" in str(authorise["blocks"])
    await click(workspace, "USERVICE", authorise, "Authorise")
    assert "Authorise (Authorisation) by Sam Service" in str(fake.of("chat.update")[-1]["blocks"])

    await dispatch()
    outcome = workspace.last_post("DWORKER")
    assert "approved" in outcome["text"] and "spinal point is 41" in outcome["text"]
    assert (
        "manager-authorisation" in outcome["text"]
    )  # the payroll form comes with it, as the PDF file itself
    form = next(f for f in fake.files.values() if f["channel"] == "DWORKER")
    assert form["filename"].endswith(".pdf") and form["data"].startswith(b"%PDF-")
    with runtime.sessions() as session:
        assert session.scalars(select(Application)).one().status == "approved"
        manager = session.scalars(select(Identity).where(Identity.external_id == "UMANAGER")).one()
        assert manager.address == {"team": "T0MEDWAY", "user": "UMANAGER", "channel": "DMANAGER"}
    # One card per decider; the service manager's second post is the form they authorised, the line
    # manager's the news of the authoriser's decision.
    assert set(fake.duplicates()) <= {"DWORKER", "DSERVICE", "DMANAGER"}
    assert fake.duplicates().get("DSERVICE", 2) == 2 and fake.duplicates().get("DMANAGER", 2) == 2
    assert "Sam Service authorised it ('Authorise')" in workspace.last_post("DMANAGER")["text"]
    assert "which you authorised, is attached" in workspace.last_post("DSERVICE")["text"]


async def test_double_click_and_not_approve_modal(workspace: SlackWorkspace, dispatch: Dispatch) -> None:
    await submit_application(workspace)
    await dispatch()
    card = workspace.last_post("DMANAGER")
    fake = workspace.fake

    await click(workspace, "UMANAGER", card, "NOT progressed")
    modal = fake.of("views.open")[-1]
    assert modal["trigger_id"].startswith("trigger-")
    assert [b["block_id"] for b in modal["view"]["blocks"]] == [
        "competencies", "attendance_punctuality_diversity", "reasons", "actions"]  # fmt: skip
    assert not fake.of("chat.update")  # nothing decided yet

    await click(workspace, "UMANAGER", card, "Progressed")  # changes their mind before submitting
    approve = fake.of("views.open")[-1]["view"]
    await workspace.submit(
        "UMANAGER", approve, {"competencies": "met", "attendance_punctuality_diversity": "have"}
    )
    await workspace.settle()
    await click(workspace, "UMANAGER", card, "Progressed")  # and clicks again
    updates = fake.of("chat.update")
    assert "Progressed (Line manager's recommendation) by Tara Manager" in str(updates[0]["blocks"])
    assert "Already decided" in updates[1]["text"] and "Tara Manager" in updates[1]["text"]

    response = await workspace.submit(
        "UMANAGER", modal["view"], {"competencies": "not met", "attendance_punctuality_diversity": "have",
                                    "reasons": "Not ready", "actions": "More cases"},
    )  # fmt: skip
    assert response.status == 200
    await workspace.settle()
    assert "Already decided" in fake.of("chat.update")[-1]["text"]  # the stale modal decides nothing
    assert await dispatch() == 2  # one authorisation card and one notice, not two of each
