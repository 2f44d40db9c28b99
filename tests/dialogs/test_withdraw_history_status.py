"""Transcripts of withdrawing a submitted application, of every application's history, and of
'status' for managers and HR with nothing waiting (issue 16)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.messages import Action
from storage.tables import Application, AuditEntry
from tests.dialogs.conftest import Chat, Clock, all_text, find_button
from tests.dialogs.test_workflows import submit

WORKER, MANAGER, OTHER_MANAGER, HR = (
    "worker@medway.example", "tm@medway.example", "tm2@medway.example", "hr@medway.example"
)  # fmt: skip


def _decline(chat: Chat) -> None:
    card = chat.inbox(MANAGER)[0]
    chat.press(MANAGER, find_button([card], "NOT progressed"), reasons="Two competencies lack examples.",
               actions="Add child protection examples.", competencies="not met",
               attendance_punctuality_diversity="have")  # fmt: skip


def test_withdrawing_a_submitted_application_tells_the_deciders_and_redraws_their_cards(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    card = chat.inbox(MANAGER)[0]
    assert card.card is not None
    asked = chat.say(WORKER, "withdraw my application")
    assert "Withdraw your application for" in all_text(asked)
    kept = chat.press(WORKER, find_button(asked, "No, keep it"))
    assert "stays as it is" in all_text(kept)
    with sessions() as session:
        assert session.scalars(select(Application.status)).one().startswith("awaiting:")

    done = chat.press(WORKER, find_button(chat.say(WORKER, "withdraw my application"), "Yes, withdraw"))
    assert "Withdrawn" in all_text(done) and "Tara Manager" in all_text(done)
    with sessions() as session:
        assert session.scalars(select(Application.status)).one() == "withdrawn"
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "withdrawn" in actions

    told = chat.inbox(MANAGER)
    redrawn = [r for r in told if r.replaces == card.card.key]
    assert redrawn and "Wendy Worker withdrew this application on 23 November 2026" in redrawn[0].text
    assert any(r.replaces is None and "withdrew" in r.text for r in told)  # a message too, not only a redraw

    late = chat.press(MANAGER, find_button([card], "Progressed"))  # the card clicked before it was redrawn
    assert "withdrew this application" in all_text(late) and late[0].replaces == card.card.key
    with sessions() as session:
        assert session.scalars(select(Application.status)).one() == "withdrawn"
    again = chat.press(WORKER, find_button(asked, "Yes, withdraw"))
    assert "can't be withdrawn now" in all_text(again)


def test_history_lists_every_application_with_its_decisions_for_those_who_may_see_it(
    chat: Chat, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    chat.say(WORKER, "apply for level 3")
    chat.press(WORKER, find_button(chat.say(WORKER, "cancel"), "Yes, cancel"))
    clock.advance(days=2)
    submit(chat, WORKER, "apply for level 3")
    clock.advance(days=1)
    _decline(chat)
    with sessions() as session:
        decided = session.scalars(select(Application.id).where(Application.status == "not_approved")).one()

    mine = all_text(chat.say(WORKER, "my applications"))
    assert "Your applications (2)" in mine
    assert f"#{decided} for Level 3 Social Worker: You sent it on 25 November 2026." in mine
    assert "Tara Manager did not recommend it ('NOT progressed') on 26 November 2026" in mine
    assert "It was not agreed this time." in mine
    assert (
        "Reasons: Two competencies lack examples." in mine and "Agreed actions: Add child protection" in mine
    )
    assert "never submitted. Withdrawn on 23 November 2026." in mine

    for who in (MANAGER, HR):
        seen = all_text(chat.say(who, f"history {decided}"))
        assert seen.startswith("Wendy Worker's application #") and "Reasons: Two competencies" in seen
    refused = all_text(chat.say(OTHER_MANAGER, f"history {decided}"))
    assert "can't show you" in refused and "Reasons" not in refused


def test_status_for_managers_and_hr_with_nothing_waiting_is_never_empty(chat: Chat) -> None:
    for who in (OTHER_MANAGER, HR):
        for replies in (chat.say(who, "status"), chat.press(who, Action(name="status"))):
            assert "Nothing is waiting for you." in all_text(replies)
    assert "HR tools" in all_text(chat.say(HR, "status"))

    submit(chat, WORKER, "apply for level 3")
    waiting = all_text(chat.say(MANAGER, "status"))
    assert "Waiting for your decision" in waiting and "Nothing is waiting" not in waiting
    _decline(chat)
    after = all_text(chat.say(MANAGER, "status"))
    assert (
        "Nothing is waiting for you." in after
        and "Wendy Worker's application for Level 3 Social Worker (#" in after
    )
    assert (
        "You did not recommend it ('NOT progressed') on 23 November 2026. It was not agreed this time."
        in after
    )
