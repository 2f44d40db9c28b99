"""GET /readyz: whether this server can do its work now (a load balancer sends it traffic only then).

Ready means: the database answers and is at the migrations' head, every policy pack traces to its
document, the dispatcher (when this process runs one) has been round its loop recently, and any
connection a front-end holds open (Slack's Socket Mode) is up. /healthz
stays the liveness check: a server waiting out a database outage is alive, only not ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from alembic.runtime.migration import MigrationContext

from bot.dispatch import Dispatcher
from bot.runtime import Runtime
from knowledge.tracing import trace
from storage import migrate
from storage.availability import is_outage, reason

# Checks a front-end adds at mount time for a connection of its own (Slack's Socket Mode): each answers
# "ok" or what is wrong.
ConnectionCheck = Callable[[], Awaitable[str]]
CONNECTION_CHECKS = web.AppKey("connection_checks", dict[str, ConnectionCheck])


def add_connection_check(app: web.Application, name: str, check: ConnectionCheck) -> None:
    app.setdefault(CONNECTION_CHECKS, {})[name] = check


class Readiness:
    def __init__(self, runtime: Runtime, dispatcher: Dispatcher | None) -> None:
        self.runtime = runtime
        self.dispatcher = dispatcher
        self.head = migrate.head_revision()
        self._pack_problems: list[str] | None = None  # the packs do not change while running

    async def answer(self, request: web.Request) -> web.Response:
        checks = await asyncio.to_thread(self.checks)
        for name, check in request.app.get(CONNECTION_CHECKS, {}).items():
            checks[name] = await check()
        ready = all(value == "ok" for value in checks.values())
        return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)

    def checks(self) -> dict[str, str]:
        checks = {"database": self._database(), "packs": self._packs()}
        if self.dispatcher is not None:
            checks["dispatcher"] = "ok" if self.dispatcher.alive() else "not running its loop"
        return checks

    def _database(self) -> str:
        try:
            with self.runtime.sessions.kw["bind"].connect() as connection:
                revision = MigrationContext.configure(connection).get_current_revision()
        except Exception as exc:
            if not is_outage(exc):
                raise
            return f"unavailable: {reason(exc)}"
        if revision != self.head:
            return f"at migration {revision}, not {self.head}: run `pathway db upgrade`"
        return "ok"

    def _packs(self) -> str:
        if self._pack_problems is None and self.runtime.library.traced:
            self._pack_problems = []  # traced as they loaded: hundreds of packs need not be traced again
        if self._pack_problems is None:
            packs = self.runtime.library.packs.values()
            self._pack_problems = [f"{p.organisation.id}: {problem}" for p in packs for problem in trace(p)]
        if self._pack_problems:
            return f"{len(self._pack_problems)} untraced facts, e.g. {self._pack_problems[0]}"
        return "ok"
