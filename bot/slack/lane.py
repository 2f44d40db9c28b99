"""The short way in for the events Pathway answers (`message`, `app_mention`): the signature checked with
slack_sdk's SignatureVerifier, the event admitted, its workspace authorised, and the turn queued by the
same listener bolt would run, without bolt's per-request dispatch.

Why: bolt builds a context, runs its whole middleware chain and tries every registered listener's
matchers for each request (about 1.2 ms of the server's CPU a message on the box this is sized for, more
than the rest of the hand-over), and a message is the request that comes in bulk. Everything else (a bad
or stale signature, url_verification, ssl_check, clicks, commands, modal submissions, App Home, the
uninstall and revocation events, OAuth pages) still goes to bolt, as does any message this lane cannot
take as bolt would (no installation found for its workspace, a payload bolt would refuse), so each of
those is answered by bolt exactly as before.

What the lane keeps from bolt: the same signature and timestamp check (SignatureVerifier is what bolt's
RequestVerification uses), the same admission (backlog and database: mount.Admission), the same
authorisation in OAuth mode (the AsyncInstallationStoreAuthorize bolt is given), and the same listener
(listeners.Listeners), which skips edits, joins and bots (ourselves included: bolt's IgnoringSelfEvents
has nothing left to do for these two events). Retries (X-Slack-Retry-Num) are handled as bolt handles
them, not at all here: the core recognises a delivery it already handled by its event id.

What the lane adds: the event is kept in the inbox (inbox.py) before it is acknowledged, so a crash of this
process after the 200 loses nothing (`replay` queues what was kept and never answered when the server
starts again); an event the database could not keep is answered 503, and Slack delivers it again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.request.internals import extract_enterprise_id, extract_is_enterprise_install, extract_team_id
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.inbox import Inbox, arrival
from bot.slack.turns import TurnInput
from storage.inbox import Arrival

log = logging.getLogger(__name__)
LANE_EVENTS = ("message", "app_mention")
JSON = "application/json"

# The listener's turn for an event (listeners.Listeners.message_turn), or None: nobody talking to us.
TurnOf = Callable[[dict[str, Any], dict[str, Any], AsyncBoltContext], TurnInput | None]
Refusal = Callable[[dict[str, Any]], Awaitable[BoltResponse | None]]


class EventLane:
    """`take(request)`: the response to a message event it handled, or None for bolt to handle it.

    `token`: SLACK_BOT_TOKEN (one workspace); or `authorize`, bolt's OAuth authoriser, with `client` for
    its auth.test (many workspaces)."""

    def __init__(
        self,
        signing_secret: str,
        turns_of: Mapping[str, TurnOf],
        enqueue: Callable[[TurnInput], None],
        refusal: Refusal,
        shaped: Callable[[dict[str, Any]], bool],
        *,
        inbox: Inbox | None = None,
        token: str | None = None,
        authorize: AsyncAuthorize | None = None,
        client: AsyncWebClient | None = None,
    ) -> None:
        assert token or (authorize is not None and client is not None), "a token, or bolt's authorize"
        self.verifier = SignatureVerifier(signing_secret)
        self.turns_of = turns_of
        self.enqueue = enqueue
        self.inbox = inbox
        self.refusal = refusal
        self.shaped = shaped
        self.token = token
        self.authorize = authorize
        self.client = client

    async def take(self, request: web.Request) -> web.Response | None:
        if request.content_type != JSON:
            return None  # interactivity and commands are forms
        raw = await request.read()  # aiohttp keeps it: bolt reads the same bytes if the lane declines
        if not self._signed(raw, request.headers):
            return None  # bolt refuses it (400 or 401, logged as it always has been)
        body = self._event_callback(raw)
        if body is None:
            return None
        refused = await self.refusal(body)
        if refused is not None:
            return web.Response(status=refused.status, text=str(refused.body))
        context = await self._context(body)
        if context is None:
            return None  # not installed there (or its token could not be refreshed): bolt says so
        turn = self.turns_of[body["event"]["type"]](body, body["event"], context)
        if turn is None:
            return web.Response(status=200)  # an edit, a join, a bot: nothing to answer
        if self.inbox is not None and turn.event_id:
            try:
                if not await self.inbox.keep(arrival(body, raw, turn.workspace.team)):
                    return web.Response(status=200)  # a retry of a kept event: answered where it was kept
            except Exception as exc:  # not kept, so not acknowledged: Slack delivers it again
                log.warning("Slack event %s refused with 503: not kept (%s)", turn.event_id, exc)
                return web.Response(status=503, text="could not keep the event, please retry")
            turn = replace(turn, kept=True)
        self.enqueue(turn)  # no waiting on anything more
        return web.Response(status=200)

    async def replay(self, kept: list[Arrival]) -> int:
        """Queue, in arrival order, the events this server kept and never answered (it stopped, or
        crashed, first); how many. The core still recognises one it already handled by its event id."""
        assert self.inbox is not None
        queued = 0
        for event in kept:
            body = json.loads(event.payload)
            context = await self._context(body)
            turn = self.turns_of[body["event"]["type"]](body, body["event"], context) if context else None
            if turn is None:  # its workspace is no longer installed: nobody to answer there
                log.warning("inbox: Slack event %s dropped at replay: no installation", event.event_id)
                self.inbox.done(event.event_id)
                continue
            self.enqueue(replace(turn, kept=True, replayed=True))
            queued += 1
        return queued

    def _signed(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """Signed with the signing secret within the last five minutes; False too for anything the check
        cannot read (a body that is not UTF-8, a timestamp that is not a number, a signature that is not
        ASCII), which bolt then answers."""
        try:
            text = raw.decode("utf-8")
            return self.verifier.is_valid(
                text, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
            )
        except (UnicodeDecodeError, ValueError, TypeError):
            return False

    def _event_callback(self, raw: bytes) -> dict[str, Any] | None:
        """The payload when it is a well-formed message or app_mention event; None for anything else."""
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(body, dict) or body.get("type") != "event_callback":
            return None
        event = body.get("event")
        if not isinstance(event, dict) or event.get("type") not in LANE_EVENTS or not self.shaped(body):
            return None
        return body

    async def _context(self, body: dict[str, Any]) -> AsyncBoltContext | None:
        """What the listener reads of bolt's context: the workspace, its Grid, and the bot token."""
        team, enterprise = extract_team_id(body), extract_enterprise_id(body)
        context = AsyncBoltContext(team_id=team, enterprise_id=enterprise,
                                   is_enterprise_install=extract_is_enterprise_install(body) or False)  # fmt: skip
        if self.token:
            context["bot_token"] = self.token
            return context
        assert self.authorize is not None
        context["client"] = self.client
        user = body["event"].get("user")
        try:
            result = await self.authorize(
                context=context,
                enterprise_id=enterprise,
                team_id=team,
                user_id=user if isinstance(user, str) else None,
            )
        except Exception:  # e.g. the installation store unreachable: bolt's handling of it stands
            return None
        if result is None or not result.bot_token:
            return None
        context["bot_token"] = result.bot_token
        return context
