"""Evidence in the web chat (issue 16), in a real browser: the evidence page with an Open beside every
item, an item's dialog holding its examples with a file chooser, the file uploaded and kept, the page
and the summary redrawn where they are, and the line manager downloading the file from the card.
Every screen stopped at is checked with axe-core (the `shots` fixture)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from dialogs.filled_form import FilledForm
from tests.web.conftest import post_turn
from tests.web.test_browser import be, expect, last_bot, page, say

__all__ = ["page"]  # the fixture, re-used
pytestmark = pytest.mark.timeout(180)

WORKER, MANAGER = "worker@medway.example", "manager@medway.example"
EXAMPLE = "I led the review of the plan with the family and partners, and the plan was agreed at review ({})."
PDF = FilledForm("Portfolio of evidence", [("Worker", "Wendy")]).pdf()
SHOTS = Path("/work/shots-16a")


def keep(shot: Path) -> None:
    """A copy of a screenshot looked at for the issue's note."""
    try:
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(shot, SHOTS / shot.name)
    except OSError:
        pass


def fill_the_rest_through_the_api(base: str) -> None:
    """Every item's form sent back through the page's API with 3 examples (no 60 paragraphs typed)."""
    summary = post_turn(base, {"org": "medway", "as": WORKER, "text": "continue"})["replies"]
    card = next(r["card"] for r in summary if r.get("card"))
    for field in card["fields"]:
        if field.get("button"):
            action = field["button"]["action"]
            typed = {f"new{k}": EXAMPLE.format(f"{field['label']} {k}") for k in range(1, 4)}
            action = {"name": "apply_save", "data": {**action["data"], **typed}}
            post_turn(base, {"org": "medway", "as": WORKER, "action": action})


def test_evidence_forms_a_file_uploaded_and_downloaded_by_the_manager(
    page: Any, demo_server: str, shots: Any, tmp_path: Path
) -> None:
    be(page, "medway", WORKER, "Wendy Worker")
    say(page, "I want to go for level 3")
    last_bot(page).get_by_role("button", name="Continue").click()
    evidence = page.locator("#log .card").filter(has_text="Your evidence for Level 3 Social Worker")
    expect(evidence).to_have_count(1)
    expect(evidence.get_by_role("button", name="Open 2. Assessments")).to_be_visible()
    keep(shots(page, "16a-01-evidence-page"))

    evidence.get_by_role("button", name="Open 2. Assessments").click()
    dialog = page.get_by_role("dialog", name="Assessments")
    expect(dialog).to_contain_text("must not identify service users")
    dialog.get_by_label("Example 1", exact=True).fill(EXAMPLE.format("assessment 1"))
    dialog.get_by_label("Example 2", exact=True).fill(EXAMPLE.format("assessment 2"))
    upload = tmp_path / "portfolio.pdf"
    upload.write_bytes(PDF)
    dialog.get_by_label("Attach files").set_input_files(str(upload))
    keep(shots(page, "16a-02-evidence-form"))
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#log .message.bot").filter(has_text="Attached portfolio.pdf")).to_have_count(1)
    expect(evidence).to_have_count(1)  # the page redrawn where it is, not sent again
    expect(evidence).to_contain_text("2 of about 3 examples, 1 file (portfolio.pdf)")

    evidence.get_by_role("button", name="Open 2. Assessments").click()  # the saved examples, to change
    expect(dialog.get_by_label("Example 1", exact=True)).to_have_value(EXAMPLE.format("assessment 1"))
    dialog.get_by_role("button", name="Cancel").click()

    evidence.get_by_role("button", name="Continue").click()
    last_bot(page).get_by_role("button", name="Yes, send it").click()
    summary = page.locator("#log .card").filter(has_text="Your application for Level 3 Social Worker")
    expect(summary).to_contain_text("Assessments")
    keep(shots(page, "16a-03-summary"))
    summary.get_by_role("button", name="Open 1. Recording").click()
    page.get_by_role("dialog", name="Recording").get_by_label("Example 1", exact=True).fill(
        EXAMPLE.format("record")
    )
    page.get_by_role("dialog", name="Recording").get_by_role("button", name="Submit").click()
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("1 of about 3 examples")  # back at the summary, redrawn in place

    fill_the_rest_through_the_api(demo_server)
    say(page, "submit")
    expect(last_bot(page)).to_contain_text("sent it to Maria Manager")

    be(page, "medway", MANAGER, "Maria Manager")
    card = page.locator("#log .card").filter(has_text="Progression application: Wendy Worker")
    expect(card).to_contain_text("portfolio.pdf (Assessments)")
    card.get_by_role("button", name="Download the files (1)").click()
    last_bot(page).get_by_role("button", name="Download portfolio.pdf").click()
    link = last_bot(page).get_by_role("link", name="Download portfolio.pdf")
    keep(shots(page, "16a-04-manager-files"))
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PDF
