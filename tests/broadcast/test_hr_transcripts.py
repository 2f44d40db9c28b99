"""HR in chat: panels, "when is the next panel?", broadcasts from compose to reach report, mute,
deadline reminders and unanswered questions; all through the real core and database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from dialogs.broadcast import release_due
from dialogs.messages import Reply
from knowledge.library import Library
from storage import applications
from storage.db import transaction
from storage.tables import Broadcast, OutboxMessage, Person, UnansweredQuestion
from tests.dialogs.conftest import Chat, Clock, all_text, find_button, reached_on

HR = "hr@medway.example"
WORKER = "worker@medway.example"


@pytest.fixture(autouse=True)
def staff_in_the_web_chat(sessions: sessionmaker[Session]) -> None:
    """As in the demo: the organisations' staff are reached in the web chat (the harness reads it)."""
    for org in ("medway", "bcc", "coventry"):
        reached_on(sessions, org, "web")


def add_panel(chat: Chat, who: str, **fields: str) -> list[Reply]:
    form = chat.say(who, "add panel")
    assert form[0].form is not None
    return chat.press(who, form[0].form.submit, **fields)


def broadcast_rows(sessions: sessionmaker[Session], broadcast_id: int | None = None) -> list[OutboxMessage]:
    with transaction(sessions) as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "broadcast")
        if broadcast_id is not None:
            query = query.where(OutboxMessage.broadcast_id == broadcast_id)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def emails_of(sessions: sessionmaker[Session], rows: list[OutboxMessage]) -> set[str]:
    with transaction(sessions) as session:
        ids = [row.recipient_person_id for row in rows]
        return set(session.scalars(select(Person.email).where(Person.id.in_(ids))))


def compose(chat: Chat, text: str, audience: str) -> list[Reply]:
    asked = chat.say(HR, f"broadcast: {text}")
    assert "Who should get it?" in all_text(asked)
    return chat.press(HR, find_button(asked, audience))


def test_only_hr_manages_panels_and_broadcasts(chat: Chat) -> None:
    for text in ("add panel", "broadcast: panel next week", "unanswered questions", "broadcasts"):
        assert "Only HR can" in all_text(chat.say(WORKER, text)), text
    refused = chat.press(WORKER, find_button(chat.say(HR, "hr"), "New broadcast"))
    assert "Only HR can" in all_text(refused)


def test_next_panel_comes_from_records_and_falls_back_to_the_policy(chat: Chat) -> None:
    before = all_text(chat.say("worker@bcc.example", "When is the next panel?"))
    assert "September and June" in before  # the policy's wording while HR has set no date
    assert "couldn't read" in all_text(add_panel(chat, "hr@bcc.example", sits_on="14 Jume 2027"))
    backwards = add_panel(chat, "hr@bcc.example", sits_on="14 June 2027", submission_deadline="1 July 2027")
    assert "comes after the panel date" in all_text(backwards)
    added = add_panel(chat, "hr@bcc.example", sits_on="14 June 2027", submission_deadline="24 May 2027",
                      location="Council House", members="PSW and two heads of service")  # fmt: skip
    assert "Panel added: Monday 14 June 2027, at Council House" in all_text(added)
    answer = all_text(chat.say("worker@bcc.example", "when is the next panel?"))
    assert "Monday 14 June 2027" in answer and "Monday 24 May 2027" in answer and "PSW" in answer
    listing = chat.say("hr@bcc.example", "panels")
    changed_form = chat.press("hr@bcc.example", find_button(listing, "Change"))
    assert changed_form[0].form is not None
    chat.press("hr@bcc.example", changed_form[0].form.submit, location="Woodcock Street")
    assert "Woodcock Street" in all_text(chat.say("worker@bcc.example", "When's the next panel date?"))
    cancel = find_button(chat.say("hr@bcc.example", "panels"), "Cancel panel")
    assert "Cancelled the panel" in all_text(chat.press("hr@bcc.example", cancel))
    assert "already cancelled" in all_text(chat.press("hr@bcc.example", cancel))  # a double click
    assert "September and June" in all_text(chat.say("worker@bcc.example", "When is the next panel?"))


def test_broadcast_to_a_framework_with_preview_send_and_reach_report(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    chat.say("nq@medway.example", "mute broadcasts")
    preview = compose(chat, "Panel 14 June 2027, portfolios by 24 May", "Children's framework")
    card = preview[0].card
    assert card is not None and "Panel 14 June 2027" in card.body
    # Children's framework at Medway: Sam, Tara, Tom, Wendy, Ned; Ned muted.
    assert "This will reach 4 people (4 on web)" in preview[0].text
    assert any(f.value.startswith("1 person has muted") for f in card.fields)
    # the text is the card's plain fallback, not a second copy beside it
    assert preview[0].text.startswith(card.title) and preview[0].text.count("Panel 14 June 2027") == 1
    sent = chat.press(HR, find_button(preview, "Send now"))
    assert "Sending to 4 people" in all_text(sent)
    again = chat.press(HR, find_button(preview, "Send now"))  # a double click sends nothing more
    assert "already sent" in all_text(again)
    rows = broadcast_rows(sessions)
    assert len(rows) == 4 and len({r.idempotency_key for r in rows}) == 4
    assert emails_of(sessions, rows) == {
        "sm@medway.example",
        "tm@medway.example",
        "tm2@medway.example",
        WORKER,
    }
    assert {r.channel for r in rows} == {"web"} and rows[0].address == {"email": rows[0].address["email"]}
    report = chat.press(HR, find_button(sent, "Reach report"))
    assert "delivered 0 (0%), going out 4, failed 0" in all_text(report)
    received = chat.inbox(WORKER)  # the harness delivers (marks delivered) like a sender
    assert "Panel 14 June 2027" in received[0].text and find_button(received, "Mute broadcasts")
    report = chat.press(HR, find_button(report, "Refresh"))
    assert "delivered 1 (25%), going out 3" in all_text(
        report
    ) and "• web: delivered 1, going out 3" in all_text(report)
    exported = chat.press(HR, find_button(report, "Download CSV"))[0].attachment
    assert exported is not None and exported.media_type == "text/csv"
    table = list(csv.DictReader(io.StringIO(exported.content)))
    assert len(table) == 4 and {r["status"] for r in table if r["email"] == WORKER} == {"delivered"}


def test_audiences_team_level_and_ready(chat: Chat) -> None:
    def reach(label: str, value: str | None = None) -> str:
        replies = compose(chat, "hello", label)
        if value is not None:
            replies = chat.press(HR, find_button(replies, value))
        return replies[0].text

    assert "reach 6 people" in reach("Everyone")
    nobody = chat.press(HR, find_button(compose(chat, "hello", "Everyone"), "Change audience"))
    nobody = chat.press(HR, find_button(nobody, "Adults' framework"))  # nobody at Medway is on it
    assert "reach 0 people (nobody)" in nobody[0].text
    assert nobody[0].card is not None and "Send now" not in [b.label for b in nobody[0].card.buttons]
    assert "reach 3 people" in reach("A team…", "Assessment")
    assert "reach 1 person (" in reach("A level…", "Level 2")  # Wendy, by her roster level
    # Wendy (level 2, qualified 2019) meets her next level's service rule; Ned (qualified 2026) does not.
    ready = reach("Eligible or nearly eligible")
    assert "reach 1 person (" in ready


def test_mute_holds_back_broadcasts_only_and_unmute_restores(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    muted = chat.say(WORKER, "mute broadcasts")
    assert "Broadcasts muted" in all_text(muted)
    assert "reach 5 people" in compose(chat, "one", "Everyone")[0].text
    assert "Broadcasts un-muted" in all_text(chat.press(WORKER, find_button(muted, "Un-mute")))
    assert "already get them" in all_text(chat.say(WORKER, "unmute broadcasts"))
    assert "reach 6 people" in compose(chat, "two", "Everyone")[0].text


def test_schedule_cancel_and_release(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    preview = compose(chat, "Scheduled news", "Everyone")
    form = chat.press(HR, find_button(preview, "Schedule"))
    assert form[0].form is not None
    assert {f.name: f.kind for f in form[0].form.fields} == {"on": "date", "at": "time"}  # the pickers
    past = chat.submit_form(HR, form[0], on="2020-01-01", at="09:00")
    assert "has passed" in all_text(past) and past[0].form is not None
    assert {f.name: f.value for f in past[0].form.fields} == {"on": "2020-01-01", "at": "09:00"}  # kept
    unreadable = chat.submit_form(HR, form[0], on="2026-12-01", at="25:00")
    assert unreadable[0].form is not None and unreadable[0].form.problems.keys() == {"at"}
    scheduled = chat.submit_form(HR, form[0], on="2026-12-01", at="09:30")
    assert "Scheduled for Tuesday 1 December 2026 at 09:30" in all_text(scheduled)
    second = compose(chat, "Will be cancelled", "Everyone")
    form2 = chat.press(HR, find_button(second, "Schedule"))
    cancelled = chat.press(
        HR, find_button(chat.submit_form(HR, form2[0], on="2 December 2026"), "Cancel it")
    )  # the time picker starts at 09:00
    assert "Cancelled" in all_text(cancelled)
    with transaction(sessions) as session:
        assert release_due(session, library, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == 0  # not yet
        assert release_due(session, library, datetime(2026, 12, 3, 9, 0, tzinfo=UTC)) == 6
        assert release_due(session, library, datetime(2026, 12, 3, 9, 0, tzinfo=UTC)) == 0  # once only
        statuses = {
            text: status for text, status in session.execute(select(Broadcast.text, Broadcast.status))
        }
    assert statuses == {"Scheduled news": "sent", "Will be cancelled": "cancelled"}
    listing = all_text(chat.say(HR, "broadcasts"))
    assert "sent" in listing and "cancelled" in listing


def test_deadline_reminder_goes_only_to_those_who_have_not_submitted(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    add_panel(chat, HR, sits_on="14 January 2027", submission_deadline="4 January 2027")
    sent = chat.press(HR, find_button(compose(chat, "Panel in January", "Children's framework"), "Send now"))
    reminder = chat.press(HR, find_button(sent, "Remind non-submitters"))
    assert "Monday 28 December 2026 at 09:00" in all_text(reminder)
    assert "already scheduled" in all_text(chat.press(HR, find_button(sent, "Remind non-submitters")))
    with transaction(sessions) as session:
        wendy = session.scalars(select(Person).where(Person.email == WORKER)).one()
        app = applications.create_application(session, org_id="medway", person_id=wendy.id,
                                              target_level="level-3", from_level="level-2", from_point=37,
                                              line_manager_id=wendy.line_manager_id)  # fmt: skip
        app.submitted_at = clock.now
        app.status = "awaiting:recommend"
    with transaction(sessions) as session:
        assert release_due(session, library, datetime(2026, 12, 28, 9, 0, tzinfo=UTC)) == 4
        reminder_id = session.scalars(select(Broadcast.id).where(Broadcast.text.startswith("Reminder"))).one()
    rows = broadcast_rows(sessions, reminder_id)
    assert WORKER not in emails_of(sessions, rows)
    assert "close on Monday 4 January 2027" in rows[0].payload["text"]


def test_unanswered_questions_by_week(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat.say(WORKER, "What's the best pizza topping?")
    chat.say(WORKER, "Can I get a parking permit?")
    with transaction(sessions) as session:  # the first was asked the week before
        first = session.scalars(
            select(UnansweredQuestion).where(UnansweredQuestion.question.contains("pizza"))
        ).one()
        first.asked_at = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
        session.execute(update(UnansweredQuestion).where(UnansweredQuestion.id != first.id)
                        .values(asked_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC)))  # fmt: skip
    listing = chat.say(HR, "unanswered questions")
    text = all_text(listing)
    assert "Week of Monday 16 November 2026: 1" in text and "Week of Monday 23 November 2026: 1" in text
    assert "pizza" in text and "parking permit" in text
    assert "pizza" not in all_text(chat.say("hr@bcc.example", "unanswered"))  # another organisation's
    exported = chat.press(HR, find_button(listing, "Download CSV"))[0].attachment
    assert exported is not None and "parking permit" in exported.content


def test_a_broadcast_where_the_organisation_has_no_platform_is_reported_not_left_waiting(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    # Nobody at Medway has talked to Pathway and Medway has not said where its staff are: before,
    # the copies were queued for the web chat, which nobody in a Slack or Teams council ever opens.
    reached_on(sessions, "medway")
    preview = compose(chat, "Panel 14 June 2027", "Everyone")
    assert (
        "This will reach 0 people (nobody). 6 more can't be reached: medway has not said which platform"
        in preview[0].text
    )
    assert "Send now" not in [b.label for b in preview[0].card.buttons]  # type: ignore[union-attr]
    reached_on(sessions, "medway", "slack")
    preview = chat.press(HR, find_button(preview, "Change audience"))
    preview = chat.press(HR, find_button(preview, "Everyone"))
    assert "This will reach 6 people (6 on slack)" in preview[0].text
    chat.press(HR, find_button(preview, "Send now"))
    rows = broadcast_rows(sessions)
    assert {r.channel for r in rows} == {"slack"} and all(set(r.address) == {"email"} for r in rows)
