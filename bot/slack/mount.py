"""Slack on the shared aiohttp server: the bolt app at POST /slack/events (HTTP mode), or a Socket
Mode connection when SLACK_APP_TOKEN is set (no public URL needed); and the outbox sender.

One workspace: SLACK_BOT_TOKEN. Several (a council with more than one, an Enterprise Grid, a provider
hosting several councils): SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, and bolt's OAuth flow at
/slack/install and /slack/oauth_redirect installs Pathway in each; every request and every send then
uses the bot token of its own workspace (bot/slack/installations.py).

Every request's signature and timestamp (SLACK_SIGNING_SECRET) are verified before anything runs; a bad
or stale request gets 401 from bolt and touches nothing. Messages and mentions, the requests that come
in bulk, are kept in the inbox and queued by the event lane (lane.py, inbox.py) without bolt's
per-request dispatch; everything else is bolt's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request import payload_utils
from slack_bolt.response import BoltResponse

from bot.readiness import add_connection_check
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack import install_pages
from bot.slack.client import Clients, keep_connections, release_connections
from bot.slack.home import AppHome
from bot.slack.inbox import Inbox, server_name
from bot.slack.installations import Installations, oauth_arguments, oauth_configured
from bot.slack.lane import EventLane
from bot.slack.listeners import register
from bot.slack.revocation import Revocation
from bot.slack.sender import SlackSender
from bot.slack.tokens import InstalledTokens, OneToken, Tokens
from bot.slack.turns import EventRunner, SlackTurns
from bot.slack.workers import EventWorkers
from dialogs.conversation import Conversation
from storage.availability import Availability

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
LOG_EXCERPT_CHARS = 200
OBJECTS = ("user", "team", "channel", "container", "view", "message", "event", "enterprise")  # when present
PAYLOAD_EXTRACTORS = (payload_utils.to_options, payload_utils.to_shortcut, payload_utils.to_action,
                      payload_utils.to_view, payload_utils.to_command, payload_utils.to_event,
                      payload_utils.to_message, payload_utils.to_step)  # fmt: skip
MAX_BACKLOG = 2000
# Stopping, the turns acknowledged get this long to be answered (systemd waits 90 s before SIGKILL); those
# still unanswered then are replayed at the next start.
DRAIN_SECONDS = 20.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CleanupContext = Callable[[web.Application], AsyncIterator[None]]


def configured(settings: Settings) -> bool:
    return bool(settings.slack_signing_secret and (settings.slack_bot_token or oauth_configured(settings)))


@dataclass(frozen=True)
class SlackApp:
    bolt: AsyncApp
    turns: SlackTurns
    lane: EventLane  # messages and mentions, without bolt's dispatch (lane.py)
    inbox: Inbox  # what the lane acknowledged and has not answered yet (inbox.py)


SLACK_KEY = web.AppKey("slack", SlackApp)


def bolt_app(
    settings: Settings,
    conversation: Conversation,
    *,
    events: EventRunner | None = None,
    max_backlog: int = MAX_BACKLOG,
    installations: Installations | None = None,
) -> SlackApp:
    """The bolt app with Pathway's listeners, its Web API client pointed at SLACK_API_URL; with
    `installations`, bolt's OAuth flow and each request authorised by its workspace's installation."""
    clients = Clients(settings, retries=True)
    oauth = oauth_arguments(settings, installations, conversation.sessions) if installations else {}
    app = AsyncApp(
        signing_secret=settings.slack_signing_secret,
        client=clients.shared,  # SLACK_API_URL, and SLACK_BOT_TOKEN in a one-workspace deployment
        process_before_response=False,  # a long-running server: acknowledge, then work
        logger=excerpting(logging.getLogger("slack_bolt")),
        **oauth,
    )
    inbox = Inbox(conversation.sessions, server_name(settings.pathway_port))
    turns = SlackTurns(conversation, clients, events=events, inbox=inbox)
    refusal = admission(turns, max_backlog, Availability(conversation.sessions.kw["bind"]))
    app.middleware(admit_events(refusal))
    listeners = register(app, turns, AppHome(turns))
    Revocation(conversation.sessions, installations, turns.forget_workspace).register(app)
    lane = EventLane(
        settings.slack_signing_secret or "",
        {"message": listeners.message_turn, "app_mention": listeners.mention_turn},
        turns.enqueue,
        refusal,
        well_shaped,
        inbox=inbox,
        token=None if installations else settings.slack_bot_token,  # OAuth: each workspace's, as bolt's
        authorize=oauth.get("authorize"),
        client=clients.shared,
    )
    return SlackApp(app, turns, lane, inbox)


class Excerpts(logging.Filter):
    """Bolt logs a request with a bad signature with its whole body (up to 1 MiB from anyone, raw
    newlines and all, so one request could forge log lines). Every bolt message is cut to an escaped
    excerpt instead: enough to recognise the request, never a way to write the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > LOG_EXCERPT_CHARS or not message.isprintable():
            cut = message[:LOG_EXCERPT_CHARS].encode("unicode_escape").decode("ascii")
            more = f"... ({len(message):,} characters)" if len(message) > LOG_EXCERPT_CHARS else ""
            record.msg, record.args = cut + more, None
        return True


def excerpting(logger: logging.Logger) -> logging.Logger:
    if not any(isinstance(f, Excerpts) for f in logger.filters):
        logger.addFilter(Excerpts())
    return logger


def admission(
    turns: SlackTurns, max_backlog: int, availability: Availability
) -> Callable[[dict[str, Any]], Awaitable[BoltResponse | None]]:
    """Why an event may not be acknowledged now (a 503, so that Slack delivers it again later, same
    event_id: nothing is lost), or None. Bolt's middleware and the event lane (lane.py) both ask it.

    - Past `max_backlog` unanswered turns new events are refused instead of queued without bound, so
      memory stays flat.
    - An event is acknowledged before it is answered, so only while the database can keep it. Clicks
      and commands are not retried by Slack; their listeners tell the person nothing changed."""

    async def refusal(body: dict[str, Any]) -> BoltResponse | None:
        if body.get("type") != "event_callback":
            return None
        if turns.in_flight >= max_backlog:
            return BoltResponse(status=503, body="busy, please retry")
        # A busy database is known usable (a statement succeeded within the last second): no thread
        # hop; an idle one is probed.
        if not availability.known_usable() and not await asyncio.to_thread(availability.usable):
            log.warning("Slack event %s refused with 503: database unavailable", body.get("event_id"))
            return BoltResponse(status=503, body="database unavailable, please retry")
        return None

    return refusal


def admit_events(
    refusal: Callable[[dict[str, Any]], Awaitable[BoltResponse | None]],
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """`refusal` as one bolt middleware for both checks, since bolt builds each middleware's arguments
    afresh for every request."""

    async def middleware(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        refused = await refusal(body)
        if refused is not None:
            return refused
        await next()
        return None

    return middleware


def well_shaped(body: dict[str, Any]) -> bool:
    """Whether bolt can read the payload: bolt extracts the action, view, event... of every request
    (for listeners and middleware alike) without checking their shape, so a signed payload of the
    wrong shape (`"actions": []`, a view without a type) would crash inside bolt as a 500. The same
    extractors are run here first, and a payload they cannot read gets a 400."""
    if any(key in body and not isinstance(body[key], dict) for key in OBJECTS):
        return False
    actions = body.get("actions", [])
    if not isinstance(actions, list) or not all(isinstance(action, dict) for action in actions):
        return False
    try:
        for extract in PAYLOAD_EXTRACTORS:
            extract(body)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):
        return False
    return True


def events_handler(bolt: AsyncApp, lane: EventLane | None = None) -> Handler:
    """POST /slack/events: messages through `lane` when it takes them, everything else through bolt."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if lane is not None:
            taken = await lane.take(request)
            if taken is not None:
                return taken
        try:
            bolt_request = await to_bolt_request(request)  # parses the body: JSON, or a form with JSON inside
        # Not JSON, not UTF-8, a charset that does not exist, or JSON that is not an object.
        except (ValueError, LookupError, TypeError, AttributeError, KeyError):
            return web.Response(status=400, text="malformed request body")
        if not well_shaped(bolt_request.body):
            return web.Response(status=400, text="malformed payload")
        response = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    return handle


def mount(app: web.Application, runtime: Runtime) -> str:
    settings = runtime.settings
    if not configured(settings):
        return "slack: off (needs SLACK_SIGNING_SECRET, and SLACK_BOT_TOKEN or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)"
    events: EventWorkers | None = None
    if settings.slack_answer_processes > 0:
        events = EventWorkers(settings, settings.slack_answer_processes)
        events.mount(app)  # before the bolt app's lifetime, so it stops after the listeners
    installations = Installations(settings, runtime.sessions) if oauth_configured(settings) else None
    slack = bolt_app(settings, runtime.conversation("slack"), events=events, installations=installations)
    app[SLACK_KEY] = slack
    app.cleanup_ctx.append(lifetime(slack, installations))
    bolt = slack.bolt
    workspaces = "one workspace (SLACK_BOT_TOKEN)"
    if installations is not None:
        mount_oauth(app, bolt)
        ignored = "; SLACK_BOT_TOKEN is not used" if settings.slack_bot_token else ""
        workspaces = f"workspaces installed at GET {install_pages.INSTALL_PATH}{ignored}"
    if settings.slack_app_token:
        link = SocketModeLink()
        app.cleanup_ctx.append(link.running(bolt, settings.slack_app_token))
        add_connection_check(app, "slack_socket_mode", link.state)
        return f"slack: on (Socket Mode; {workspaces})"
    app.router.add_post(EVENTS_PATH, events_handler(bolt, slack.lane))
    return f"slack: on (HTTP, POST {EVENTS_PATH}; {workspaces}; Web API {settings.slack_api_url})"


def mount_oauth(app: web.Application, bolt: AsyncApp) -> None:
    """GET /slack/install sends the installer to Slack (setting the state cookie), and Slack sends them
    back to GET /slack/oauth_redirect, where bolt checks the state and saves the installation."""
    flow = bolt.oauth_flow
    assert flow is not None

    async def install(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

    async def redirect(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    app.router.add_get(install_pages.INSTALL_PATH, install)
    app.router.add_get(install_pages.REDIRECT_PATH, redirect)


def lifetime(slack: SlackApp, installations: Installations | None) -> CleanupContext:
    """One connection pool to the Web API while the server runs, and what this server kept and never
    answered (it crashed, or stopped first) queued before any new event; the answering stopped at the end,
    and the done marks committed."""

    async def running(_app: web.Application) -> AsyncIterator[None]:
        keep_connections(slack.bolt.client)
        await replay(slack)
        yield
        await slack.turns.drain(DRAIN_SECONDS)
        await slack.turns.close()
        await slack.inbox.close()
        await release_connections(slack.bolt.client)
        if installations is not None:
            await installations.close()

    return running


async def replay(slack: SlackApp) -> None:
    try:
        kept = await asyncio.to_thread(slack.inbox.to_replay)
        if kept:
            log.info("inbox: %d Slack event(s) replayed", await slack.lane.replay(kept))
    except Exception as exc:  # e.g. the database away at start: what is not replayed stays kept for the next
        log.warning("inbox: Slack events not replayed: %s", exc)


class SocketModeLink:
    """The Socket Mode connection out to Slack while the server runs, and whether it is up (/readyz)."""

    def __init__(self) -> None:
        self.handler: AsyncSocketModeHandler | None = None

    def running(self, bolt: AsyncApp, app_token: str) -> CleanupContext:
        async def connection(_app: web.Application) -> AsyncIterator[None]:
            self.handler = AsyncSocketModeHandler(bolt, app_token)
            await self.handler.connect_async()  # type: ignore[no-untyped-call]
            yield
            await self.handler.close_async()  # type: ignore[no-untyped-call]
            self.handler = None

        return connection

    async def state(self) -> str:
        if self.handler is None:
            return "not connected: the server has not opened its Socket Mode connection"
        connected = await self.handler.client.is_connected()
        return "ok" if connected else "not connected: the Socket Mode connection to Slack is down"


def senders(runtime: Runtime) -> list[SlackSender]:
    """The outbox sender for "slack" when Slack is set up (none otherwise): with the one bot token, or
    each installed workspace's."""
    settings = runtime.settings
    tokens: Tokens
    if oauth_configured(settings):
        tokens = InstalledTokens(Installations(settings, runtime.sessions), runtime.sessions)
    elif settings.slack_bot_token:
        tokens = OneToken(settings.slack_bot_token)
    else:
        return []
    return [SlackSender(Clients(settings, retries=False), runtime.sessions, tokens)]
