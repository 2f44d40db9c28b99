"""POST /api/messages on the shared aiohttp app, through botbuilder's CloudAdapter.

Mounted only with MICROSOFT_APP_ID set: then every request must carry a valid Bot Framework JWT
(else 401, and nothing is handled). Authentication off, for the Bot Framework Emulator, is an explicit
opt-in (PATHWAY_TEAMS_EMULATOR=1) that keeps the server on loopback and answers only requests made on
this machine (bot/loopback.py); the banner says so. The body is checked here before the SDK sees it,
so a malformed activity gets a 400, not a 500, and an activity whose `serviceUrl` (where the bot will
send its replies and look people up) is not one of the Bot Framework's hosts gets a 403.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.core import TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticationConstants
from jwt import PyJWTError

from bot.loopback import LOOPBACK_NAMES, is_loopback_host, refusal, require_loopback
from bot.runtime import Runtime
from bot.settings import Settings
from bot.teams import translate
from bot.teams.connectors import KeptConnectors
from bot.teams.graph import GraphInstaller, GraphSettings
from bot.teams.handler import PathwayBot
from bot.teams.keys import trust_keys_from
from bot.teams.order import Place
from bot.teams.retry_codes import make_retry_codes_cheap
from bot.teams.sender import Courier, TeamsSender
from bot.teams.workers import core, core_in_worker
from bot.workers import Factory
from storage.availability import UNAVAILABLE_TEXT, is_outage

log = logging.getLogger(__name__)
SORRY = "Sorry, something went wrong on my side. Please try again."
# botbuilder refuses some bad tokens with a bare Exception (an unsigned token's "none" algorithm, a key
# not endorsed for the channel): a refusal (401), not a check that could not be made (503).
REFUSED_TOKENS = frozenset(
    {"Token signing algorithm not in allowed list", "Could not validate endorsement key"}
)


@dataclass(frozen=True)
class BotConfiguration:
    """The attribute names botbuilder's configuration-based authentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str | None


@dataclass(frozen=True)
class KeyServerConfiguration(BotConfiguration):
    """The public cloud's settings with another OpenID metadata document for the channel's tokens
    (MICROSOFT_OPENID_METADATA_URL: a loopback fake in tests). Any of these set makes botbuilder take
    them all from here, so the rest are the public cloud's own values."""

    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str = (
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
    )
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    OAUTH_URL: str = AuthenticationConstants.OAUTH_URL


def adapter(settings: Settings) -> CloudAdapter:
    # With no app id (auth off, for the Emulator) botbuilder accepts only its multi-tenant shape.
    app_type = settings.microsoft_app_type if settings.microsoft_app_id else "MultiTenant"
    credentials = (settings.microsoft_app_id or "", settings.microsoft_app_password or "", app_type,
                   settings.microsoft_app_tenant_id)  # fmt: skip
    metadata_url = settings.microsoft_openid_metadata_url
    config = (
        KeyServerConfiguration(*credentials, metadata_url) if metadata_url else BotConfiguration(*credentials)
    )
    trust_keys_from(*([metadata_url] if metadata_url else []))
    return CloudAdapter(KeptConnectors(ConfigurationBotFrameworkAuthentication(config)))


def courier(runtime: Runtime) -> Courier:
    return Courier(adapter(runtime.settings), runtime.settings.microsoft_app_id or "", runtime.sessions)


def configured(settings: Settings) -> bool:
    return bool(settings.microsoft_app_id) or settings.pathway_teams_emulator


def sender(runtime: Runtime) -> TeamsSender:
    """The dispatcher's sender for channel "teams" (its own adapter: errors reach the dispatcher), which
    installs Pathway for people with no chat yet when the bot has credentials for Microsoft Graph."""
    return TeamsSender(courier(runtime), installer(runtime.settings))


def installer(settings: Settings) -> GraphInstaller | None:
    if not (settings.microsoft_app_id and settings.microsoft_app_password):
        return None
    return GraphInstaller(GraphSettings(settings.microsoft_app_id, settings.microsoft_app_password,
                                        settings.microsoft_graph_url, settings.microsoft_login_url))  # fmt: skip


def senders(runtime: Runtime) -> list[TeamsSender]:
    """The Teams sender when Teams is configured (none otherwise)."""
    if not configured(runtime.settings):
        return []
    make_retry_codes_cheap()
    return [sender(runtime)]


def service_hosts(settings: Settings) -> list[str]:
    """Where activities may send the bot: the Bot Framework's hosts, and this machine for the Emulator."""
    emulator = (
        list(LOOPBACK_NAMES) if settings.pathway_teams_emulator and not settings.microsoft_app_id else []
    )
    return [*settings.pathway_teams_service_hosts, *emulator]


def allowed_service_url(url: str, hosts: Collection[str]) -> bool:
    """An https URL on an allowed host (`*.` matches any subdomain); plain http only to loopback."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback_host(host)):
        return False
    return any(host == pattern or fnmatch.fnmatchcase(host, pattern) for pattern in hosts)


TEAMS_BOT_KEY = web.AppKey("teams_bot", PathwayBot)


def mount(app: web.Application, runtime: Runtime, factory: Factory = core_in_worker) -> str:
    """`factory`: what runs a turn's core in a worker process (TEAMS_ANSWER_PROCESSES > 0)."""
    settings = runtime.settings
    if not configured(settings):
        return "teams: off (MICROSOFT_APP_ID not set; PATHWAY_TEAMS_EMULATOR=1 for the Emulator on loopback)"
    make_retry_codes_cheap()
    emulator = not settings.microsoft_app_id
    if emulator:
        require_loopback(app, "Teams in Emulator mode")
    inbound = adapter(settings)
    inbound.on_turn_error = apologise
    hosts = service_hosts(settings)
    turns_core = core(app, settings, runtime.conversation("teams"), factory)
    bot = PathwayBot(runtime, courier(runtime), lambda url: allowed_service_url(url, hosts), turns_core)
    app[TEAMS_BOT_KEY] = bot

    async def messages(request: web.Request) -> web.Response:
        if emulator and (why := refusal(request, LOOPBACK_NAMES)) is not None:
            raise web.HTTPForbidden(
                text=f"Teams without authentication answers only this machine, and {why}."
            )
        activity = await parse(request)
        if not allowed_service_url(activity.service_url, hosts):
            raise web.HTTPForbidden(text="The activity's serviceUrl is not a Bot Framework service.")
        # Its place among its sender's turns is taken now, as it came: what follows waits.
        with bot.arrived(activity) as place:
            return await turn(request, activity, place)

    async def turn(request: web.Request, activity: Activity, place: Place) -> web.Response:
        # Probed within the second: no thread hop for it (every activity asks).
        if not runtime.availability.known_usable() and not await asyncio.to_thread(
            runtime.availability.usable
        ):
            raise web.HTTPServiceUnavailable(text=UNAVAILABLE_TEXT)  # nothing accepted, nothing lost
        try:
            response = await inbound.process_activity(
                request.headers.get("Authorization", ""), activity, partial(bot.on_turn_in, place)
            )
        except (PermissionError, PyJWTError) as exc:  # no token, a malformed one, or a bad signature
            raise web.HTTPUnauthorized(text="Bot Framework authentication failed.") from exc
        except Exception as exc:  # turn errors go to `apologise`; this is auth that could not finish
            if str(exc) in REFUSED_TOKENS:
                raise web.HTTPUnauthorized(text="Bot Framework authentication failed.") from exc
            log.exception("could not authenticate a Teams request")
            raise web.HTTPServiceUnavailable(text="Cannot verify the request right now.") from exc
        if response is None:
            return web.Response(status=201)
        try:  # an invoke the SDK answered itself (adaptiveCard/action) comes already serialised
            body = response.body if isinstance(response.body, dict) else serializer_helper(response.body)
        except Exception:  # the SDK's refusal of an invoke Pathway doesn't implement can't serialise
            return web.json_response({"error": "not implemented"}, status=HTTPStatus.NOT_IMPLEMENTED)
        return web.json_response(body, status=response.status)

    app.router.add_post("/api/messages", messages)
    if not emulator:
        return (
            f"teams: on at /api/messages (app id {settings.microsoft_app_id}; Bot Framework tokens required)"
        )
    return "teams: on at /api/messages with authentication OFF (PATHWAY_TEAMS_EMULATOR): Emulator mode, this machine only"


async def parse(request: web.Request) -> Activity:
    """The request's activity, or a 4xx saying what is wrong with it."""
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="Send the activity as application/json.")
    try:
        # The Bot Framework sends UTF-8 JSON: a declared charset is not trusted to decode it.
        body: Any = json.loads(await request.read())
    except ValueError as exc:  # not JSON, or not Unicode
        raise web.HTTPBadRequest(text="The body is not valid JSON.") from exc
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        raise web.HTTPBadRequest(text="The body must be a Bot Framework activity with a type.")
    try:
        activity = Activity().deserialize(body)
        translate.check_channel_data(activity.channel_data)
    except Exception as exc:  # msrest raises several kinds on a body of the wrong shape
        raise web.HTTPBadRequest(text="The activity could not be read.") from exc
    missing = [
        name
        for name, present in (
            ("id", activity.id),  # what the reply answers: Teams gives every activity one
            ("serviceUrl", activity.service_url),
            ("conversation.id", activity.conversation and activity.conversation.id),
            ("from.id", activity.from_property and activity.from_property.id),
            ("recipient.id", activity.recipient and activity.recipient.id),
        )
        if not present
    ]
    if missing:
        raise web.HTTPBadRequest(text=f"The activity is missing {', '.join(missing)}.")
    return activity


async def apologise(turn_context: TurnContext, error: Exception) -> None:
    """A turn that crashed: log it, tell the person, never leave them with silence."""
    if is_outage(error):  # rolled back: nothing changed, and the person is told so
        log.warning("Teams turn refused: database unavailable (%s)", error.__class__.__name__)
    else:
        log.error("Teams turn failed: %s", error, exc_info=error)
    try:
        await turn_context.send_activity(UNAVAILABLE_TEXT if is_outage(error) else SORRY)
    except Exception:
        log.exception("could not tell the person the Teams turn failed")
