"""`pathway serve`: one aiohttp server for every front-end, plus the dispatcher and reminder tasks.

Each front-end (the web chat, Slack, Teams) is a `mount` function that adds its routes when its
settings are present and returns a line for the start-up banner; each chat platform whose
credentials are set also contributes a `Sender` for the dispatcher (`platform_senders`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from functools import partial
from typing import Any

from aiohttp import web

from bot import metrics
from bot.delivery import Sender
from bot.dispatch import Dispatcher, every, release_broadcasts_periodically
from bot.logs import with_request_id
from bot.retention import retain_daily
from bot.runtime import Runtime
from bot.slack import mount as slack
from bot.teams import mount as teams
from bot.web import mount as mount_web_chat
from dialogs.reminders import ReminderPolicy, send_reminders
from storage.columns import utc_now
from storage.db import transaction

MAX_REQUEST_BYTES = 1024 * 1024  # chat payloads are small; anything bigger is refused with 413
REMINDER_INTERVAL_SECONDS = 15 * 60


FrontEnd = Callable[[web.Application, Runtime], str]
RUNTIME_KEY = web.AppKey("runtime", Runtime)


def front_ends() -> list[FrontEnd]:
    """The front-ends, in mounting order. Each mounts itself only when its settings are present."""
    return [mount_web_chat, teams.mount, slack.mount]


def platform_senders(runtime: Runtime) -> dict[str, Sender]:
    """A sender for every chat platform whose credentials are set, keyed by outbox channel."""
    senders: list[Sender] = [teams.sender(runtime), *slack.senders(runtime)]
    return {sender.channel: sender for sender in senders}


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build(
    runtime: Runtime, *, dispatch: bool = True, reminders: bool = True
) -> tuple[web.Application, list[str]]:
    """The server application and the start-up notes saying which front-ends are on."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[with_request_id])
    app[RUNTIME_KEY] = runtime
    app.router.add_get("/healthz", healthz)
    notes = [mount(app, runtime) for mount in front_ends()]
    notes.append(metrics.mount(app, runtime))
    if dispatch:
        senders = platform_senders(runtime)
        app.cleanup_ctx.append(background(Dispatcher(runtime.sessions, senders).run))
        notes.append(f"dispatcher: on ({', '.join(sorted(senders)) or 'no platform senders'})")
    else:
        notes.append("dispatcher: off (run `pathway dispatch` separately)")
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
