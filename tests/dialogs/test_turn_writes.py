"""What one turn writes: a question changes nothing of the person's dialogs, so it writes none of them
(it used to rewrite the dialog's row, and read the withdrawal question's in a query of its own, every
turn). The statements are observed on the real database's engine, as it runs them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.tables import DialogState, Person
from tests.dialogs.conftest import Chat

WORKER = "worker@medway.example"


class Statements:
    """The SQL statements the engine ran while recording."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def _record(self, _conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        self.seen.append(" ".join(statement.split()))

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def since(self, mark: int) -> Statements:
        """The statements run after the first `mark` of them (mark: len(seen) then)."""
        later = Statements(self.engine)
        later.seen = self.seen[mark:]
        return later

    def touching(self, table: str) -> list[str]:
        return [s for s in self.seen if f" {table}" in s or f'"{table}"' in s]

    def writes(self, table: str) -> list[str]:
        return [s for s in self.touching(table) if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]


@pytest.fixture
def statements(sessions: sessionmaker[Session]) -> Iterator[Statements]:
    engine = sessions.kw["bind"]
    assert isinstance(engine, Engine)
    with Statements(engine) as recorded:
        yield recorded


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
    chat.say(WORKER, "how much is SCP 39?")
    assert len(statements.touching("dialog_states")) == 1


def test_a_question_mid_application_keeps_the_draft_and_its_version(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    chat.say(WORKER, "apply")
    before = saved(sessions, WORKER)["application"]
    replies = chat.say(WORKER, "how much is SCP 39?")
    assert "still open" in replies[-1].text
    assert saved(sessions, WORKER)["application"] == before  # not rewritten, version unchanged
