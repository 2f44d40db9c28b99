"""Forms and decisive buttons in the web chat (issue 16), in Debian's Chromium: a panel date chosen with
the browser's date picker; a bad one keeps the dialog open with everything typed and the problem beside
its box; Send asks first in a confirming dialog. Every screen stopped at is checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.test_browser import be, confirm, expect, last_bot, page, say

pytestmark = pytest.mark.timeout(180)
__all__ = ["page"]  # the fixture, shared with the browser flows

HR = "hr@medway.example"


def test_a_bad_panel_date_keeps_the_dialog_open_with_what_was_typed(page: Any, shots: Any) -> None:
    be(page, "medway", HR, "Harriet HR")
    say(page, "add a panel")
    dialog = page.get_by_role("dialog", name="Add a panel")
    sits_on = dialog.get_by_label("Panel date")
    deadline = dialog.get_by_label("Submission deadline (optional)")
    assert sits_on.get_attribute("type") == deadline.get_attribute("type") == "date"  # the browser's picker
    sits_on.fill("2027-06-14")
    deadline.fill("2027-06-30")
    dialog.get_by_label("Where (optional)").fill("Room 4")
    shots(page, "16c-01-panel-date-picker")

    dialog.get_by_role("button", name="Submit").click()
    problem = "The submission deadline comes after the panel date: please check them."
    expect(dialog.locator(".field-error")).to_have_text(problem)  # beside its box, the dialog still open
    expect(deadline).to_have_attribute("aria-invalid", "true")
    expect(deadline).to_have_accessible_description(problem)
    expect(deadline).to_be_focused()
    expect(dialog.get_by_role("alert")).to_have_text("One box needs correcting: see the message under it.")
    expect(sits_on).to_have_value("2027-06-14")
    expect(deadline).to_have_value("2027-06-30")
    expect(dialog.get_by_label("Where (optional)")).to_have_value("Room 4")
    shots(page, "16c-02-panel-inline-error")

    deadline.fill("2027-05-24")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog).to_be_hidden()
    expect(last_bot(page)).to_contain_text(
        "Panel added: Monday 14 June 2027, at Room 4, submissions by Monday 24 May 2027"
    )


def test_send_now_asks_first_and_going_back_sends_nothing(page: Any, shots: Any) -> None:
    be(page, "medway", HR, "Harriet HR")
    say(page, "broadcast: Portfolios are due on 24 May.")
    last_bot(page).get_by_role("button", name="Everyone").click()
    preview = page.locator("#log .card").filter(has_text="Broadcast preview").last
    expect(preview).to_be_visible()
    expect(last_bot(page).locator("p.text")).to_have_count(0)  # the reply's text is the card's: shown once
    send = preview.get_by_role("button", name="Send now")
    send.click()
    asked = page.get_by_role("alertdialog", name=re.compile(r"^Send this broadcast to \d+ people now\?$"))
    expect(asked).to_contain_text("can't be called back")
    expect(asked.get_by_role("button", name="Go back")).to_be_focused()  # the safe answer comes first
    shots(page, "16c-03-confirm-send")
    page.keyboard.press("Enter")
    expect(asked).to_be_hidden()
    expect(send).to_be_focused()
    expect(page.locator("#log")).not_to_contain_text("Sending to")
    send.click()
    confirm(page, "Yes, send it")
    sending = page.locator("#log .message.bot").filter(has_text=re.compile(r"Sending to \d+ people now"))
    expect(sending).to_have_count(1)  # (HR, among everyone, is sent the broadcast too)


def test_scheduling_a_broadcast_picks_day_and_time_and_a_past_one_stays_in_the_dialog(
    page: Any, shots: Any
) -> None:
    be(page, "medway", HR, "Harriet HR")
    say(page, "broadcast: Portfolios are due on 24 May.")
    # Not the last message: the broadcast the test before sent reaches HR too, and may arrive after this reply.
    page.locator("#log .message.bot").filter(
        has=page.get_by_role("button", name="Everyone")
    ).last.get_by_role("button", name="Everyone").click()
    page.locator("#log .card").filter(has_text="Broadcast preview").last.get_by_role(
        "button", name="Schedule…"
    ).click()
    dialog = page.get_by_role("dialog", name="Schedule the broadcast")
    day, at = dialog.get_by_label("Day it goes out"), dialog.get_by_label("Time it goes out (UK time)")
    assert (day.get_attribute("type"), at.get_attribute("type")) == ("date", "time")  # the browser's pickers
    expect(at).to_have_value("09:00")
    day.fill("2020-01-01")
    at.fill("09:30")
    shots(page, "16d-01-schedule-date-and-time-pickers")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.locator(".field-error")).to_contain_text("has passed")
    expect(day).to_have_value("2020-01-01")
    expect(at).to_have_value("09:30")
    shots(page, "16d-02-schedule-inline-error")
    day.fill("2030-06-03")
    at.fill("14:15")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog).to_be_hidden()
    expect(
        page.locator("#log .message.bot").filter(has_text="Scheduled for Monday 3 June 2030 at 14:15")
    ).to_have_count(1)
