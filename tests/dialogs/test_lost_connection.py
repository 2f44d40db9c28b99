"""A PostgreSQL connection the server closed while it lay in the pool (a restart, an idle timeout): one
unused for a while is checked as it is taken and replaced; one in steady use is not checked (that would
be a round trip more on every turn), so the statement it is given fails, the turn was rolled back with
it, and the turn is run again on a new connection. Either way the person gets their answer."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from dialogs.conversation import Conversation
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import db
from storage.db import transaction
from tests.dialogs.conftest import ROSTER, Chat

WORKER = "worker@medway.example"


def own_engine(url: str, monkeypatch: pytest.MonkeyPatch, ping_after: float) -> Engine:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", ping_after)
    return db.make_engine(url)


def chat_on(engine: Engine, library: Library) -> Chat:
    sessions = db.session_factory(engine)
    with transaction(sessions) as session:
        import_staff(session, library, ROSTER)
    return Chat(Conversation(library, sessions), sessions)


def close_from_the_server(engine: Engine, admin: Engine) -> int:
    """Terminate the server process behind the pool's connection (one: the turns run one at a time)."""
    with engine.connect() as connection:
        pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    return pid


def backend_pid(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_turn_on_a_connection_closed_in_use_is_run_again(
    migrated_postgres_url: str, postgres_engine: Engine, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = own_engine(migrated_postgres_url, monkeypatch, ping_after=3600)
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    try:
        chat = chat_on(engine, library)
        assert "£" in chat.say(WORKER, "how much is SCP 39?")[0].text
        closed = close_from_the_server(engine, postgres_engine)
        assert "£" in chat.say(WORKER, "how much is SCP 39?")[0].text  # not "the database is unavailable"
        assert backend_pid(chat.sessions) != closed
        assert pings == []  # used within the hour: never checked first
    finally:
        engine.dispose()


def test_a_connection_idle_past_the_limit_is_checked_and_replaced(
    migrated_postgres_url: str, postgres_engine: Engine, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = own_engine(migrated_postgres_url, monkeypatch, ping_after=0)
    try:
        chat = chat_on(engine, library)
        closed = close_from_the_server(engine, postgres_engine)
        with engine.connect() as connection:  # checked as it is taken: a new connection, no error
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != closed
        assert "£" in chat.say(WORKER, "how much is SCP 39?")[0].text
    finally:
        engine.dispose()
