"""Transcripts of forms that come back with what was entered, confirmations on decisive buttons, and
buttons that act only at their own step and version (issue 16): through the real core and database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.messages import Form, Reply
from storage.tables import Application, Broadcast, OutboxMessage, Panel
from tests.dialogs.conftest import Chat, all_text, find_button, reached_on
from tests.dialogs.test_workflows import draft_to_summary, submit

WORKER, MANAGER, OTHER_MANAGER, HR = (
    "worker@medway.example", "tm@medway.example", "tm2@medway.example", "hr@medway.example"
)  # fmt: skip
RECORDED = {"competencies": "met", "attendance_punctuality_diversity": "have"}  # Medway's form, recommending


@pytest.fixture(autouse=True)
def staff_in_the_web_chat(sessions: sessionmaker[Session]) -> None:
    reached_on(sessions, "medway", "web")


def form_of(replies: list[Reply]) -> Form:
    [form] = [r.form for r in replies if r.form is not None]
    return form


def status_of(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return session.scalars(select(Application.status).order_by(Application.id.desc())).first() or ""


# --- forms that keep what was entered -------------------------------------------------------------------


def test_a_bad_panel_date_comes_back_with_everything_entered_and_the_problem_beside_its_field(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    form = form_of(chat.say(HR, "add panel"))
    assert [(f.name, f.kind) for f in form.fields][:2] == [
        ("sits_on", "date"),
        ("submission_deadline", "date"),
    ]
    assert not form.problems  # asked for the first time: nothing is wrong yet

    entered = {
        "sits_on": "2027-06-14",
        "submission_deadline": "2027-06-30",
        "location": "Room 4",
    }  # as pickers send
    refused = form_of(chat.press(HR, form.submit, **entered))
    fields = {f.name: f for f in refused.fields}
    assert (
        fields["submission_deadline"].error
        == "The submission deadline comes after the panel date: please check them."
    )
    assert (fields["sits_on"].value, fields["submission_deadline"].value, fields["location"].value) == (
        "2027-06-14", "2027-06-30", "Room 4")  # fmt: skip
    assert fields["sits_on"].error is None and fields["location"].error is None
    assert refused.submit.data["form"] == form.submit.data["form"]  # the same form, to be redrawn where it is
    unreadable = form_of(chat.press(HR, form.submit, sits_on="31/13/2027"))
    assert "couldn't read '31/13/2027' as a date" in str(unreadable.problems["sits_on"])
    assert {f.name: f.value for f in unreadable.fields}["sits_on"] == "31/13/2027"

    again = chat.press(HR, form.submit, **entered)  # sent again unchanged, from the form kept open
    assert "already sent" not in all_text(again) and form_of(again).problems
    with sessions() as session:
        assert session.scalars(select(Panel)).all() == []

    fixed = {**entered, "submission_deadline": "2027-05-24"}
    assert "Panel added: Monday 14 June 2027, at Room 4, submissions by Monday 24 May 2027" in all_text(
        chat.press(HR, form.submit, **fixed)
    )
    assert "already sent that form" in all_text(chat.press(HR, form.submit, **fixed))  # a double click
    typed = chat.press(HR, form_of(chat.say(HR, "add panel")).submit, sits_on="14 September 2027")
    assert "Panel added: Tuesday 14 September 2027" in all_text(typed)  # a typed UK date, as in plain chat


def test_changing_a_panel_shows_what_is_recorded(chat: Chat) -> None:
    chat.press(HR, form_of(chat.say(HR, "add panel")).submit, sits_on="2027-06-14", location="Room 4")
    change = find_button(chat.say(HR, "panels"), "Change")
    fields = {f.name: f.value for f in form_of(chat.press(HR, change)).fields}
    assert fields["sits_on"] == "2027-06-14" and fields["location"] == "Room 4"


def test_a_decision_form_with_a_bad_answer_keeps_the_others(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    card = chat.inbox(MANAGER)[0]
    form = form_of(chat.press(MANAGER, find_button([card], "NOT progressed")))
    assert not form.problems
    refused = form_of(chat.press(MANAGER, form.submit, competencies="maybe", attendance_punctuality_diversity="have",
                                 reasons="Two examples are thin.", actions=""))  # fmt: skip
    fields = {f.name: f for f in refused.fields}
    assert fields["competencies"].error == "Please record All the competencies appropriate: met or not met."
    assert fields["actions"].error == "Please give your reasons and the agreed actions."
    assert fields["reasons"].value == "Two examples are thin." and fields["reasons"].error is None
    assert status_of(sessions) == "awaiting:recommend"


# --- confirmations ---------------------------------------------------------------------------------------


def test_decisive_buttons_ask_before_they_act(chat: Chat) -> None:
    summary = draft_to_summary(chat, WORKER, "apply for level 3")
    asks = find_button(summary, "Submit").confirm
    assert asks is not None and asks.yes == "Yes, submit it"
    assert "Tara Manager for the Line manager's recommendation" in asks.text
    chat.press(WORKER, find_button(summary, "Submit"))
    card = chat.inbox(MANAGER)[0]
    for label, then in (
        ("Progressed", "Next you fill in what the form records."),
        ("NOT progressed", "Next you fill in what the form records and your reasons and the agreed actions."),
    ):
        asked = find_button([card], label).confirm
        assert asked is not None and asked.title == f"{label}: Wendy Worker?", asked
        assert "Wendy Worker's application for Level 3 Social Worker" in asked.text and then in asked.text
    assert find_button([card], "Read all the evidence").confirm is None  # only what decides asks

    withdraw = find_button(chat.say(WORKER, "status"), "Withdraw")
    assert withdraw.confirm is not None and withdraw.confirm.yes == "Yes, withdraw it"
    assert "Withdrawn" in all_text(chat.press(WORKER, withdraw))


# --- buttons act only at their own step and version ------------------------------------------------------


# The evidence page's own buttons name their item: an old "Skip for now" acts only on the item it was
# drawn for (tests/dialogs/test_evidence_forms_and_files.py::test_an_old_skip_button_acts_only_on_its_own_item).


def test_an_old_cancel_answer_does_not_cancel_the_draft(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat.say(WORKER, "apply for level 3")
    asked = chat.say(WORKER, "cancel")
    chat.press(WORKER, find_button(asked, "No, keep going"))
    late = chat.press(WORKER, find_button(asked, "Yes, cancel it"))
    assert "no longer open, so it did nothing" in all_text(late)
    assert status_of(sessions) == "drafting"


def test_the_summarys_cancel_after_submitting_does_not_ask_about_the_sent_application(chat: Chat) -> None:
    summary = draft_to_summary(chat, WORKER, "apply for level 3")
    chat.press(WORKER, find_button(summary, "Submit"))
    late = all_text(chat.press(WORKER, find_button(summary, "Cancel")))
    assert "no longer open" in late and "Withdraw your application" not in late


def test_sending_acts_only_on_the_audience_its_preview_showed(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    preview = chat.press(HR, find_button(chat.say(HR, "broadcast: Panel news"), "Everyone"))
    old_send = find_button(preview, "Send now")
    assert old_send.confirm is not None and "can't be called back" in old_send.confirm.text
    chosen = chat.press(HR, find_button(chat.press(HR, find_button(preview, "Change audience")), "A team"))
    chat.press(HR, find_button(chosen, "Looked After"))
    stale = chat.press(HR, old_send)
    assert "from a preview of another audience" in all_text(stale) and "nothing was sent" in all_text(stale)
    assert any(r.card and r.card.title == "Broadcast preview" for r in stale)  # the preview as it stands
    with sessions() as session:
        assert session.scalars(select(Broadcast.status)).one() == "draft"
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "broadcast")).all() == []
    assert "Sending to 1 person now" in all_text(chat.press(HR, find_button(stale, "Send now")))


def test_a_withdraw_button_from_before_the_application_moved_on_asks_again(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    asked = chat.say(WORKER, "withdraw my application")
    card = chat.inbox(MANAGER)[0]
    chat.press(MANAGER, find_button([card], "Progressed"), **RECORDED)
    late = all_text(chat.press(WORKER, find_button(asked, "Yes, withdraw it")))
    assert "from before your application moved on, so nothing was withdrawn" in late
    assert "It is waiting for the Authorisation" in late
    assert status_of(sessions) == "awaiting:authorise"


# --- withdrawing in words, and not while a review is pending ---------------------------------------------


def test_a_typed_yes_confirms_the_withdrawal_question_just_asked(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    assert "Say 'yes'" in all_text(chat.say(WORKER, "withdraw my application"))
    assert "Withdrawn" in all_text(chat.say(WORKER, "yes"))
    assert status_of(sessions) == "withdrawn"


def test_the_withdrawal_question_lapses_when_something_else_is_said(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    chat.say(WORKER, "withdraw my application")
    chat.say(WORKER, "status")
    assert "Withdrawn" not in all_text(chat.say(WORKER, "yes"))
    assert status_of(sessions) == "awaiting:recommend"
    chat.say(WORKER, "withdraw my application")
    assert "stays as it is" in all_text(chat.say(WORKER, "no"))
    assert status_of(sessions) == "awaiting:recommend"


def test_no_withdrawal_while_a_review_is_pending_and_it_says_why(chat: Chat) -> None:
    submit(chat, WORKER, "apply for level 3")
    card = chat.inbox(MANAGER)[0]
    chat.press(MANAGER, find_button([card], "NOT progressed"), reasons="Thin examples.", actions="More examples.",
               competencies="not met", attendance_punctuality_diversity="have")  # fmt: skip
    asked = chat.say(WORKER, "request a review")
    chat.press(WORKER, form_of(asked).submit, reasons="My examples were not read in full.")
    said = all_text(chat.say(WORKER, "withdraw my application"))
    assert (
        "can't be withdrawn while its review is pending" in said and "no application in progress" not in said
    )


# --- history by name ---------------------------------------------------------------------------------------


def test_history_by_name_for_managers_and_hr(chat: Chat) -> None:
    submit(chat, WORKER, "apply for level 3")
    card = chat.inbox(MANAGER)[0]
    chat.press(MANAGER, find_button([card], "NOT progressed"), reasons="Thin examples.", actions="More examples.",
               competencies="not met", attendance_punctuality_diversity="have")  # fmt: skip
    for who, asked in (
        (MANAGER, "history Wendy"),
        (HR, "history of wendy@medway.example"),
        (HR, "history wendi worker"),
    ):
        seen = all_text(chat.say(who, asked))
        assert (
            seen.startswith("Wendy Worker's applications (1), newest first:")
            and "Reasons: Thin examples." in seen
        )
    refused = all_text(chat.say(OTHER_MANAGER, "history Wendy Worker"))
    assert (
        "can't show you any applications of anyone called 'wendy worker'" in refused and "Thin" not in refused
    )
    question = all_text(chat.say(WORKER, "history of the career framework"))
    assert "can't show you" not in question  # a worker's words after 'history' that name nobody: a question


# --- the deadline reminder is the announced panel's --------------------------------------------------------


def test_the_reminder_offered_after_a_panels_broadcast_is_for_that_panels_deadline(chat: Chat) -> None:
    add = form_of(chat.say(HR, "add panel")).submit
    chat.press(HR, add, sits_on="14 January 2027", submission_deadline="4 January 2027")
    later = chat.press(HR, form_of(chat.say(HR, "add panel")).submit, sits_on="14 June 2027",
                       submission_deadline="24 May 2027")  # fmt: skip
    preview = chat.press(HR, find_button(chat.press(HR, find_button(later, "Broadcast it")), "Everyone"))
    sent = chat.press(HR, find_button(preview, "Send now"))
    offer = find_button(sent, "Remind non-submitters")
    assert "Monday 24 May 2027 deadline (panel of Monday 14 June 2027)" in offer.label
    assert "Monday 17 May 2027" in all_text(chat.press(HR, offer))

    cancelled = chat.press(HR, find_button(chat.say(HR, "panels"), "Cancel panel"))  # January's
    told = chat.press(HR, find_button(chat.press(HR, find_button(cancelled, "Tell people")), "Everyone"))
    after = chat.press(HR, find_button(told, "Send now"))
    assert not any(
        "Remind" in b.label for r in after for b in r.buttons
    )  # nothing to remind of a cancelled panel
