"""The database is pinged only when it has been idle: a busy server's turns are its probes, and a pooled
PostgreSQL connection used a moment ago is handed out without a round trip of its own."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import OperationalError

from storage import db
from storage.availability import OK_FOR_SECONDS, Availability, is_outage
from storage.tables import Organisation


def probes(engine: Engine) -> list[str]:
    """The `SELECT 1` statements the engine sends from now on."""
    sent: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().upper() == "SELECT 1":
            sent.append(statement)

    return sent


def test_a_busy_database_is_known_usable_without_a_probe(engine: Engine) -> None:
    availability = Availability(engine)
    sent = probes(engine)
    assert not availability.known_usable()  # nothing has run yet
    with db.transaction(db.session_factory(engine)) as session:
        session.scalars(select(Organisation)).all()  # a turn's statement: the database answered it
    assert availability.known_usable()
    assert availability.usable()
    assert sent == []


def test_an_idle_database_is_probed_again(engine: Engine) -> None:
    availability = Availability(engine)
    sent = probes(engine)
    with engine.connect() as connection:
        connection.execute(select(Organisation.id)).all()
    time.sleep(OK_FOR_SECONDS + 0.1)  # nothing used it since
    assert not availability.known_usable()
    assert availability.usable()
    assert len(sent) == 1
    assert availability.known_usable()  # the probe counts like any other statement


def test_an_outage_met_by_a_turn_is_not_trusted(tmp_path: Any) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path}/pathway.sqlite3")
    availability = Availability(engine)
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
        connection.commit()
    assert availability.known_usable()
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA query_only = ON")  # as a read-only file system would refuse
        with pytest.raises(OperationalError) as refused:
            connection.execute(text("INSERT INTO t VALUES (1)"))
        assert is_outage(refused.value)
        assert not availability.known_usable()  # the next delivery waits for a probe of its own
    engine.dispose()  # the pooled connection is still query_only


def backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def terminate(admin: Engine, pid: int) -> None:
    with admin.connect() as connection:
        assert connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one()
    deadline = time.monotonic() + 30
    with admin.connect() as connection:
        while connection.exec_driver_sql(f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}").scalar():
            assert time.monotonic() < deadline, "the backend did not go"
            # (pg_stat_activity is a snapshot taken at its first read in a transaction: without a new one, a
            # backend still there at the first look is seen there until the deadline.)
            connection.rollback()
            time.sleep(0.02)


def test_a_connection_dropped_while_the_pool_was_idle_is_replaced_before_use(
    migrated_postgres_url: str, shared_postgres_engine: Engine
) -> None:
    engine = db.make_engine(migrated_postgres_url, idle_ping_seconds=0.2)
    pid = backend_pid(engine)
    terminate(shared_postgres_engine, pid)  # a database restart, a firewall's idle timeout
    time.sleep(0.3)
    assert backend_pid(engine) != pid  # pinged at checkout, found dead, replaced: the turn never saw it
    engine.dispose()


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(
    migrated_postgres_url: str, shared_postgres_engine: Engine
) -> None:
    """No round trip of its own: a connection killed just after it was returned is not caught at checkout
    (its statement fails, as an outage, and the pool is discarded: the next turn connects afresh)."""
    engine = db.make_engine(migrated_postgres_url, idle_ping_seconds=60)
    pid = backend_pid(engine)
    terminate(shared_postgres_engine, pid)
    with pytest.raises(OperationalError) as failed:
        backend_pid(engine)
    assert is_outage(failed.value)
    assert backend_pid(engine) != pid
    engine.dispose()
