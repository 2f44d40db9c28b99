"""Transcripts of the other paths: the review window, resuming, reminders, bad input (each council's
own process is in test_council_processes)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.conversation import Conversation
from dialogs.messages import Action, Reply
from dialogs.reminders import ReminderPolicy, send_reminders
from knowledge.library import Library
from knowledge.working_days import add_working_days
from storage.db import transaction
from storage.tables import Application, EvidenceItem, UnansweredQuestion
from tests.dialogs.conftest import Chat, Clock, all_text, find_button

STATEMENT = "I hold the Post Graduate Diploma and my portfolio shows learning applied to complex casework over two years."


def draft_to_summary(chat: Chat, who: str, start: str) -> list[Reply]:
    """Start an application and answer every step generically until the summary."""
    replies = chat.say(who, start)
    if "Which level" in all_text(replies):
        replies = chat.press(who, replies[-1].buttons[0])
    replies = chat.press(who, find_button(replies, "Continue"))
    for _ in range(100):
        text = all_text(replies)
        if "Send your application?" in text:
            return chat.press(who, find_button(replies, "Yes, send it"))
        replies = chat.say(who, STATEMENT)
    raise AssertionError("never reached the line manager step")


def submit(chat: Chat, who: str, start: str) -> None:
    replies = draft_to_summary(chat, who, start)
    assert "Submitted" in all_text(chat.press(who, find_button(replies, "Submit")))


def test_review_after_the_window_is_refused_with_the_closing_date(chat: Chat, clock: Clock) -> None:
    submit(chat, "worker@medway.example", "apply for level 3")
    card = chat.inbox("tm@medway.example")[0]
    chat.press("tm@medway.example", find_button([card], "NOT progressed"), reasons="r", actions="a",
               competencies="not met", attendance_punctuality_diversity="have")  # fmt: skip
    closes = add_working_days(clock.now.date(), 10)
    clock.advance(days=30)
    late = all_text(chat.say("worker@medway.example", "request a review"))
    assert f"closed on {closes:%-d %B %Y}" in late


def test_resume_after_restart_status_back_edit_and_questions(
    chat: Chat, library: Library, sessions: sessionmaker[Session], clock: Clock
) -> None:
    replies = chat.say("worker@medway.example", "start an application")
    replies = chat.press("worker@medway.example", find_button(replies, "Level 3"))
    chat.press("worker@medway.example", find_button(replies, "Continue"))
    for n in range(3):
        chat.say(
            "worker@medway.example",
            f"I recorded a contested visit the same day, separating fact from opinion ({n}).",
        )
    answer = chat.say("worker@medway.example", "how much is SCP 41?")
    assert "£34,549" in all_text(answer) and "still open" in all_text(answer)

    restarted = Chat(Conversation(library, sessions, clock=clock), sessions)  # a new process, same database
    resumed = all_text(restarted.say("worker@medway.example", "continue"))
    assert "1. Recording: 3 of about 3 examples" in resumed  # the evidence page, every item on it
    assert "\n2 of 20: Assessments" in resumed  # and the item open for typing
    status = all_text(restarted.say("worker@medway.example", "status"))
    assert "1 of 20 competencies have 3 examples" in status and "Assessments" in status
    edit = restarted.say("worker@medway.example", "edit child protection")
    assert edit[0].form is not None and edit[0].form.title == "Child Protection"
    assert "5 of 20: Child Protection" in all_text(edit)
    back = all_text(restarted.say("worker@medway.example", "back"))
    assert "here is how you stand" in back  # back from the evidence page is the checklist


def test_identifying_details_are_caught_before_saving(chat: Chat, sessions: sessionmaker[Session]) -> None:
    replies = chat.say("worker@medway.example", "apply for level 3")
    chat.press("worker@medway.example", find_button(replies, "Continue"))
    warned = chat.say(
        "worker@medway.example",
        "I visited Jamie Smith at 14 Elm Road, ME4 4TR, DOB 02/03/2015, and recorded it.",
    )
    text = all_text(warned)
    assert "an address or postcode" in text and "date of birth" in text and "full name" in text
    with sessions() as session:
        assert session.scalars(select(EvidenceItem)).all() == []
    chat.press("worker@medway.example", find_button(warned, "rephrase"))
    saved = chat.say(
        "worker@medway.example", "I visited a child at home after a referral and recorded it within a day."
    )
    assert "Saved example 1" in all_text(saved)


def test_cancel_needs_confirming_and_withdraws(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat.say("worker@medway.example", "apply for level 3")
    asked = chat.say("worker@medway.example", "cancel")
    kept = chat.press("worker@medway.example", find_button(asked, "No, keep going"))
    assert "carrying on" in all_text(kept)
    asked = chat.say("worker@medway.example", "cancel")
    chat.press("worker@medway.example", find_button(asked, "Yes, cancel"))
    with sessions() as session:
        assert session.scalars(select(Application.status)).all() == ["withdrawn"]
    assert "apply" in all_text(chat.say("worker@medway.example", "continue"))


def test_reminders_then_escalation_once_each(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    submit(chat, "worker@medway.example", "apply for level 3")  # Monday 23 November 2026
    chat.inbox("tm@medway.example")
    policy = ReminderPolicy(remind_after=3, escalate_after=6)
    # Calendar days after submission -> (reminders to the line manager, escalations to the service manager).
    for days, to_manager, to_service in ((2, 0, 0), (3, 1, 0), (7, 0, 0), (8, 0, 1), (20, 0, 0)):
        with transaction(sessions) as session:
            send_reminders(session, library, clock.now + timedelta(days=days), policy)
        assert len(chat.inbox("tm@medway.example")) == to_manager, days
        assert len(chat.inbox("sm@medway.example")) == to_service, days


def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    stranger = chat.say("nobody@medway.example", "what do I need for level 3?")
    assert "can't find you" in all_text(stranger)
    huge = chat.say("worker@medway.example", "x" * 50_000)
    assert "too long" in all_text(huge)
    empty = chat.say("worker@medway.example", "   ")
    assert "didn't catch" in all_text(empty)
    odd = chat.press("worker@medway.example", Action(name="no_such_button"))
    assert "don't recognise" in all_text(odd)
    forged = chat.press(
        "worker@medway.example",
        Action(name="decide", data={"application": 999, "stage": "x", "outcome": "approved"}),
    )
    assert "couldn't match" in all_text(forged)
    stale = chat.press("worker@medway.example", Action(name="apply_submit"))
    assert "finished" in all_text(stale)
    chat.say("worker@medway.example", "apply")
    early = chat.press("worker@medway.example", Action(name="apply_continue"))  # a button of a later step
    assert "belongs to another step" in all_text(early) and "Which level" in all_text(early)
    with sessions() as session:
        assert session.scalars(select(Application)).all() == []  # choosing a level is what creates one


def test_declined_questions_are_kept_for_hr(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat.say("worker@medway.example", "what's the canteen menu today?")
    chat.say("worker@medway.example", "when is the next panel?")
    with sessions() as session:
        kept = session.scalars(select(UnansweredQuestion.question)).all()
    assert kept == ["what's the canteen menu today?", "when is the next panel?"]


def test_today_is_fixed_for_these_transcripts(clock: Clock) -> None:
    assert clock.now.date() == date(2026, 11, 23)


def test_evidence_that_starts_like_an_hr_command_is_saved_as_evidence(chat: Chat) -> None:
    replies = chat.say("worker@medway.example", "apply for level 3")
    chat.press("worker@medway.example", find_button(replies, "Continue"))
    saved = chat.say(
        "worker@medway.example", "Broadcast: I briefed the team on the new referral pathway and audited it."
    )
    assert "Saved example 1" in all_text(saved)
