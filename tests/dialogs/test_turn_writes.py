"""What one turn writes: a question changes nothing of the person's dialogs, so it writes none of them
(it used to rewrite the dialog's row, and read the withdrawal question's in a query of its own, every
turn); and what it reads: someone already linked is found with their dialogs in one statement, so a
platform's question is the delivery mark and that (it was three round trips). The statements are
observed on the real database's engine, as it runs them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.messages import Incoming, Sender
from storage.db import transaction
from storage.tables import DialogState, Person
from storage.unanswered import unanswered_since
from tests.dialogs.conftest import Chat
from tests.statements import Statements, statements_fixture  # noqa: F401  (the fixture `statements`)

WORKER = "worker@medway.example"


def saved(sessions: sessionmaker[Session], email: str) -> dict[str, tuple[object, int]]:
    with transaction(sessions) as session:
        person = session.scalars(select(Person).where(Person.email == email)).one()
        rows = session.scalars(select(DialogState).where(DialogState.person_id == person.id))
        return {row.dialog: (row.state, row.version) for row in rows}


def test_a_question_writes_no_dialog_state(
    chat: Chat, sessions: sessionmaker[Session], statements: Statements
) -> None:
    for _ in range(3):
        assert "£" in chat.say(WORKER, "how much is SCP 39?")[0].text
    assert statements.writes("dialog_states") == []
    assert saved(sessions, WORKER) == {}  # nothing was ever saved: no dialog started


def test_a_turn_reads_its_dialogs_in_one_query(chat: Chat, statements: Statements) -> None:
    chat.say(WORKER, "how much is SCP 39?")  # first contact: linked (and the dialogs read once more)
    first = len(statements.seen)
    chat.say(WORKER, "how much is SCP 39?")
    assert len(statements.since(first).touching("dialog_states")) == 1


def test_a_question_mid_application_keeps_the_draft_and_its_version(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    chat.say(WORKER, "apply")
    before = saved(sessions, WORKER)["application"]
    replies = chat.say(WORKER, "how much is SCP 39?")
    assert "still open" in replies[-1].text
    assert saved(sessions, WORKER)["application"] == before  # not rewritten, version unchanged


def test_a_linked_persons_question_is_the_delivery_mark_and_one_read(
    chat: Chat, statements: Statements
) -> None:
    def ask(event_id: str) -> str:
        sender = Sender(platform="slack", tenant="T1", user_id="U1", email=WORKER)
        incoming = Incoming(org="medway", sender=sender, text="how much is SCP 39?", event_id=event_id)
        return chat.conversation.handle(incoming)[0].text

    assert "£" in ask("Ev1")  # first contact: found by email and linked
    first = len(statements.seen)
    assert "£" in ask("Ev2")
    later = statements.since(first).seen
    assert [s.split()[0] for s in later] == ["INSERT", "SELECT"], later
    assert "handled_events" in later[0] and "dialog_states" in later[1]


def test_a_draft_is_found_when_the_person_comes_from_another_platform(chat: Chat) -> None:
    chat.say(WORKER, "apply")  # a draft started in the console
    sender = Sender(platform="web", user_id=WORKER)  # first contact on the web: linked by email
    replies = chat.conversation.handle(Incoming(org="medway", sender=sender, text="apply"))
    assert replies[0].text == "You're already working on an application."


def test_a_declined_question_adds_only_its_unanswered_record(
    chat: Chat, sessions: sessionmaker[Session], statements: Statements
) -> None:
    chat.say(WORKER, "how much is SCP 39?")  # first contact: linked
    first = len(statements.seen)
    chat.say(WORKER, "Can I carry over leave?")
    later = statements.since(first).seen
    assert [s.split()[0] for s in later] == ["SELECT", "INSERT"], later
    with transaction(sessions) as session:
        [entry] = unanswered_since(session, "medway")
        assert (entry.question, entry.reason) == ("Can I carry over leave?", "out_of_scope")
        assert entry.person_id is not None and entry.asked_at is not None
