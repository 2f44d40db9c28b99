"""A loopback fake of the Bot Connector service (what Teams' serviceUrl points at), like the Emulator's.

It records every activity the bot sends, replies with and updates, answers member lookups from a
small directory, and can be told to fail the next sends with a status (429 with Retry-After, 5xx).
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Json = dict[str, Any]


@dataclass
class Recorded:
    kind: str  # "send" (new message), "reply" (reply to an activity) or "update" (in place)
    conversation: str
    activity_id: str
    body: Json
    peer: tuple[str, int] | None = None  # the bot's end of the connection it came over

    @property
    def card(self) -> Json | None:
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        return None

    @property
    def text(self) -> str:
        """Everything a person would read: the message text or the card's text blocks and facts."""
        card = self.card
        if card is None:
            return str(self.body.get("text") or "")
        return "\n".join(card_texts(card))


def card_texts(node: Any) -> list[str]:
    texts: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            texts.append(str(node.get("text", "")))
        if node.get("type") == "Fact" or ("title" in node and "value" in node):
            texts.append(f"{node.get('title')}: {node.get('value')}")
        for key, value in node.items():
            if key not in ("fallbackText", "data"):
                texts += card_texts(value)
    elif isinstance(node, list):
        for item in node:
            texts += card_texts(item)
    return texts


@dataclass
class BotConnector:
    members: dict[str, Json] = field(default_factory=dict)  # user id -> TeamsChannelAccount JSON
    log: list[Recorded] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    opened: list[Json] = field(default_factory=list)  # create-conversation requests
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    uploads: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # file name -> (bytes, Content-Range)
    # Files people attach in a personal chat (what their downloadUrl serves): key -> bytes; and each download.
    shared: dict[str, bytes] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _hold: asyncio.Event | None = None  # the next member lookup waits for it

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._reply)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        app.router.add_put("/files/{name}", self._upload)  # plays the OneDrive upload session
        app.router.add_get("/download/{key}", self._download)  # plays a file attachment's downloadUrl
        return app

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.uploads[request.match_info["name"]] = (body, request.headers.get("Content-Range", ""))
        return web.json_response({"id": request.match_info["name"], "size": len(body)}, status=201)

    def attach(self, base_url: str, name: str, content: bytes) -> Json:
        """A file attachment as Teams puts it in a personal-chat message (download.info, pre-authorised URL)."""
        key = f"file{len(self.shared) + 1}"
        self.shared[key] = content
        return {"contentType": "application/vnd.microsoft.teams.file.download.info", "name": name,
                "contentUrl": f"https://contoso.sharepoint.example/personal/{name}",
                "content": {"downloadUrl": f"{base_url}/download/{key}", "uniqueId": key,
                            "fileType": name.rsplit(".", 1)[-1]}}  # fmt: skip

    async def _download(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        self.downloads.append(key)
        if key not in self.shared:
            return web.Response(status=404)
        return web.Response(body=self.shared[key], content_type="application/octet-stream")

    def add_member(self, user_id: str, aad_id: str, name: str, email: str) -> None:
        self.members[user_id] = {"id": user_id, "aadObjectId": aad_id, "name": name, "email": email,
                                 "userPrincipalName": email}  # fmt: skip

    def hold_next_lookup(self) -> asyncio.Event:
        """The next member lookup is answered once the event returned is set (a slow Bot Connector)."""
        self._hold = asyncio.Event()
        return self._hold

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.failures += [(status, headers)] * times

    # What the bot did, as the people in each conversation see it.
    def posted(self, conversation: str) -> list[Recorded]:
        """New messages in a conversation (sends and replies), oldest first."""
        return [r for r in self.log if r.conversation == conversation and r.kind != "update"]

    def current(self, conversation: str, activity_id: str) -> Recorded:
        """A message as it looks now: its last update, or as posted."""
        versions = [r for r in self.log if r.conversation == conversation and r.activity_id == activity_id]
        return versions[-1]

    def updates(self, conversation: str) -> list[Recorded]:
        return [r for r in self.log if r.conversation == conversation and r.kind == "update"]

    def all_cards(self) -> list[Json]:
        return [card for r in self.log if (card := r.card) is not None]

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, "send", f"bot-{next(self._ids)}")

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._record(request, "reply", f"bot-{next(self._ids)}")

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, "update", request.match_info["activity"])

    async def _record(self, request: web.Request, kind: str, activity_id: str) -> web.Response:
        if self.failures:
            status, headers = self.failures.pop(0)
            return web.json_response({"error": {"code": "Failure", "message": "injected"}}, status=status,
                                     headers=headers)  # fmt: skip
        body = await request.json()
        conversation = request.match_info["conversation"]
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.log.append(Recorded(kind, conversation, activity_id, body, tuple(peer[:2]) if peer else None))
        return web.json_response({"id": activity_id})

    async def _create(self, request: web.Request) -> web.Response:
        """Open (or, as Teams does, return the existing) one-to-one chat with the member."""
        body = await request.json()
        self.opened.append(body)
        members = body.get("members") or []
        if body.get("isGroup") or len(members) != 1 or members[0].get("id") not in self.members:
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        return web.json_response({"id": f"a:personal-{members[0]['id']}"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        member = request.match_info["member"]
        self.lookups.append(member)
        hold, self._hold = self._hold, None
        if hold is not None:
            await hold.wait()
        if member not in self.members:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(self.members[member])
