import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import database_url, make_engine, transaction
from storage.directory import ensure_organisation
from storage.tables import Organisation, Panel


def test_no_url_means_a_sqlite_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url(None).database == str(tmp_path / "pathway.sqlite3")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_plain_postgresql_urls_use_psycopg(scheme: str) -> None:
    url = database_url(f"{scheme}://postgres@127.0.0.1:5432/test")
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("127.0.0.1", 5432, "test")


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.sqlite3")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    engine.dispose()


def test_transaction_commits_or_rolls_back(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        ensure_organisation(session, "medway")
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        ensure_organisation(session, "bcc")
        raise RuntimeError("boom")
    with transaction(session_factory) as session:
        assert session.scalars(select(Organisation.id)).all() == ["medway"]


def test_timestamps_come_back_as_aware_utc(session_factory: sessionmaker[Session]) -> None:
    created = datetime(2025, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    with transaction(session_factory) as session:
        ensure_organisation(session, "medway")
        session.add(Panel(org_id="medway", sits_on=created.date(), created_at=created))
    with transaction(session_factory) as session:
        stored = session.scalars(select(Panel.created_at)).one()
    assert stored == created and stored.tzinfo == UTC


def test_naive_timestamps_are_refused(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(Exception, match="naive datetime"), transaction(session_factory) as session:
        ensure_organisation(session, "medway")
        session.add(
            Panel(org_id="medway", sits_on=datetime(2025, 1, 1).date(), created_at=datetime(2025, 1, 1))
        )


def test_foreign_keys_are_enforced(session_factory: sessionmaker[Session], engine: Engine) -> None:
    with pytest.raises(Exception, match=r"(?i)foreign key"), transaction(session_factory) as session:
        session.add(Panel(org_id="nowhere", sits_on=datetime(2025, 1, 1).date()))
    with transaction(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Panel)) == 0


def test_on_sqlite_a_processs_transactions_take_turns_instead_of_sleeping_in_the_busy_handler(
    sqlite_engine: Engine,
) -> None:
    sessions = sessionmaker(sqlite_engine)
    first_in, order = threading.Event(), []

    def first() -> None:
        with transaction(sessions) as session:
            session.execute(text("INSERT INTO organisations (id, name, platforms) VALUES ('a', 'A', '[]')"))
            first_in.set()
            time.sleep(0.2)
            order.append("first done")

    def second() -> None:
        first_in.wait(5)
        with transaction(sessions) as session:
            order.append("second in")  # before the change: here at once, then a wait in SQLite's busy handler
            session.execute(text("INSERT INTO organisations (id, name, platforms) VALUES ('b', 'B', '[]')"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert order == ["first done", "second in"]
