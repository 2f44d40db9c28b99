"""The web chat in a real browser: Debian's Chromium driven by Playwright against `pathway demo`.

A Medway worker asks a question and gets a cited answer, applies for level 3 (one example typed on
the page, the bulk through the page's API, the submit on the page), the line manager and then the
service manager approve on their cards, and the worker sees the outcome arrive with the payroll form.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from tests.web.conftest import post_turn

pytestmark = pytest.mark.timeout(180)

WORKER, MANAGER, SERVICE = "worker@medway.example", "manager@medway.example", "service@medway.example"
EXAMPLE = "In a complex case I led the {} work myself, example {}, and the plan was agreed at review."
COMPETENCIES = 20  # Medway level 3: 20 competencies, about 3 practice examples each
EXAMPLES_EACH = 3


def expect(page: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(page)


def be(page: Any, org: str, email: str, name: str) -> None:
    """Pick the organisation and the person, and wait until their message stream is open."""
    page.get_by_label("Organisation").select_option(org)
    expect(page.get_by_label("You are").locator(f"option[value='{email}']")).to_be_attached()
    page.get_by_label("You are").select_option(email)
    expect(page.locator("#connection")).to_contain_text(f"Connected as {name}")


def say(page: Any, text: str) -> None:
    box = page.get_by_label("Message")
    box.fill(text)
    box.press("Enter")


def last_bot(page: Any) -> Any:
    return page.locator("#log .message.bot").last


def confirm(page: Any, yes: str) -> None:
    """A decisive button asks first: answer its confirming dialog with its `yes` button."""
    asked = page.get_by_role("alertdialog")
    expect(asked).to_be_visible()
    asked.get_by_role("button", name=yes).click()
    expect(asked).to_be_hidden()


@pytest.fixture
def page(chromium: Any, demo_server: str) -> Any:
    context = chromium.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.set_default_timeout(15_000)
    page.goto(demo_server)
    yield page
    context.close()
    assert not problems, "the page reported errors:\n" + "\n".join(problems)


def test_medway_application_from_question_to_approved_outcome(
    page: Any, demo_server: str, shots: Any
) -> None:
    be(page, "medway", WORKER, "Wendy Worker")

    say(page, "how much is SCP 39?")
    answer = last_bot(page)
    expect(answer).to_contain_text("£32,800")
    expect(answer.locator(".sources")).to_contain_text("Medway Career Framework")
    expect(answer.locator(".sources")).to_contain_text("§3.1")
    shots(page, "01-question")

    say(page, "I want to go for level 3")
    expect(last_bot(page)).to_contain_text("how you stand")
    last_bot(page).get_by_role("button", name="Continue").click()
    expect(last_bot(page)).to_contain_text(f"1 of {COMPETENCIES}")
    say(page, EXAMPLE.format("recording", 1))  # one example typed on the page
    expect(page.locator("#log .message.me").last).to_contain_text("example 1")
    expect(last_bot(page)).to_contain_text("Saved example 1 for Recording")

    # The rest through the page's API: the same turns, without typing 59 paragraphs.
    reply: dict[str, Any] = {}
    for n in range(2, COMPETENCIES * EXAMPLES_EACH + 1):
        reply = post_turn(demo_server, {"org": "medway", "as": WORKER, "text": EXAMPLE.format("practice", n)})
    assert "1. Line manager's recommendation (Maria Manager)" in " ".join(r["text"] for r in reply["replies"])

    say(page, "continue")
    last_bot(page).get_by_role("button", name="Yes, send it").click()
    expect(last_bot(page)).to_contain_text(f"{COMPETENCIES} of {COMPETENCIES} competencies")
    last_bot(page).get_by_role("button", name="Submit").click()
    confirm(page, "Yes, submit it")
    expect(last_bot(page)).to_contain_text("sent it to Maria Manager")

    be(page, "medway", MANAGER, "Maria Manager")
    card = page.locator("#log .card").filter(has_text="Progression application: Wendy Worker")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Level 3 Social Worker")
    expect(card.get_by_role("button", name="Progressed", exact=True)).to_be_visible()
    shots(page, "02-approval-card")
    page.set_viewport_size({"width": 390, "height": 844})
    card.scroll_into_view_if_needed()
    shots(page, "02c-approval-card-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the card is wider than a phone"
    page.set_viewport_size({"width": 1100, "height": 900})

    check_reasons_dialog_keyboard(page, card, shots)

    card.get_by_role("button", name="Read all the evidence").click()
    evidence = last_bot(page).locator("details")
    expect(evidence).to_contain_text("Evidence for Level 3 Social Worker: Wendy Worker")
    evidence.locator("summary").click()
    expect(evidence).to_contain_text("example 1")
    expect(
        last_bot(page).get_by_role("link", name=re.compile(r"Download application-\d+-evidence\.txt"))
    ).to_be_visible()

    card.get_by_role("button", name="Progressed", exact=True).click()  # the form's fields, in a dialog
    confirm(page, "Yes: Progressed")
    dialog = page.get_by_role("dialog", name="Progressed: Line manager's recommendation")
    dialog.get_by_label(re.compile("^All the competencies")).fill("met")
    dialog.get_by_label(re.compile("^Good attendance")).fill("have")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog).to_be_hidden()
    expect(last_bot(page)).to_contain_text("Recorded: Progressed (Line manager's recommendation)")
    expect(card).to_have_count(1)  # updated in place, not drawn again
    shots(page, "02b-card-after-decision")
    expect(card).to_contain_text("Progressed (Line manager's recommendation) by Maria Manager")
    expect(card.get_by_role("button", name="Progressed", exact=True)).to_have_count(0)

    be(page, "medway", SERVICE, "Sam Service")
    authorise = page.locator("#log .card").filter(has_text="Progression application: Wendy Worker")
    expect(authorise).to_contain_text("Service Managers and above")
    authorise.get_by_role("button", name="Authorise", exact=True).focus()
    page.keyboard.press("Enter")  # by keyboard: it asks first, focus on "Go back"; Tab, Enter confirms
    expect(page.get_by_role("alertdialog").get_by_role("button", name="Go back")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # focus comes back to the card, and stays on it when its buttons go
    expect(
        page.locator("#log .message.bot").filter(has_text="Recorded: Authorise (Authorisation)").last
    ).to_be_visible()
    expect(authorise).to_be_focused()
    form_for_authoriser = page.locator("#log .message.bot").filter(has_text="which you authorised")
    expect(form_for_authoriser.get_by_role("link", name=re.compile(r"Download .*\.pdf"))).to_be_visible()

    be(page, "medway", WORKER, "Wendy Worker")
    expect(page.locator("#log")).to_contain_text("how you stand")  # the earlier conversation is kept
    outcome = page.locator("#log .message.bot").filter(has_text="has been approved, effective from")
    expect(outcome).to_have_count(1)
    expect(outcome).to_contain_text("new message")
    expect(outcome).to_contain_text("spinal point is 41")
    with page.expect_download() as download:
        outcome.get_by_role(
            "link", name=re.compile(r"Download application-\d+-manager-authorisation.*\.pdf")
        ).click()
    pdf = download.value.path().read_bytes()  # the PDF itself, decoded in the page from the reply
    form = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
    assert "To spinal point: 41" in form and "Line manager: Maria Manager" in form
    shots(page, "03-outcome")

    page.set_viewport_size({"width": 390, "height": 844})
    outcome.scroll_into_view_if_needed()
    shots(page, "04-outcome-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"


def check_reasons_dialog_keyboard(page: Any, card: Any, shots: Any) -> None:
    """'NOT progressed' asks for the form's fields and reasons in a modal: focus goes in, Escape closes
    it, focus comes back."""
    decline = card.get_by_role("button", name="NOT progressed")
    decline.focus()
    page.keyboard.press("Enter")
    asked = page.get_by_role("alertdialog", name="NOT progressed: Wendy Worker?")  # it asks first
    expect(asked.get_by_role("button", name="Go back")).to_be_focused()
    page.keyboard.press("Tab")
    expect(asked.get_by_role("button", name="Yes: NOT progressed")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="NOT progressed: Line manager's recommendation")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label(re.compile("^All the competencies"))).to_be_focused()
    shots(page, "05-reasons-dialog")
    page.keyboard.press("Tab")
    expect(dialog.get_by_label(re.compile("^Good attendance"))).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(
        page.locator("#log .message.bot").filter(has=page.get_by_role("button", name=re.compile("Fill in")))
    ).to_have_count(1)


def test_coventry_decline_with_reasons_in_the_dialog_reaches_the_worker(page: Any, shots: Any) -> None:
    """A short application made entirely on the page, declined through the reasons dialog."""
    be(page, "coventry", "worker@coventry.example", "Wendy Worker")
    page.get_by_role("button", name="apply").click()
    last_bot(page).get_by_role("button", name=re.compile("Advanced Social Worker")).click()
    last_bot(page).get_by_role("button", name="Continue").click()
    expect(last_bot(page)).to_contain_text("short statement")
    say(page, "I have led complex child protection work for four years and mentor two newer colleagues.")
    last_bot(page).get_by_role("button", name="Yes, send it").click()
    last_bot(page).get_by_role("button", name="Submit").click()
    confirm(page, "Yes, submit it")
    expect(last_bot(page)).to_contain_text("sent it to Pat Panel, Pip Panel")  # the young people's panel

    be(page, "coventry", "panel@coventry.example", "Pat Panel")
    card = page.locator("#log .card").filter(has_text="Progression application: Wendy Worker")
    card.get_by_role("button", name="Does not yet meet the criteria").click()
    confirm(page, "Yes: Does not yet meet the criteria")
    dialog = page.get_by_role("dialog", name="Does not yet meet the criteria: Young people's panel")
    dialog.get_by_role("button", name="Submit").click()  # empty: the dialog says what is missing
    expect(dialog.get_by_role("alert")).to_contain_text("Please fill in")
    dialog.get_by_label(re.compile("^Reasons")).fill("The statement does not yet show the advanced practice.")
    dialog.get_by_label(re.compile("^Agreed actions")).fill("Lead a complex case review with your manager.")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog).to_be_hidden()
    expect(last_bot(page)).to_contain_text("Recorded: Does not yet meet the criteria")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Does not yet meet the criteria (Young people's panel) by Pat Panel")
    expect(card.get_by_role("button")).to_have_count(0)

    be(page, "coventry", "worker@coventry.example", "Wendy Worker")
    outcome = page.locator("#log .message.bot").filter(has_text="was not agreed this time")
    expect(outcome).to_contain_text("The statement does not yet show the advanced practice.")
    expect(outcome).to_contain_text("Lead a complex case review with your manager.")
    shots(page, "06-declined-outcome")
