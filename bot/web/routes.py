"""The web chat's routes: the page, the roster to pick from, turns, and each person's event stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_sse import EventSourceResponse, sse_response
from pydantic import BaseModel, ValidationError

from bot.loopback import refusal
from bot.runtime import Runtime
from bot.web.inbox import Doorbell, acknowledge, claim_for, release
from bot.web.schema import (
    MAX_BODY_BYTES,
    MAX_UPLOAD_BYTES,
    Received,
    TurnRequest,
    Who,
    person_json,
    reply_json,
)
from dialogs.conversation import Conversation
from dialogs.file_checks import MAX_FILE_BYTES
from dialogs.messages import Incoming, Reply, Sender
from knowledge.models import Pack
from storage import directory
from storage.availability import UNAVAILABLE_TEXT
from storage.db import transaction
from storage.tables import Person

STATIC = Path(__file__).parent / "static"
API = "/api/web/"
Body = TypeVar("Body", bound=BaseModel)
POLL_SECONDS = 2.0  # how often an open stream looks for messages queued by another process
NO_CACHE = {"Cache-Control": "no-cache"}


class WebChat:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.conversation: Conversation = runtime.conversation("web")
        self.doorbell = Doorbell()
        self.stopping = False

    # -- the page and the roster -------------------------------------------------------------

    async def page(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers=NO_CACHE)

    async def organisations(self, _request: web.Request) -> web.Response:
        packs = self.runtime.library.packs
        items = [{"id": org, "name": packs[org].organisation.name} for org in sorted(packs)]
        return web.json_response({"organisations": items})

    async def people(self, request: web.Request) -> web.Response:
        org = request.match_info["org"]
        pack = self.runtime.library.packs.get(org)
        if pack is None:
            return error(404, f"There is no organisation {org!r}.")
        people = await asyncio.to_thread(self._people, org)
        return web.json_response({"people": [person_json(p, pack) for p in people]})

    def _people(self, org: str) -> list[Person]:
        with transaction(self.runtime.sessions) as session:
            return directory.list_people(session, org)

    # -- turns -------------------------------------------------------------------------------

    async def turn(self, request: web.Request) -> web.Response:
        turn = await parsed_turn(request)
        if isinstance(turn, web.Response):
            return turn
        person = await self._person(turn)
        if isinstance(person, web.Response):
            return person
        try:
            files = [uploaded.inbound() for uploaded in turn.files]
        except ValueError as exc:
            return error(400, f"That request is not valid: {exc}.")
        incoming = Incoming(
            org=turn.org,
            sender=Sender(platform="web", user_id=turn.email, email=turn.email),
            text=turn.text,
            action=turn.action,
            files=files,
        )
        replies: list[Reply] = await asyncio.to_thread(self.conversation.handle, incoming)
        self.doorbell.ring()  # the turn may have queued messages for people whose pages are open
        pack = self.runtime.library.packs[turn.org]
        return web.json_response({"replies": [reply_json(r, pack) for r in replies]})

    async def _person(self, who: Who) -> Person | web.Response:
        """The roster person the page speaks for, or the refusal to send back."""
        if who.org not in self.runtime.library.packs:
            return error(404, f"There is no organisation {who.org!r}.")
        person = await asyncio.to_thread(self._on_roster, who)
        if person is None:
            return error(403, f"{who.email} is not on {who.org}'s staff list, so I can't act for them.")
        return person

    def _on_roster(self, who: Who) -> Person | None:
        with transaction(self.runtime.sessions) as session:
            person = directory.find_person_by_email(session, who.org, who.email)
            return person if person is not None and person.active else None

    # -- each person's stream of messages from others ----------------------------------------

    async def inbox(self, request: web.Request) -> web.StreamResponse:
        try:
            who = Who.model_validate(dict(request.query))
        except ValidationError as exc:
            return invalid(exc)
        person = await self._person(who)
        if isinstance(person, web.Response):
            return person
        pack = self.runtime.library.packs[who.org]
        connection = f"web:{uuid.uuid4().hex[:12]}"  # this connection's name on the rows it claims
        try:
            async with sse_response(request, headers=NO_CACHE) as stream:
                # A page that went away shows up as a closed transport or a failed write.
                with contextlib.suppress(ConnectionResetError, TimeoutError):
                    await stream.send(json.dumps(person_json(person, pack)), event="ready")
                    while still_open(request, stream) and not self.stopping:
                        await self._send_due(stream, person.id, connection, pack)
                        await self.doorbell.wait(POLL_SECONDS)
        finally:
            released = await asyncio.shield(asyncio.to_thread(release, self.runtime.sessions, connection))
            if released:
                self.doorbell.ring()  # another open page of this person's can take them now
        return stream

    async def _send_due(
        self, stream: EventSourceResponse, person_id: int, connection: str, pack: Pack
    ) -> None:
        for message in await asyncio.to_thread(claim_for, self.runtime.sessions, person_id, connection):
            reply = reply_json(Reply.model_validate(message.payload), pack)
            await stream.send(json.dumps({"id": message.id, "reply": reply}), event="message")

    async def acknowledge(self, request: web.Request) -> web.Response:
        """The page confirms the messages it has shown; only then are they delivered."""
        received = await parsed(request, Received)
        if isinstance(received, web.Response):
            return received
        person = await self._person(received)
        if isinstance(person, web.Response):
            return person
        count = await asyncio.to_thread(acknowledge, self.runtime.sessions, person.id, received.ids)
        return web.json_response({"delivered": count})

    async def on_shutdown(self, _app: web.Application) -> None:
        self.stopping = True  # open streams end, so the server stops without waiting for them
        self.doorbell.ring()


def still_open(request: web.Request, stream: EventSourceResponse) -> bool:
    transport = request.transport
    return stream.is_connected() and transport is not None and not transport.is_closing()


async def parsed(request: web.Request, model: type[Body]) -> Body | web.Response:
    """The request's JSON body as `model`, or the 400/413 answer saying what is wrong with it."""
    try:
        return model.model_validate_json(await read_body(request))
    except web.HTTPRequestEntityTooLarge:
        return too_large(MAX_BODY_BYTES)
    except ValidationError as exc:
        return invalid(exc)


async def parsed_turn(request: web.Request) -> TurnRequest | web.Response:
    """A turn: up to MAX_BODY_BYTES, or up to MAX_UPLOAD_BYTES when it is a valid turn carrying a file."""
    try:
        body = await read_body(request, MAX_UPLOAD_BYTES)
    except web.HTTPRequestEntityTooLarge:
        return too_large(MAX_UPLOAD_BYTES)
    try:
        turn = TurnRequest.model_validate_json(body)
    except ValidationError as exc:
        return too_large(MAX_BODY_BYTES) if len(body) > MAX_BODY_BYTES else invalid(exc)
    return too_large(MAX_BODY_BYTES) if len(body) > MAX_BODY_BYTES and not turn.files else turn


def too_large(limit: int) -> web.Response:
    shown = (f"{limit // 1024} KB" if limit < 1024 * 1024
             else f"{limit // (1024 * 1024)} MB, for a file of up to {MAX_FILE_BYTES // (1024 * 1024)} MB")  # fmt: skip
    return error(413, f"That request is too large (the limit is {shown}).")


async def read_body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, read no further than `limit` (read in chunks: a turn carrying a file may be larger
    than the server's general request limit, and an unbounded chunked body stops at the limit)."""
    declared = request.content_length or 0
    if declared > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=declared)
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body))
    return bytes(body)


def error(status: int, message: str, details: list[Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"error": message}
    if details:
        body["details"] = details
    return web.json_response(body, status=status)


def invalid(exc: ValidationError) -> web.Response:
    details = [
        {"where": ".".join(str(part) for part in e["loc"]) or "body", "problem": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]
    return error(400, "That request is not valid: see details.", details)


def web_chat_path(path: str) -> bool:
    return path == "/" or path.startswith(("/web/", API))


@web.middleware
async def this_machine_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The web chat has no login (anyone may pick anyone on the roster), so it answers only requests
    made on this machine (bot/loopback.py), and changes state only for a JSON body: a form or a
    `text/plain` body is what another site's page can make a browser send without asking."""
    if not web_chat_path(request.path):
        return await handler(request)
    runtime: Runtime = request.app[WEB_RUNTIME_KEY]
    why = refusal(request, runtime.settings.pathway_web_hosts)
    if why is not None:
        return error(403, f"The web chat answers only on the machine it runs on, and {why}.")
    if request.method not in ("GET", "HEAD") and request.content_type != "application/json":
        return error(415, "Send the request as application/json.")
    if request.path.startswith(API) and not await asyncio.to_thread(runtime.availability.usable):
        return error(503, UNAVAILABLE_TEXT)
    return await handler(request)


WEB_RUNTIME_KEY = web.AppKey("web_chat_runtime", Runtime)


def mount(app: web.Application, runtime: Runtime) -> str:
    chat = WebChat(runtime)
    app[WEB_RUNTIME_KEY] = runtime
    app.middlewares.append(this_machine_only)
    app.router.add_get("/", chat.page)
    app.router.add_static("/web/", STATIC, append_version=False)
    app.router.add_get(API + "organisations", chat.organisations)
    app.router.add_get(API + "organisations/{org}/people", chat.people)
    app.router.add_post(API + "turns", chat.turn)
    app.router.add_get(API + "inbox", chat.inbox)
    app.router.add_post(API + "inbox/received", chat.acknowledge)
    app.on_shutdown.append(chat.on_shutdown)
    hosts = ", ".join(runtime.settings.pathway_web_hosts)
    return f"web chat: on at / (no login: answers only this machine, by loopback and Host {hosts})"
