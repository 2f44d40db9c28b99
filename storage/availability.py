"""Whether the database can be used right now, and how to say so when it cannot.

An outage (PostgreSQL gone, a full disk, a read-only file system) must never be acknowledged as if
the work were kept: the edges ask `Availability.usable()` before accepting a platform's delivery, and
every layer tells an outage (`is_outage`) from a bug, so an outage gets one plain line, not a traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import InterfaceError as SQLAlchemyInterfaceError

from storage.db import database_url

OK_FOR_SECONDS = 1.0  # a statement that succeeded is trusted this long; a failure is never cached
UNAVAILABLE_TEXT = (
    "Pathway is briefly unavailable (it cannot reach its database), so nothing was changed. "
    "Please try again in a few minutes."
)


def is_outage(exc: BaseException) -> bool:
    """The database could not be reached or written (as opposed to a bug in a query)."""
    if isinstance(exc, OperationalError | SQLAlchemyInterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, ArgumentError | NoSuchModuleError)  # a URL that names no usable database


def reason(exc: BaseException) -> str:
    """The cause in one short line (the driver's first line, not SQLAlchemy's wrapping)."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    first = " ".join(lines[:2]) if lines else cause.__class__.__name__
    return first[:300]


def describe(url: str | None) -> str:
    """The database's URL as it may be shown: the password hidden."""
    try:
        return database_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL: show only its scheme, it may hold a password
        return (url or "").split(":", 1)[0] + ":…"


class Availability:
    """A cheap answer to "can the database be used now?", shared by the edges of one process.

    Every statement this engine runs successfully is a probe already made (the database answered just
    now), and every outage it meets one failed: so `SELECT 1` is sent only once the engine has been idle
    for OK_FOR_SECONDS, never as an extra round trip beside a busy server's turns."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ok_until = 0.0
        self._lock = threading.Lock()
        event.listen(engine, "after_cursor_execute", self._answered)
        event.listen(engine, "handle_error", self._erred)

    def _answered(self, *_args: Any) -> None:
        self._ok_until = time.monotonic() + OK_FOR_SECONDS

    def _erred(self, context: Any) -> None:
        if is_outage(context.sqlalchemy_exception) or context.is_disconnect:
            self.failed()

    def known_usable(self) -> bool:
        """Without blocking: a probe succeeded within OK_FOR_SECONDS (False: ask `usable`)."""
        return time.monotonic() < self._ok_until

    def usable(self) -> bool:
        """Blocking (call it in a thread): a `SELECT 1`, unless one succeeded within OK_FOR_SECONDS."""
        if time.monotonic() < self._ok_until:
            return True
        with self._lock:
            if time.monotonic() < self._ok_until:
                return True
            try:
                with self.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))  # its success is recorded by _answered
            except Exception as exc:
                if not is_outage(exc):
                    raise
                return False
            return True

    def failed(self) -> None:
        """A turn just met an outage: probe again before trusting the database."""
        self._ok_until = 0.0


class OutageLog:
    """One log line when an outage starts and one when it ends, however many passes fail between."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self.since: float | None = None
        self.failures = 0

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        if self.since is None:
            self.since = time.monotonic()
            self.logger.error("%s: database unavailable (%s); retrying quietly", self.what, reason(exc))

    def recovered(self) -> None:
        if self.since is not None:
            seconds = time.monotonic() - self.since
            self.logger.warning(
                "%s: database back after %.0f s (%d failed passes)", self.what, seconds, self.failures
            )
        self.since, self.failures = None, 0

    @property
    def down(self) -> bool:
        return self.since is not None
