"""Two managers (or one manager on two devices) pressing at the same moment: exactly one decision."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.conversation import Conversation
from dialogs.messages import Reply
from knowledge.library import Library
from storage.db import transaction
from storage.roster import import_roster
from storage.tables import Decision, OutboxMessage
from tests.dialogs.conftest import ROSTER, Chat, Clock, all_text, find_button
from tests.dialogs.test_workflows import submit


def test_simultaneous_clicks_record_one_decision(
    postgres_session_factory: sessionmaker[Session], library: Library
) -> None:
    with transaction(postgres_session_factory) as session:
        import_roster(session, ROSTER)
    chat = Chat(Conversation(library, postgres_session_factory, clock=Clock()), postgres_session_factory)
    submit(chat, "worker@medway.example", "apply for level 3")
    card = chat.inbox("tm@medway.example")
    approve, decline = find_button(card, "Progressed"), find_button(card, "NOT progressed")
    results: list[list[Reply]] = []
    start = threading.Barrier(4)

    def press(button_label: str) -> None:
        start.wait()
        pressed = approve if button_label == "approve" else decline
        results.append(chat.press("tm@medway.example", pressed, reasons="r", actions="a", competencies="met",
                                  attendance_punctuality_diversity="have"))  # fmt: skip

    threads = [
        threading.Thread(target=press, args=(label,))
        for label in ("approve", "approve", "decline", "approve")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    texts = [all_text(r) for r in results]
    assert sum("Recorded" in t for t in texts) == 1, texts
    assert sum("Already decided" in t for t in texts) == 3, texts
    with postgres_session_factory() as session:
        assert len(session.scalars(select(Decision)).all()) == 1
        to_service = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "card")).all()
        assert len(to_service) <= 2  # the manager's card, and the authoriser's only if it was approved
