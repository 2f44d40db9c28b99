"""Who decides, in the web chat (issue 16): the line manager's card addressed to her, an escalation
that offers Reassign rather than buttons that would refuse, a service manager reassigning it, the
card as its new decider and its old one see it, the authoriser's card with the story so far, the
recommender told the outcome, and help as HR reads it. Each screen is checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from dialogs.reminders import ReminderPolicy, send_reminders
from dialogs.when import long_date, uk_today
from knowledge.library import Library
from storage.columns import utc_now
from storage.db import make_engine, session_factory, transaction
from tests.web.conftest import Demo, post_turn
from tests.web.test_browser import EXAMPLE, confirm, expect, last_bot, page, say

pytestmark = pytest.mark.timeout(240)
__all__ = ["page"]

WORKER, MANAGER, SERVICE, PANEL, HR = (
    "worker@medway.example", "manager@medway.example", "service@medway.example", "panel@medway.example",
    "hr@medway.example",
)  # fmt: skip


def press(demo: Demo, who: str, replies: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """Press the button with this label in these replies, through the page's API."""
    for reply in replies:
        for found in [*reply["buttons"], *((reply.get("card") or {}).get("buttons") or [])]:
            if found["label"] == label:
                return post_turn(demo.base, {"org": "medway", "as": who, "action": found["action"]})[
                    "replies"
                ]  # type: ignore[no-any-return]
    raise AssertionError(f"no button {label!r}")


def submit_through_the_api(demo: Demo) -> None:
    """Wendy's application for level 3, sent: the same turns the page sends, without typing 60 examples."""
    replies = post_turn(demo.base, {"org": "medway", "as": WORKER, "text": "I want to go for level 3"})[
        "replies"
    ]
    replies = press(demo, WORKER, replies, "Continue")
    for n in range(1, 61):
        replies = post_turn(
            demo.base, {"org": "medway", "as": WORKER, "text": EXAMPLE.format("practice", n)}
        )["replies"]
    replies = post_turn(demo.base, {"org": "medway", "as": WORKER, "text": "continue"})["replies"]
    replies = press(demo, WORKER, replies, "Yes, send it")
    replies = press(demo, WORKER, replies, "Submit")
    assert "sent it to Maria Manager" in " ".join(r["text"] for r in replies)


def escalate(demo: Demo) -> None:
    """What `pathway remind` does, ten days on: the decision is escalated."""
    sessions = session_factory(make_engine(demo.database_url))
    with transaction(sessions) as session:
        send_reminders(
            session, Library.load(), utc_now() + timedelta(days=10), ReminderPolicy(3, 6), channel="web"
        )


def be(page: Any, org: str, email: str, name: str) -> None:
    """Pick the person and wait until their stream is open: it says so, or announces a card redrawn
    on arrival (a decision passed on while they were away from the page), which only comes once open."""
    page.get_by_label("Organisation").select_option(org)
    expect(page.get_by_label("You are").locator(f"option[value='{email}']")).to_be_attached()
    page.get_by_label("You are").select_option(email)
    expect(page.locator("#connection")).to_contain_text(re.compile(f"Connected as {name}|Updated: "))


def card_of(page: Any, title: str = "Progression application: Wendy Worker") -> Any:
    return page.locator("#log .card").filter(has_text=title)


def recommend_in_the_dialog(page: Any, card: Any, note: str) -> None:
    """Press Progressed on the card, confirm (a decisive button asks first) and fill in Medway's form."""
    card.get_by_role("button", name="Progressed", exact=True).click()
    confirm(page, "Yes: Progressed")
    dialog = page.get_by_role("dialog", name="Progressed: Line manager's recommendation")
    dialog.get_by_label(re.compile("^All the competencies")).fill("met")
    dialog.get_by_label(re.compile("^Good attendance")).fill("have")
    dialog.get_by_label(re.compile("^A note")).fill(note)
    dialog.get_by_role("button", name="Submit").click()
    expect(last_bot(page)).to_contain_text("Recorded: Progressed")


def test_escalated_decision_reassigned_and_the_card_as_each_recipient_sees_it(
    page: Any, demo: Demo, shots: Any
) -> None:
    submit_through_the_api(demo)

    be(page, "medway", MANAGER, "Maria Manager")
    mine = card_of(page)
    expect(mine).to_contain_text("Wendy Worker asks you, as their line manager, for your recommendation")
    expect(mine).to_contain_text("Marks: ? the roster doesn't show it")
    shots(page, "16b-01-card-as-the-line-manager")

    escalate(demo)
    be(page, "medway", SERVICE, "Sam Service")
    escalated = card_of(page, "Escalated: Wendy Worker's application")
    expect(escalated).to_contain_text("has waited")
    expect(escalated.get_by_role("button", name="Progressed", exact=True)).to_have_count(0)
    shots(page, "16b-02-escalation-card-as-the-service-manager")
    escalated.get_by_role("button", name="Reassign").click()
    offer = page.locator("#log .message.bot").filter(has_text="Who should make it instead?")
    expect(offer.get_by_role("button", name="Reassign to Pat Panel")).to_be_visible()
    shots(page, "16b-03-reassign-offer")
    offer.get_by_role("button", name="Reassign to Pat Panel").click()
    expect(last_bot(page)).to_contain_text("now waits on Pat Panel")
    shots(page, "16b-04-reassigned")

    be(page, "medway", MANAGER, "Maria Manager")  # the card and the reminder's copy of it, both redrawn
    expect(mine.filter(has_text="Sam Service has passed the Line manager's recommendation")).to_have_count(2)
    expect(mine.get_by_role("button")).to_have_count(0)
    shots(page, "16b-05-card-redrawn-for-the-old-decider")

    be(page, "medway", PANEL, "Pat Panel")
    theirs = card_of(page)
    expect(theirs).to_contain_text("Sam Service has passed this decision to you (it was with Maria Manager)")
    expect(theirs).to_contain_text("asks you, in place of their line manager, for your recommendation")
    shots(page, "16b-06-card-as-the-new-decider")
    recommend_in_the_dialog(page, theirs, "Strong court work this year")

    be(page, "medway", SERVICE, "Sam Service")
    authorise = card_of(page).filter(has_text="to authorise their application")
    expect(authorise).to_contain_text("Pat Panel recommended it ('Progressed')")
    expect(authorise).to_contain_text("Note: Strong court work this year.")
    expect(authorise).to_contain_text(
        "you passed the Line manager's recommendation from Maria Manager to Pat Panel"
    )
    shots(page, "16b-07-card-as-the-authoriser")
    authorise.get_by_role("button", name="Authorise", exact=True).click()
    confirm(page, "Yes: Authorise")
    expect(page.locator("#log .message.bot").filter(has_text="Recorded: Authorise").last).to_be_visible()

    be(page, "medway", PANEL, "Pat Panel")
    news = page.locator("#log .message.bot").filter(has_text="News of Wendy Worker's application")
    expect(news).to_contain_text("Sam Service authorised it ('Authorise')")
    shots(page, "16b-08-recommender-told-the-outcome")

    be(page, "medway", HR, "Harriet HR")
    say(page, "help")
    expect(last_bot(page)).to_contain_text("'reassign <number> to <email>'")
    shots(page, "16b-09-help-as-hr")

    be(page, "medway", MANAGER, "Maria Manager")
    say(page, "out of office")
    away = page.get_by_role("dialog", name="Out of office")
    away.get_by_label(re.compile("^Who decides for you")).fill(PANEL)
    last_day = away.get_by_label(re.compile("^Your last day away"))
    assert last_day.get_attribute("type") == "date"  # the browser's date picker
    back_on = uk_today(utc_now()) + timedelta(days=30)  # within Pathway's 90 days
    last_day.fill(back_on.isoformat())
    shots(page, "16b-10-out-of-office-form")
    away.get_by_role("button", name="Submit").click()
    expect(last_bot(page)).to_contain_text(f"Out of office until {long_date(back_on)}")
    shots(page, "16b-11-out-of-office-recorded")
