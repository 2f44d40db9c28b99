"""'Decide it myself' in the web chat (issue 16): where the stage's own rule names the person an
escalation reaches (Medway's authorisation: "Service Managers and above"), their escalation card offers
it beside Reassign, citing the rule, and pressing it brings them the decision; then the application's
story as the worker, the authoriser and HR each read it (status, the card, history), and a decider's
note given with "…, with a note". Each screen is checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dialogs.staff import import_staff
from knowledge.library import Library
from storage.db import make_engine, session_factory, transaction
from tests.web.conftest import Demo
from tests.web.test_browser import expect, last_bot, page, say
from tests.web.test_decisions_browser import (
    MANAGER,
    SERVICE,
    WORKER,
    be,
    card_of,
    escalate,
    recommend_in_the_dialog,
    submit_through_the_api,
)

pytestmark = pytest.mark.timeout(240)
__all__ = ["page"]

HR, DIRECTOR = "hr@medway.example", "ad@medway.example"
# Ada Director above Sam Service on the roster, as HR's next import would put her.
ABOVE_SAM = """org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on
medway,ad@medway.example,Ada Director,service_manager,,Children,children,,,,,
medway,service@medway.example,Sam Service,service_manager,ad@medway.example,Social work,children,,,,,
"""


def test_decide_it_myself_on_an_escalation_and_the_story_as_each_reader_sees_it(
    page: Any, demo: Demo, shots: Any
) -> None:
    with transaction(session_factory(make_engine(demo.database_url))) as session:
        import_staff(session, Library.load(), ABOVE_SAM)
    submit_through_the_api(demo)

    be(page, "medway", MANAGER, "Maria Manager")
    recommend_in_the_dialog(page, card_of(page), "Strong court work this year")

    escalate(demo)  # the authorisation has waited on Sam: it goes to Ada, above him
    be(page, "medway", DIRECTOR, "Ada Director")
    escalated = card_of(page, "Escalated: Wendy Worker's application")
    expect(escalated).to_contain_text("You can reassign it, or make it yourself")
    expect(escalated).to_contain_text("Service Managers and above")
    expect(escalated.get_by_role("button", name="Decide it myself")).to_be_visible()
    shown = page.locator("#log .message.bot").filter(has=escalated)
    expect(shown.locator("p.text")).to_have_count(0)  # the card once, not its plain words above it too
    shots(page, "16d-03-escalation-with-decide-it-myself")
    escalated.get_by_role("button", name="Decide it myself").click()
    expect(page.locator("#log .message.bot").filter(has_text="is yours now")).to_have_count(1)
    authorise = card_of(page).filter(has_text="to authorise their application")
    expect(authorise).to_contain_text("Maria Manager recommended it ('Progressed')")
    expect(authorise).to_contain_text("Note: Strong court work this year.")
    expect(authorise).to_contain_text("took over the Authorisation when it was escalated")
    expect(authorise.get_by_role("button", name="Authorise, with a note")).to_be_visible()
    shots(page, "16d-04-card-as-the-authoriser-after-taking-it-over")
    authorise.get_by_role("button", name="Authorise, with a note").click()
    noted = page.get_by_role("dialog", name="Authorise: Authorisation")
    noted.get_by_label(re.compile("^A note")).fill("Well evidenced across the framework")
    shots(page, "16d-05-authorising-with-a-note")
    noted.get_by_role("button", name="Submit").click()
    expect(page.locator("#log .message.bot").filter(has_text="Recorded: Authorise").last).to_be_visible()

    be(page, "medway", WORKER, "Wendy Worker")
    say(page, "history")
    expect(last_bot(page)).to_contain_text("Note: Well evidenced across the framework.")
    shots(page, "16d-06-history-as-the-worker")

    be(page, "medway", HR, "Harriet HR")
    say(page, "history Wendy Worker")
    expect(last_bot(page)).to_contain_text("Ada Director authorised it ('Authorise')")
    shots(page, "16d-07-history-as-hr")
    be(page, "medway", SERVICE, "Sam Service")
    redrawn = card_of(page).filter(has_text="has taken over")
    expect(redrawn.first).to_be_visible()
    shots(page, "16d-08-card-redrawn-for-the-escalated-decider")
