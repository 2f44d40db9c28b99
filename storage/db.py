"""Engines, sessions and transactions for SQLite (embedded default) and PostgreSQL (production)."""

import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

DEFAULT_SQLITE_FILE = "pathway.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_SECONDS = 5  # an unreachable PostgreSQL host fails a connection in this, not minutes
# A pooled connection back in the pool for longer than this is pinged before it is handed out again; one
# used more recently is trusted. Under load every checkout finds a connection returned milliseconds ago,
# so a turn pays no extra round trip (pool_pre_ping pinged on every checkout: one more round trip for
# every transaction); a connection dropped while the pool sat idle (a database restart, a firewall's
# idle timeout) is still found and replaced before use. If the database goes away under load, the first
# statement to fail makes SQLAlchemy discard the whole pool, so only the turns in flight then see it.
IDLE_PING_SECONDS = 1.0


def database_url(url: str | None) -> URL:
    """The URL to use: a SQLite file in the working directory when none is given; psycopg for PostgreSQL."""
    if not url:
        return make_url(f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}")
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | None, idle_ping_seconds: float = IDLE_PING_SECONDS) -> Engine:
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args = (
            {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if parsed.get_backend_name() == "postgresql" else {}
        )
        engine = create_engine(parsed, connect_args=connect_args)
        ping_when_idle(engine, idle_ping_seconds)
        return engine
    # Sessions may be used from worker threads (asyncio.to_thread), never two threads at once.
    engine = create_engine(
        parsed, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    )
    event.listen(engine, "connect", configure_sqlite_connection)
    return engine


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection at checkout only when it has been back in the pool for `idle_seconds`;
    a dead one is replaced (DisconnectionError makes the pool connect afresh), as pool_pre_ping does."""

    @event.listens_for(engine, "checkin")
    def returned(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def handed_out(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if not engine.dialect.is_disconnect(exc, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            raise DisconnectionError("connection found dead after sitting idle in the pool")


def configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL lets readers carry on while one writer commits; the busy timeout makes writers queue.
        # NORMAL is WAL's usual pairing: no corruption risk, and a process crash loses nothing
        # (only a power cut can undo the last commits), without an fsync on every commit.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # Rows stay readable after commit: the dispatcher claims in one transaction and sends after it.
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in a transaction that commits when the block ends and rolls back if it raises.

    On SQLite the transactions of one process take turns (SQLite has one writer at a time anyway): a
    writer that finds the file locked would otherwise wait in SQLite's busy handler, which sleeps in
    steps of up to 100 ms, and under a burst of turns those sleeps became seconds of tail latency."""
    with _turns(factory), factory() as session, session.begin():
        yield session


_sqlite_turns: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_sqlite_turns_guard = threading.Lock()


def _turns(factory: sessionmaker[Session]) -> AbstractContextManager[object]:
    engine = factory.kw.get("bind")
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return nullcontext()
    with _sqlite_turns_guard:
        return _sqlite_turns.setdefault(engine, threading.RLock())


def dialect_insert(
    session: Session, table: Table | type[DeclarativeBase]
) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that supports ON CONFLICT, for whichever database the session is bound to."""
    return dialect_insert_for(session.get_bind().dialect.name, table)


def dialect_insert_for(
    dialect: str, table: Table | type[DeclarativeBase]
) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that supports ON CONFLICT, for the database named `dialect` ("postgresql" or "sqlite")."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
