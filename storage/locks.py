"""A lock shared by every thread of this process and, on PostgreSQL, every process on the database,
for work that must happen once at a time everywhere (refreshing a Slack workspace's bot token: its
refresh token can be used only once).

Held between `acquire` and `release`, which may run in different threads (the holder awaits in
between). PostgreSQL: also a session-level advisory lock, on a connection of its own. SQLite serves
one process (see the README), so there the process's lock is all there is.
"""

from __future__ import annotations

import hashlib
import threading

from sqlalchemy import Connection, Engine, text

_in_process: dict[str, threading.Lock] = {}
_in_process_guard = threading.Lock()


def _process_lock(name: str) -> threading.Lock:
    with _in_process_guard:
        return _in_process.setdefault(name, threading.Lock())


class SharedLock:
    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = f"{engine.url.render_as_string(hide_password=True)}:{name}"
        digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
        self.key = int.from_bytes(digest, "big", signed=True)  # advisory locks take a bigint
        self._connection: Connection | None = None

    def acquire(self) -> None:
        """Wait until nobody else holds it, then hold it. Blocks: call it in a worker thread."""
        local = _process_lock(self.name)
        local.acquire()
        try:
            if self.engine.dialect.name == "postgresql":
                self._connection = self._advisory_lock()
        except Exception:
            local.release()
            raise

    def _advisory_lock(self) -> Connection:
        connection = self.engine.connect()
        try:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": self.key})
            connection.commit()  # the lock is the session's: it outlives this transaction
        except Exception:
            connection.invalidate()
            connection.close()
            raise
        return connection

    def release(self) -> None:
        connection, self._connection = self._connection, None
        try:
            if connection is not None:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                    connection.commit()
                except Exception:
                    connection.invalidate()  # ends the database session, and with it the lock
                    raise
                finally:
                    connection.close()
        finally:
            _process_lock(self.name).release()
