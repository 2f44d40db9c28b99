"""The SQL statements an engine runs, observed as it runs them (SQLAlchemy's before_cursor_execute
event): what a turn reads and writes, asserted by tests/dialogs and tests/teams."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker


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


@pytest.fixture(name="statements")
def statements_fixture(sessions: sessionmaker[Session]) -> Iterator[Statements]:
    engine = sessions.kw["bind"]
    assert isinstance(engine, Engine)
    with Statements(engine) as recorded:
        yield recorded
