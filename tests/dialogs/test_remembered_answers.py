"""Answers the library keeps (knowledge/remembered.py), through the chat: each asker's own record makes
their personal answer, and a record that changed is answered afresh."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.tables import Person
from tests.dialogs.conftest import Chat

WORKER, NEWCOMER = "worker@medway.example", "nq@medway.example"  # spinal points 37 and 33
PAY = "what is my pay?"


def test_each_asker_gets_their_own_record_in_a_personal_answer(chat: Chat) -> None:
    for _ in range(2):  # the second time round from what was kept
        assert "spinal point 37" in chat.say(WORKER, PAY)[0].text
        assert "spinal point 33" in chat.say(NEWCOMER, PAY)[0].text


def test_a_changed_record_is_answered_afresh(chat: Chat, sessions: sessionmaker[Session]) -> None:
    assert "spinal point 37" in chat.say(WORKER, PAY)[0].text
    with transaction(sessions) as session:
        session.execute(update(Person).where(Person.email == WORKER).values(spinal_point=39))
    assert "spinal point 39" in chat.say(WORKER, PAY)[0].text
