"""`pathway serve`: one aiohttp server for every front-end, plus the dispatcher and reminder tasks.

Each front-end (Slack, Teams, and the web chat when asked for) is a `mount` function that adds its
routes when its settings are present and returns a line for the start-up banner; each chat platform
whose credentials are set also contributes a `Sender` for the dispatcher (`platform_senders`).
A front-end with no login (the web chat, Teams in Emulator mode) also marks the app `loopback_only`,
and the server then listens on loopback whatever PATHWAY_HOST says.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from functools import partial
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot import metrics
from bot.delivery import Sender
from bot.dispatch import Dispatcher, every, release_broadcasts_periodically
from bot.logs import with_request_id
from bot.loopback import LOOPBACK_ONLY, require_loopback
from bot.readiness import Readiness
from bot.retention import retain_daily
from bot.runtime import Runtime
from bot.slack import mount as slack
from bot.teams import mount as teams
from bot.web import mount as mount_web_chat
from dialogs.reminders import ReminderPolicy, send_reminders
from storage.availability import UNAVAILABLE_TEXT, is_outage, reason
from storage.columns import utc_now
from storage.db import transaction

MAX_REQUEST_BYTES = 1024 * 1024  # chat payloads are small; anything bigger is refused with 413
REMINDER_INTERVAL_SECONDS = 15 * 60


log = logging.getLogger(__name__)
FrontEnd = Callable[[web.Application, Runtime], str]
RUNTIME_KEY = web.AppKey("runtime", Runtime)


def front_ends(web_chat: bool) -> list[FrontEnd]:
    """The front-ends, in mounting order. Each mounts itself only when its settings are present."""
    return [*([loopback_only(mount_web_chat, "the web chat")] if web_chat else []), teams.mount, slack.mount]


def loopback_only(mount: FrontEnd, what: str) -> FrontEnd:
    def mount_on_loopback(app: web.Application, runtime: Runtime) -> str:
        require_loopback(app, what)
        return mount(app, runtime)

    return mount_on_loopback


def platform_senders(runtime: Runtime) -> dict[str, Sender]:
    """A sender for every chat platform whose credentials are set, keyed by outbox channel."""
    senders: list[Sender] = [*teams.senders(runtime), *slack.senders(runtime)]
    return {sender.channel: sender for sender in senders}


async def healthz(_request: web.Request) -> web.Response:
    """Liveness: the process answers. Whether it can do its work is /readyz."""
    return web.json_response({"ok": True})


@web.middleware
async def database_outage(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request that met a database outage gets 503 (retry later) and one log line, not a 500 and a
    traceback: nothing it asked for was kept."""
    try:
        return await handler(request)
    except Exception as exc:
        if not is_outage(exc):
            raise
        request.app[RUNTIME_KEY].availability.failed()
        log.warning("%s %s refused: database unavailable (%s)", request.method, request.path, reason(exc))
        return web.json_response({"error": UNAVAILABLE_TEXT}, status=503)


def build(
    runtime: Runtime, *, dispatch: bool = True, reminders: bool = True, web_chat: bool | None = None
) -> tuple[web.Application, list[str]]:
    """The server application and the start-up notes saying which front-ends are on. The web chat is
    mounted when `web_chat` says (default: PATHWAY_WEB_CHAT); `pathway demo` always asks for it."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[with_request_id, database_outage])
    app[RUNTIME_KEY] = runtime
    app[LOOPBACK_ONLY] = []
    app.router.add_get("/healthz", healthz)
    chat = runtime.settings.pathway_web_chat if web_chat is None else web_chat
    notes = [mount(app, runtime) for mount in front_ends(chat)]
    if not chat:
        notes.insert(0, "web chat: off (`pathway demo` serves it; PATHWAY_WEB_CHAT=1 for loopback use)")
    notes.append(metrics.mount(app, runtime))
    dispatcher = None
    if dispatch:
        senders = platform_senders(runtime)
        dispatcher = Dispatcher(runtime.sessions, senders)
        app.cleanup_ctx.append(background(dispatcher.run))
        notes.append(f"dispatcher: on ({', '.join(sorted(senders)) or 'no platform senders'})")
    else:
        notes.append("dispatcher: off (run `pathway dispatch` separately)")
    app.router.add_get("/readyz", Readiness(runtime, dispatcher).answer)
    if reminders:
        app.cleanup_ctx.append(background(lambda stop: remind_periodically(runtime, stop)))
        release = partial(release_broadcasts_periodically, runtime.sessions, runtime.library)
        app.cleanup_ctx.append(background(release))  # scheduled broadcasts and deadline reminders
        app.cleanup_ctx.append(background(partial(retain_daily, runtime.sessions, runtime.settings)))
        notes.append("retention: the schedule runs at start and daily (docs/data-protection.md)")
    return app, notes


def background(
    task: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that runs `task(stop)` while the server is up and stops it on shutdown."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        running = asyncio.create_task(task(stop))
        yield
        stop.set()
        try:
            await asyncio.wait_for(running, timeout=10)
        except TimeoutError:
            running.cancel()

    return context


async def remind_periodically(runtime: Runtime, stop: asyncio.Event) -> None:
    settings = runtime.settings
    policy = ReminderPolicy(settings.pathway_remind_after_days, settings.pathway_escalate_after_days)

    def once() -> None:
        with transaction(runtime.sessions) as session:
            # On the organisations' platforms (the web chat only where an organisation says so: the demo).
            send_reminders(session, runtime.library, utc_now(), policy, channel=None)

    await every(REMINDER_INTERVAL_SECONDS, once, stop, "reminder")
