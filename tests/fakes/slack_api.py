"""A fake Slack Web API on 127.0.0.1 that records every call, for tests and benchmarks.

It speaks the wire format slack_sdk uses (GET query, form or JSON bodies at /api/<method>), keeps just
enough state to answer like Slack (users, DM channels, posted messages and their ts), and fails on demand:
`fail_next` for one-off errors, `rate_limit` (calls per second per method, answered with 429 and
Retry-After when exceeded) and `error_rate` (random HTTP 5xx) for load tests; and holds on demand: `hold`
keeps a method's calls waiting, recorded but unanswered, until `release` (a test sees the bot stopped
exactly there, then kills it, without guessing at timings).

Several workspaces (OAuth): `/oauth/v2/authorize` plays the installer approving the install into
`installing` and sends the browser back to the app's redirect URL with a code; `oauth.v2.access` trades
the code for a bot token of that workspace (with `rotation`, one that expires and a refresh token, which
the refresh grant trades for new ones, each refresh token once). Once any token has been issued, every
call must carry a valid, unexpired one, and sees only its own workspace's (or, installed org-wide, its
Enterprise Grid's) users. Before that, any token is the one workspace `team_id` (one-token tests).

In-process:   fake = FakeSlackApi(); await fake.start(); ... fake.base_url ...; await fake.close()
Standalone:   python -m tests.fakes.slack_api --port 8123 --rate-limit 50 --error-rate 0.01 --auto-users
              GET /_fake/stats reports call counts and chat.postMessage counts per channel (duplicates).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

BOT_USER = "UPATHWAYBOT"
BOT_ID = "BPATHWAY"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"
NO_TOKEN = {"oauth.v2.access", "apps.connections.open"}  # the client's credentials, or the app-level token
DAY_SECONDS = 43200  # Slack's rotating tokens live 12 hours
HISTORY_LIMIT = 15  # conversations.history for apps distributed outside the Slack Marketplace (2025)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str
    at: float = field(default_factory=time.monotonic)
    status: int = 200  # what the fake answered


@dataclass
class Failure:
    method: str
    status: int = 200
    error: str = ""
    retry_after: int = 1


@dataclass
class SlackUser:
    id: str
    email: str | None
    team: str
    name: str = ""
    deleted: bool = False
    enterprise: str | None = None


@dataclass
class Install:
    """A workspace (or, org-wide, an Enterprise Grid organisation) the app is being installed into."""

    team: str | None
    name: str
    enterprise: str | None = None
    enterprise_name: str = ""
    org_wide: bool = False
    installer: str = "UINSTALLER"


@dataclass
class Grant:
    """A bot token the fake issued, and what it may see."""

    token: str
    install: Install
    expires_at: float | None = None  # time.time(); None: never
    refresh_token: str | None = None

    def sees(self, user: SlackUser) -> bool:
        if self.install.org_wide:
            return user.enterprise == self.install.enterprise
        return user.team == self.install.team


@dataclass
class FakeSlackApi:
    team_id: str = "T0MEDWAY"
    rate_limit: float | None = None  # calls per second per method; None: unlimited
    error_rate: float = 0.0  # share of calls answered with HTTP 503
    auto_users: bool = False  # any email is a user (for broadcasts to thousands)
    latency: float = 0.0  # seconds added to every answer
    seed: int = 0
    calls: list[Call] = field(default_factory=list)
    users: dict[str, SlackUser] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # Files shared through the external upload API: file id -> {"filename", "content", "channel", "title"}.
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Files people shared with the bot: file id -> {"name", "mimetype", "content" (bytes), "size"}.
    shared: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    held: set[str] = field(default_factory=set)  # methods whose calls wait until release()
    base_url: str = ""

    # OAuth: who the next install approved at /oauth/v2/authorize goes to; tokens issued; refresh tokens
    # not yet used; codes not yet traded. `rotation`: tokens expire (after `lifetime` seconds, and
    # `refreshed_lifetime` once refreshed) and come with a refresh token.
    installing: Install | None = None
    redirect_uri: str = ""  # where an authorize without redirect_uri goes (the app's one Redirect URL)
    rotation: bool = False
    lifetime: int = DAY_SECONDS
    refreshed_lifetime: int = DAY_SECONDS
    grants: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, Install] = field(default_factory=dict)

    # Workspaces (T…) or Grid organisations (E…) that uninstalled the app: their tokens are revoked.
    removed: set[str] = field(default_factory=set)

    # Socket Mode: the connections open now, and the envelope ids the app acknowledged.
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._window: dict[str, tuple[float, int]] = {}
        self._ts = 0
        self._runner: web.AppRunner | None = None
        self._released = asyncio.Event()

    # -- set-up and inspection -------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        email: str | None,
        team: str | None = None,
        name: str = "",
        enterprise: str | None = None,
    ) -> None:
        self.users[user_id] = SlackUser(
            user_id, email, team or self.team_id, name or user_id, enterprise=enterprise
        )

    def uninstall(self, workspace: str) -> None:
        """The app is uninstalled from `workspace` (T…, or a Grid organisation E…): as Slack does, every
        token it had there is revoked (calls with them answer token_revoked)."""
        self.removed.add(workspace)

    def tokens_used(self, method: str) -> list[str]:
        """The token each call of `method` carried, in order."""
        return [c.token for c in self.calls if c.method == method]

    def share(
        self, name: str, content: bytes, mimetype: str = "application/pdf", size: int | None = None
    ) -> dict[str, Any]:
        """A file a person shared (what a message event's `files` lists); `size` may claim otherwise."""
        file_id = f"FSHARED{len(self.shared) + 1:04d}"
        self.shared[file_id] = {"name": name, "mimetype": mimetype, "content": content,
                                "size": len(content) if size is None else size}  # fmt: skip
        return {"id": file_id, "name": name, "mimetype": mimetype}

    def fail_next(self, method: str, status: int = 200, error: str = "", retry_after: int = 1) -> None:
        """The next call of `method` fails: HTTP `status` (429 carries Retry-After) or ok=false `error`."""
        self.failures.append(
            Failure(method, status, error or ("ratelimited" if status == 429 else ""), retry_after)
        )

    def hold(self, method: str) -> None:
        """Calls to `method` are recorded (`of` shows them) and then wait, unanswered, until `release`."""
        self.held.add(method)
        self._released = asyncio.Event()

    def release(self) -> None:
        self.held.clear()
        self._released.set()

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def posts_per_channel(self) -> Counter[str]:
        """Messages actually posted (calls that succeeded) per channel: more than one is a duplicate."""
        return Counter(channel for channel, _ts in self.messages)

    def duplicates(self) -> dict[str, int]:
        return {channel: n for channel, n in self.posts_per_channel().items() if n > 1}

    def stats(self) -> dict[str, Any]:
        return {
            "calls": dict(Counter(c.method for c in self.calls)),
            "posts_per_channel": dict(self.posts_per_channel()),
            "duplicates": self.duplicates(),
        }

    # -- serving -----------------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{file_id}/{name}", self._download)  # url_private_download
        app.router.add_get("/socket", self._socket)  # Socket Mode: the URL apps.connections.open gives
        app.router.add_get("/oauth/v2/authorize", self._authorize)  # the installer's browser, at Slack
        app.router.add_get("/_fake/stats", self._stats)
        app.router.add_get("/_fake/delivered", self._delivered)
        app.router.add_get("/_fake/timeline", self._timeline)
        return app

    def delivered(self) -> Counter[str]:
        """Messages Slack accepted, per channel (a refused call, e.g. a 429 or a 503, posted nothing)."""
        return Counter(channel for channel, _ts in self.messages)

    async def _delivered(self, _request: web.Request) -> web.Response:
        return web.json_response(dict(self.delivered()))

    async def start(self, port: int = 0) -> str:
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{bound}/api/"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _stats(self, _request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _timeline(self, _request: web.Request) -> web.Response:
        """Every call as [time.monotonic() when it came, method, HTTP status, channel], for benchmarks to
        show where the time went (bursts, pauses after a 429, a tail of retries). The monotonic clock is
        the machine's, so a benchmark in another process can set these against its own."""
        return web.json_response([[c.at, c.method, c.status, c.params.get("channel")] for c in self.calls])

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("response_url", {"key": request.match_info["key"], **body}, ""))
        return web.json_response({"ok": True})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """A Socket Mode connection: hello, then events pushed by `push`; acks are recorded."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": len(self.sockets),
                                "connection_info": {"app_id": "A0PATHWAY"}, "debug_info": {"host": "fake"}})  # fmt: skip
        try:
            async for message in socket:
                if message.type == web.WSMsgType.TEXT:
                    envelope = json.loads(message.data)
                    if envelope.get("envelope_id"):
                        self.acknowledged.append(str(envelope["envelope_id"]))
        finally:
            self.sockets.remove(socket)
        return socket

    async def push(self, payload: dict[str, Any], kind: str = "events_api") -> str:
        """Send an event to the app over its Socket Mode connection; the envelope id it must ack."""
        envelope_id = f"envelope-{len(self.calls)}-{len(self.acknowledged)}"
        await self.sockets[-1].send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                          "accepts_response_payload": False, "retry_attempt": 0,
                                          "retry_reason": ""})  # fmt: skip
        return envelope_id

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: it takes the file's bytes."""
        file_id = request.match_info["file_id"]
        if file_id not in self.files:
            return web.Response(status=404, text="unknown upload")
        body = await request.read()
        self.files[file_id]["data"] = body  # the bytes as uploaded; "content" as text, for documents
        self.files[file_id]["content"] = body.decode("utf-8", "replace")
        self.calls.append(Call("upload", {"file_id": file_id}, ""))
        return web.Response(text=f"OK - {len(self.files[file_id]['content'])}")

    async def _download(self, request: web.Request) -> web.Response:
        """A shared file's private download: only with a bot token, as Slack requires."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        file_id = request.match_info["file_id"]
        self.calls.append(Call("download", {"file": file_id}, token))
        if not token.startswith("xoxb-"):
            return web.Response(status=403, text="no token")  # Slack serves a login page; refused here
        if file_id not in self.shared:
            return web.Response(status=404)
        return web.Response(
            body=self.shared[file_id]["content"], content_type=self.shared[file_id]["mimetype"]
        )

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        call = Call(method, params, token)
        self.calls.append(call)
        if method in self.held:
            await self._released.wait()
        if self.latency:
            await asyncio.sleep(self.latency)
        failure = self._failure(method)
        if failure is not None:
            call.status = failure.status
            return failure
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        grant = None
        if self.grants and method not in NO_TOKEN:
            grant = self.grants.get(token)
            if grant is None:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            if grant.expires_at is not None and grant.expires_at <= time.time():
                return web.json_response({"ok": False, "error": "token_expired"})
        revoked = {grant.install.team, grant.install.enterprise} if grant else {self.team_id}
        if method not in NO_TOKEN and revoked & self.removed:
            return web.json_response({"ok": False, "error": "token_revoked"})
        if method == "oauth.v2.access":
            params["_basic"] = request.headers.get("Authorization", "")
        answer: dict[str, Any] = handler(params, grant)
        return web.json_response(answer)

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        for key in ("blocks", "view", "metadata", "files"):  # form-encoded calls carry these as JSON strings
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _failure(self, method: str) -> web.Response | None:
        planned = next((f for f in self.failures if f.method == method), None)
        if planned is not None:
            self.failures.remove(planned)
            if planned.status == 429:
                return self._too_many(planned.retry_after)
            return web.json_response(
                {"ok": False, "error": planned.error or "internal_error"}, status=planned.status
            )
        if self.rate_limit is not None and self._over_limit(method):
            return self._too_many(1)
        if self.error_rate and self._random.random() < self.error_rate:
            return web.json_response({"ok": False, "error": "fatal_error"}, status=503)
        return None

    def _over_limit(self, method: str) -> bool:
        assert self.rate_limit is not None
        second = float(int(time.monotonic()))
        start, count = self._window.get(method, (second, 0))
        if start != second:
            start, count = second, 0
        self._window[method] = (start, count + 1)
        return count + 1 > self.rate_limit

    @staticmethod
    def _too_many(retry_after: int) -> web.Response:
        return web.json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
        )

    # -- the methods -----------------------------------------------------------------------------

    def _auth_test(self, _params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        if grant is not None:
            install = grant.install
            return {"ok": True, "url": f"https://{(install.team or install.enterprise or '').lower()}.slack.example/",
                    "team": install.name, "user": "pathway", "team_id": install.team,
                    "enterprise_id": install.enterprise, "is_enterprise_install": install.org_wide,
                    "user_id": BOT_USER, "bot_id": BOT_ID}  # fmt: skip
        return {"ok": True, "url": "https://medway.slack.example/", "team": "Medway", "user": "pathway",
                "team_id": self.team_id, "user_id": BOT_USER, "bot_id": BOT_ID}  # fmt: skip

    def _user(self, user_id: str, grant: Grant | None = None) -> SlackUser | None:
        user = self.users.get(user_id)
        if user is None and self.auto_users and user_id.startswith("U"):
            user = SlackUser(user_id, f"{user_id.lower()}@auto.example", self.team_id)
        if user is not None and grant is not None and not grant.sees(user):
            return None  # another workspace's: this token cannot see them
        return user

    def _users_info(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        user = self._user(str(params.get("user", "")), grant)
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user_json(user)}

    def _users_lookupByEmail(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        email = str(params.get("email", "")).lower()
        user = next((u for u in self.users.values() if (u.email or "").lower() == email
                     and (grant is None or grant.sees(u))), None)  # fmt: skip
        if user is None and self.auto_users and email:
            user_id = "U" + hashlib.sha1(email.encode()).hexdigest()[:10].upper()
            user = self.users[user_id] = SlackUser(user_id, email, self.team_id)
        if user is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": self._user_json(user)}

    @staticmethod
    def _user_json(user: SlackUser) -> dict[str, Any]:
        return {"id": user.id, "team_id": user.team, "name": user.name, "deleted": user.deleted,
                "real_name": user.name, "profile": {"email": user.email, "real_name": user.name}}  # fmt: skip

    def _conversations_open(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        user_id = str(params.get("users", "")).split(",")[0]
        user = self._user(user_id, grant)
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        if user.deleted:
            return {"ok": False, "error": "account_inactive"}
        return {"ok": True, "channel": {"id": "D" + user_id[1:], "is_im": True}}

    def _next_ts(self) -> str:
        self._ts += 1
        return f"{int(time.time())}.{self._ts:06d}"

    def _chat_postMessage(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        self.messages[(channel, ts)] = params
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": params.get("text"), "ts": ts}}

    def _chat_update(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        key = (str(params.get("channel", "")), str(params.get("ts", "")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key] = {**self.messages[key], **params}
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _conversations_history(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        """Newest first; each message's metadata only when asked with include_all_metadata, as Slack does."""
        # Apps outside the Marketplace get at most HISTORY_LIMIT messages a call, whatever they ask for.
        channel, limit = str(params.get("channel", "")), min(int(params.get("limit") or 100), HISTORY_LIMIT)
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = sorted(((ts, m) for (c, ts), m in self.messages.items() if c == channel), reverse=True)
        messages = [{"type": "message", "ts": ts, "text": m.get("text"), "bot_id": "BPATHWAY",
                     **({"metadata": m["metadata"]} if with_metadata and m.get("metadata") else {})}
                    for ts, m in found[:limit]]  # fmt: skip
        return {"ok": True, "messages": messages, "has_more": len(found) > limit}

    # -- OAuth ---------------------------------------------------------------------------------------

    async def _authorize(self, request: web.Request) -> web.Response:
        """Slack's install page, approved at once by the installer for `installing` (or, with nobody set
        to install, cancelled), sending the browser back to the app with a code and the app's state."""
        query = request.query
        self.calls.append(Call("oauth.authorize", dict(query), ""))
        back = query.get("redirect_uri") or self.redirect_uri
        if query.get("client_id") != CLIENT_ID or not back:
            return web.Response(status=400, text="invalid_client_id or no redirect URL")
        state = query.get("state", "")
        if self.installing is None:
            raise web.HTTPFound(f"{back}?{urlencode({'error': 'access_denied', 'state': state})}")
        code = f"code-{sum(c.method == 'oauth.authorize' for c in self.calls)}"
        self.codes[code] = self.installing
        raise web.HTTPFound(f"{back}?{urlencode({'code': code, 'state': state})}")

    def _oauth_v2_access(self, params: dict[str, Any], _grant: Grant | None = None) -> dict[str, Any]:
        """The code grant (an install) and the refresh grant (token rotation)."""
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        basic = str(params.get("_basic", ""))
        if basic.startswith("Basic "):
            client_id, _colon, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return {
                "ok": False,
                "error": "invalid_client_id" if client_id != CLIENT_ID else "bad_client_secret",
            }
        if params.get("grant_type") == "refresh_token":
            used = self.refresh_tokens.pop(str(params.get("refresh_token", "")), None)
            if used is None:  # unknown, or spent already: each refresh token works once
                return {"ok": False, "error": "invalid_refresh_token"}
            return self._issue(used.install, self.refreshed_lifetime)
        install = self.codes.pop(str(params.get("code", "")), None)
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        return self._issue(install, self.lifetime)

    def _issue(self, install: Install, lifetime: int) -> dict[str, Any]:
        number = len(self.grants) + 1
        token = f"xoxb-{install.team or install.enterprise}-{number}"
        grant = Grant(token, install)
        if self.rotation:
            grant.expires_at, grant.refresh_token = time.time() + lifetime, f"xoxe-1-{number}"
            self.refresh_tokens[grant.refresh_token] = grant
        self.grants[token] = grant
        answer: dict[str, Any] = {
            "ok": True, "access_token": token, "token_type": "bot", "scope": "chat:write,im:write,users:read",
            "bot_user_id": BOT_USER, "app_id": "A0PATHWAY",
            "team": {"id": install.team, "name": install.name} if install.team else None,
            "enterprise": {"id": install.enterprise, "name": install.enterprise_name} if install.enterprise else None,
            "is_enterprise_install": install.org_wide, "authed_user": {"id": install.installer},
        }  # fmt: skip
        if grant.refresh_token:
            answer.update(refresh_token=grant.refresh_token, expires_in=lifetime)
        return answer

    def _apps_connections_open(self, _params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        root = self.base_url.removesuffix("/api/").replace("http://", "ws://")
        return {"ok": True, "url": f"{root}/socket"}

    def _files_getUploadURLExternal(
        self, params: dict[str, Any], grant: Grant | None = None
    ) -> dict[str, Any]:
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{len(self.files) + 1:08d}"
        self.files[file_id] = {
            "filename": params["filename"],
            "content": None,
            "channel": None,
            "title": None,
        }
        root = self.base_url.removesuffix("/api/")
        return {"ok": True, "upload_url": f"{root}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(
        self, params: dict[str, Any], grant: Grant | None = None
    ) -> dict[str, Any]:
        files = params.get("files") or []
        if not files or any(
            f.get("id") not in self.files or self.files[f["id"]]["content"] is None for f in files
        ):
            return {"ok": False, "error": "file_not_found"}
        for f in files:
            self.files[f["id"]].update(channel=params.get("channel_id"), title=f.get("title"),
                                       thread_ts=params.get("thread_ts"), comment=params.get("initial_comment"))  # fmt: skip
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _files_info(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        shared = self.shared.get(str(params.get("file", "")))
        if shared is None:
            return {"ok": False, "error": "file_not_found"}
        file_id = str(params["file"])
        root = self.base_url.removesuffix("/api/")
        url = f"{root}/files-pri/{file_id}/{quote(shared['name'])}"
        return {"ok": True, "file": {"id": file_id, "name": shared["name"], "mimetype": shared["mimetype"],
                                     "size": shared["size"], "url_private": url, "url_private_download": url}}  # fmt: skip

    def _views_open(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": {"id": f"V{len(self.calls)}", **(params.get("view") or {})}}

    def _views_publish(self, params: dict[str, Any], grant: Grant | None = None) -> dict[str, Any]:
        if not params.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": f"V{len(self.calls)}", **(params.get("view") or {})}}


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Slack Web API on 127.0.0.1 (for benchmarks).")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--team", default="T0MEDWAY")
    parser.add_argument("--rate-limit", type=float, default=None, help="calls/second/method before 429")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of calls answered 503")
    parser.add_argument("--auto-users", action="store_true", help="every email and U-id is a user")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    fake = FakeSlackApi(team_id=args.team, rate_limit=args.rate_limit, error_rate=args.error_rate,
                        auto_users=args.auto_users, latency=args.latency, seed=args.seed)  # fmt: skip

    async def serve() -> None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        print(await fake.start(args.port), flush=True)  # the first line says where it listens
        await stop.wait()
        await fake.close()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
