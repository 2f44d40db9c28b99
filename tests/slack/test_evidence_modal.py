"""Evidence in Slack (issue 16): each item opens as a modal holding all its examples (saved ones in
their boxes, a file input beside them), saving redraws the evidence page in place, files shared in the
DM are fetched with files.info and the bot token, and the line manager downloads them from the card."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from bot.runtime import Runtime
from dialogs.filled_form import FilledForm
from storage.tables import EvidenceFile, EvidenceItem
from tests.slack.conftest import SlackWorkspace
from tests.slack.test_medway_application import click, last_with_button, say

PDF = FilledForm("Portfolio", [("Worker", "W")]).pdf()
EXAMPLE = "I led the review of the plan with the family and partners, and the plan was agreed at review."
Dispatch = Callable[[], Awaitable[int]]


def evidence_page(workspace: SlackWorkspace) -> dict[str, Any]:
    """The evidence page as it looks now (updates in place included)."""
    return last_with_button(workspace, "DWORKER", "Your evidence for")


async def to_evidence(workspace: SlackWorkspace) -> dict[str, Any]:
    await say(workspace, "UWORKER", "I want to go for level 3")
    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Continue"), "Continue")
    return evidence_page(workspace)


async def open_item(workspace: SlackWorkspace, item: str) -> dict[str, Any]:
    await click(workspace, "UWORKER", evidence_page(workspace), "Open", line=item)
    return dict(workspace.fake.of("views.open")[-1]["view"])


async def test_an_item_opens_as_a_modal_holding_its_examples_and_saving_redraws_the_page(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    page = await to_evidence(workspace)
    assert sum(1 for b in page["blocks"] if b.get("accessory")) == 20  # an Open beside every competency
    view = await open_item(workspace, "Assessments")
    assert view["title"]["text"] == "Assessments"
    assert "Evidence must not identify service users" in view["blocks"][0]["text"]["text"]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["new1", "new2", "new3", "files"]
    assert inputs["files"]["type"] == "file_input" and "pdf" in inputs["files"]["filetypes"]

    await workspace.submit(
        "UWORKER", view, {"new1": EXAMPLE, "new2": EXAMPLE.replace("led", "chaired"), "new3": ""}
    )
    await workspace.settle()
    updated = workspace.fake.of("chat.update")[-1]
    assert updated["ts"] == page["ts"]  # the page redrawn where it is
    lines = [b["text"]["text"] for b in updated["blocks"] if b.get("accessory")]
    assert "*2. Assessments (open: type here)*\n2 of about 3 examples" in lines

    again = await open_item(workspace, "Assessments")
    saved = [b["element"].get("initial_value") for b in again["blocks"] if b["type"] == "input"]
    assert saved[:2] == [EXAMPLE, EXAMPLE.replace("led", "chaired")] and saved[2] is None


async def test_a_file_shared_in_the_dm_is_fetched_with_the_bot_token_and_attached(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    """Issue 16: nothing could be attached."""
    await to_evidence(workspace)
    fake = workspace.fake
    await workspace.dm("UWORKER", "my portfolio", files=[fake.share("portfolio.pdf", PDF)])
    await workspace.settle()
    assert workspace.last_post("DWORKER")["text"] == "Attached portfolio.pdf (0.0 MB) to Recording."
    assert [c.token for c in fake.calls if c.method == "download"] == ["xoxb-test"]
    with runtime.sessions() as session:
        assert session.scalars(select(EvidenceFile)).one().content == PDF

    huge = fake.share("scan.pdf", b"%PDF-1.4", size=20 * 1024 * 1024)  # Slack says 20 MB: not fetched
    await workspace.dm("UWORKER", "", files=[huge])
    await workspace.settle()
    assert "scan.pdf is 20.0 MB, so it wasn't kept" in workspace.last_post("DWORKER")["text"]
    assert len([c for c in fake.calls if c.method == "download"]) == 1


async def test_a_file_uploaded_in_the_modal_is_attached_to_its_item(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    await to_evidence(workspace)
    view = await open_item(workspace, "Care plans")
    uploaded = workspace.fake.share("care plan audit.pdf", PDF)
    await workspace.submit("UWORKER", view, {"new1": EXAMPLE}, files={"files": [uploaded]})
    await workspace.settle()
    assert "Attached care plan audit.pdf (0.0 MB) to Care plans and planning." in workspace.texts("DWORKER")
    with runtime.sessions() as session:
        assert [i.competency for i in session.scalars(select(EvidenceItem))] == ["care-plans"]
        assert session.scalars(select(EvidenceFile)).one().slot == "care-plans"


async def test_the_line_manager_downloads_the_file_from_the_card(
    workspace: SlackWorkspace, dispatch: Dispatch, runtime: Runtime
) -> None:
    page = await to_evidence(workspace)
    await workspace.dm("UWORKER", "", files=[workspace.fake.share("portfolio.pdf", PDF)])
    await workspace.settle()
    items = [b["text"]["text"].split("*")[1] for b in page["blocks"] if b.get("accessory")]
    for item in items:
        view = await open_item(workspace, item.split(". ", 1)[1].split(" (open")[0])
        boxes = [
            b["block_id"] for b in view["blocks"] if b["type"] == "input" and b["block_id"].startswith("new")
        ]
        await workspace.submit("UWORKER", view, {box: f"{EXAMPLE} ({item}, {box})" for box in boxes})
        await workspace.settle()
    await click(workspace, "UWORKER", evidence_page(workspace), "Continue")
    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Yes, send it"), "Yes, send it")
    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Submit"), "Submit")
    assert "sent it to Tara Manager" in workspace.last_post("DWORKER")["text"]

    await dispatch()
    card = workspace.last_post("DMANAGER")
    assert "portfolio.pdf (Recording)" in str(card["blocks"])
    await click(workspace, "UMANAGER", card, "Download the files (1)")
    await click(workspace, "UMANAGER", last_with_button(workspace, "DMANAGER", "Download portfolio.pdf"),
                "Download portfolio.pdf")  # fmt: skip
    shared = [f for f in workspace.fake.files.values() if f["filename"] == "portfolio.pdf"]
    assert shared and shared[0]["data"] == PDF and shared[0]["channel"] == "DMANAGER"


async def submitted_ack(workspace: SlackWorkspace, view: dict[str, Any], values: dict[str, str]) -> Any:
    response = await workspace.submit("UWORKER", view, values)
    body = await response.text()
    await workspace.settle()
    return await response.json() if body else None


async def test_typed_examples_with_problems_keep_the_modal_open_with_inline_errors(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    await to_evidence(workspace)
    view = await open_item(workspace, "Assessments")
    posts_before = len(workspace.posts("DWORKER"))
    ack = await submitted_ack(workspace, view, {"new1": EXAMPLE, "new2": "too short"})
    assert ack is not None and ack["response_action"] == "errors", ack
    assert set(ack["errors"]) == {"new2"} and "very short for an example" in ack["errors"]["new2"]
    named = EXAMPLE.replace("the family", "John Smith's family")
    ack = await submitted_ack(workspace, view, {"new1": named})
    assert ack is not None and set(ack["errors"]) == {"new1"}
    assert "Evidence should not identify service users" in ack["errors"]["new1"]
    assert len(workspace.posts("DWORKER")) == posts_before  # nothing came as a message after the fact
    with runtime.sessions() as session:
        assert session.scalars(select(EvidenceItem)).all() == []
    assert await submitted_ack(workspace, view, {"new1": named}) is None  # sent again as it is: saved
    with runtime.sessions() as session:
        assert [item.text for item in session.scalars(select(EvidenceItem))] == [named]
