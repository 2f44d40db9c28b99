"""Withdrawing, status for every role and buttons drawn before a change, in the web chat (issue 16):
the worker withdraws a sent application (asked first), the line manager's card is redrawn as
withdrawn, HR's Reassign offer drawn before it does nothing and says what happened, and status is
never empty for the manager or HR. Each screen is checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import Demo
from tests.web.test_browser import expect, last_bot, page, say
from tests.web.test_decisions_browser import MANAGER, WORKER, be, card_of, submit_through_the_api

pytestmark = pytest.mark.timeout(240)
__all__ = ["page"]

HR = "hr@medway.example"


def test_withdrawing_redraws_the_card_and_an_older_reassign_button_does_nothing(
    page: Any, demo: Demo, shots: Any
) -> None:
    submit_through_the_api(demo)
    be(page, "medway", HR, "Harriet HR")
    say(page, "reassign 1")
    offer = page.locator("#log .message.bot").filter(has_text="Who should make it instead?")
    expect(offer.get_by_role("button", name="Reassign to Pat Panel")).to_be_visible()

    be(page, "medway", WORKER, "Wendy Worker")
    say(page, "withdraw my application")
    expect(last_bot(page)).to_contain_text("Withdraw your application for Level 3 Social Worker?")
    shots(page, "16d-09-withdraw-asks-first")
    last_bot(page).get_by_role("button", name="Yes, withdraw it").click()
    expect(last_bot(page)).to_contain_text("Withdrawn: your application for Level 3 Social Worker")

    be(page, "medway", MANAGER, "Maria Manager")
    withdrawn = card_of(page, "Progression application: Wendy Worker (withdrawn)")
    expect(withdrawn.first).to_contain_text("Wendy Worker withdrew this application")
    expect(withdrawn.first.get_by_role("button")).to_have_count(0)
    say(page, "status")
    expect(last_bot(page)).to_contain_text("Nothing is waiting for you.")
    shots(page, "16d-10-card-withdrawn-and-status-as-the-line-manager")

    be(page, "medway", HR, "Harriet HR")
    offer.get_by_role("button", name="Reassign to Pat Panel").click()
    expect(last_bot(page)).to_contain_text("Nothing was changed: the application changed just before.")
    expect(last_bot(page)).to_contain_text("Wendy Worker withdrew it")
    shots(page, "16d-11-an-older-reassign-button-does-nothing")
    say(page, "status")
    expect(last_bot(page)).to_contain_text("Nothing is waiting for you.")
