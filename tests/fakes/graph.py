"""A loopback fake of Microsoft Graph's Teams app installation and its token endpoint.

It issues client-credentials tokens (POST /{tenant}/oauth2/v2.0/token), finds users by email or id,
lists the organisation's app catalogue, and installs an app in a user's personal scope (POST
/v1.0/users/{id}/teamwork/installedApps). As Teams does, an install is followed by the install event
to the bot: `on_install(email)` is called after the answer (tests post an installationUpdate). Users
can be `blocked` by an app permission policy (403). Every call is recorded.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Json = dict[str, Any]
CATALOGUE_ID = "catalogue-pathway-1"


@dataclass
class FakeGraph:
    app_id: str
    client_secret: str
    users: dict[str, str] = field(default_factory=dict)  # email -> Entra object id
    blocked: set[str] = field(default_factory=set)  # emails an app permission policy blocks Pathway for
    published: bool = True  # the app is in the tenant's catalogue
    installed: dict[str, list[str]] = field(default_factory=dict)  # object id -> catalogue ids
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    tokens_issued: list[str] = field(default_factory=list)  # tenants
    on_install: Callable[[str], Awaitable[Any]] | None = None
    _tokens: set[str] = field(default_factory=set)
    _events: set[asyncio.Task[Any]] = field(default_factory=set)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/login/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1.0/users/{user}", self._user)
        app.router.add_get("/v1.0/appCatalogs/teamsApps", self._catalogue)
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self._install)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps", self._installations)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps/{installation}/chat", self._chat)
        return app

    @staticmethod
    def chat_id(object_id: str) -> str:
        """The personal chat an installation opened (Teams' ids look like 19:…@unq.gbl.spaces)."""
        return f"19:{object_id}_pathway@unq.gbl.spaces"

    async def _installations(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty.")
        user = request.match_info["user"]
        wanted = request.query.get("$filter") == f"teamsApp/externalId eq '{self.app_id}'"
        mine = wanted and CATALOGUE_ID in self.installed.get(user, [])
        return web.json_response({"value": [{"id": f"installation-{user}", "teamsApp": {"externalId": self.app_id}}]
                                  if mine else []})  # fmt: skip

    async def _chat(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty.")
        user = request.match_info["user"]
        if request.match_info["installation"] != f"installation-{user}":
            return self._error(404, "NotFound", "installation not found")
        return web.json_response({"id": self.chat_id(user)})

    async def settled(self) -> None:
        """Wait for the install events sent so far to be answered."""
        while self._events:
            await asyncio.gather(*list(self._events))

    def installs(self) -> list[str]:
        return [path for method, path in self.calls if method == "POST" and path.endswith("/installedApps")]

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("scope") != "https://graph.microsoft.com/.default"
        ):
            return web.json_response({"error": "invalid_request"}, status=400)
        if form.get("client_id") != self.app_id or form.get("client_secret") != self.client_secret:
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret"},
                                     status=401)  # fmt: skip
        token = secrets.token_hex(8)
        self._tokens.add(token)
        self.tokens_issued.append(request.match_info["tenant"])
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    def _authorised(self, request: web.Request) -> bool:
        self.calls.append((request.method, request.path))
        return request.headers.get("Authorization", "").removeprefix("Bearer ") in self._tokens

    @staticmethod
    def _error(status: int, code: str, message: str) -> web.Response:
        return web.json_response({"error": {"code": code, "message": message}}, status=status)

    def _email_of(self, user: str) -> str | None:
        user = user.lower()
        return next((email for email, oid in self.users.items() if user in (email.lower(), oid)), None)

    async def _user(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty.")
        email = self._email_of(request.match_info["user"])
        if email is None:
            return self._error(
                404, "Request_ResourceNotFound", f"Resource '{request.match_info['user']}' does not exist"
            )
        return web.json_response({"id": self.users[email]})

    async def _catalogue(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty.")
        wanted = f"externalId eq '{self.app_id}'"
        found = self.published and request.query.get("$filter") == wanted
        return web.json_response(
            {"value": [{"id": CATALOGUE_ID, "externalId": self.app_id}] if found else []}
        )

    async def _install(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "InvalidAuthenticationToken", "Access token is empty.")
        email = self._email_of(request.match_info["user"])
        body: Json = await request.json()
        catalogue_id = str(body.get("teamsApp@odata.bind", "")).rsplit("/", 1)[-1]
        if email is None:
            return self._error(404, "NotFound", "User not found")
        if catalogue_id != CATALOGUE_ID:
            return self._error(400, "BadRequest", "teamsApp not found")
        if email in self.blocked:
            return self._error(403, "Forbidden", "App is blocked by app permission policy")
        apps = self.installed.setdefault(self.users[email], [])
        if catalogue_id in apps:
            return self._error(409, "Conflict", "App is already installed")
        apps.append(catalogue_id)
        if self.on_install is not None:  # Teams tells the bot a moment later
            task = asyncio.get_running_loop().create_task(self.on_install(email))
            self._events.add(task)
            task.add_done_callback(self._events.discard)
        return web.Response(status=201)
