"""The decider's note on every organisation's decision, not only where the policy's form is shown
anyway (issue 16): approving, "<approve>, with a note" opens a form with an optional note; whoever
decides next sees who recommended, when and with what note, in the card's story so far."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.tables import Decision
from tests.dialogs.conftest import Chat, all_text, find_button
from tests.dialogs.test_council_processes import submit as submit_process
from tests.dialogs.test_reassign_delegate_escalate import MANAGER, MEDWAY_FIELDS, SERVICE, WORKER
from tests.dialogs.test_workflows import submit


def test_a_bcc_line_managers_note_reaches_the_panel(
    chat: Chat, process_staff: None, sessions: sessionmaker[Session]
) -> None:
    submit_process(chat, "worker@bcc.example", "I want to apply for level 3")
    card = chat.inbox("manager@bcc.example")
    asked = chat.press("manager@bcc.example", find_button(card, "Approve, with a note"))
    form = asked[0].form
    assert form is not None and [(f.name, f.required) for f in form.fields] == [("note", False)]
    done = chat.submit_form("manager@bcc.example", asked[0], note="Strong portfolio; ready for panel")
    assert "Recorded" in all_text(done)
    panel = all_text(chat.inbox("pswc@bcc.example"))
    assert "Mo Manager" in panel and "Note: Strong portfolio; ready for panel." in panel
    assert "Note: Strong portfolio" in all_text(chat.say("worker@bcc.example", "status"))


def test_medways_authoriser_can_give_a_note_too_and_the_worker_sees_it(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    chat.press(MANAGER, find_button(chat.inbox(MANAGER), "Progressed"), **MEDWAY_FIELDS)
    card = chat.inbox(SERVICE)
    asked = chat.press(SERVICE, find_button(card, "Authorise, with a note"))
    assert asked[0].form is not None
    chat.submit_form(SERVICE, asked[0], note="Well evidenced across the framework")
    with sessions() as session:
        made = session.scalars(select(Decision).where(Decision.stage == "authorise")).one()
    assert (made.outcome, made.reasons) == ("approved", "Well evidenced across the framework")
    history = all_text(chat.say(WORKER, "history"))
    assert (
        "authorised it ('Authorise')" in history and "Note: Well evidenced across the framework." in history
    )
