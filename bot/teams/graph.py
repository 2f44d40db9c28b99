"""Installing Pathway for a person through Microsoft Graph, so the first card reaches someone who has
never opened Teams' chat with it.

Teams lets a bot write to a person only in a chat that exists, and the chat exists once the app is
installed for them. With the application permission TeamsAppInstallation.ReadWriteSelfForUser.All
(and User.Read.All to find them by email) Pathway installs itself in the person's personal scope:
`POST /users/{id}/teamwork/installedApps`. Teams then sends the bot an installationUpdate (and a
conversationUpdate) carrying the new chat's conversation reference, which the handler stores; the
waiting card goes out then. Tokens come from the Microsoft identity platform's client-credentials
flow for the organisation's tenant. Failures are raised in the dispatcher's terms.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.delivery import NotOnPlatform, Postponed, SendFailed, Undeliverable

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TIMEOUT_SECONDS = 10
DEFAULT_RETRY_AFTER = 30.0
TOKEN_MARGIN_SECONDS = 300  # a token this close to expiry is renewed first


@dataclass(frozen=True)
class GraphSettings:
    app_id: str  # the bot's Microsoft app id: also the Teams app's external id in the catalogue
    password: str
    graph_url: str = "https://graph.microsoft.com/v1.0/"
    login_url: str = "https://login.microsoftonline.com/"


@dataclass(frozen=True)
class Installed:
    """Pathway is installed for the person (`user_id`, their Entra object id); `chat`: the id of the
    chat it opened, when it was installed before (else Teams' install event brings it)."""

    user_id: str
    chat: str | None = None


@dataclass
class GraphInstaller:
    settings: GraphSettings
    _tokens: dict[str, tuple[float, str]] = field(default_factory=dict)  # tenant -> (expiry, token)
    _catalogue: dict[str, str] = field(default_factory=dict)  # tenant -> the app's catalogue id
    _session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def install(self, tenant: str, email: str) -> Installed:
        """Install Pathway in this person's personal scope. When it was installed already (its install
        event missed, say: Pathway was down), the chat it opened then is looked up instead."""
        user = await self._get(
            tenant,
            f"users/{quote(email)}",
            {"$select": "id"},
            missing=f"no Teams user {email} in the organisation's tenant",
        )
        user_id = str(user["id"])
        catalogue_id = await self._catalogue_id(tenant)
        body = {"teamsApp@odata.bind": f"{self._graph()}appCatalogs/teamsApps/{catalogue_id}"}
        status, _body = await self._call("POST", tenant, f"users/{quote(user_id)}/teamwork/installedApps",
                                         json=body, accept=(201, 409))  # fmt: skip
        return Installed(user_id, await self._chat_of(tenant, user_id) if status == 409 else None)

    async def _chat_of(self, tenant: str, user_id: str) -> str | None:
        """The id of the personal chat Pathway's installation for this user opened."""
        query = {"$expand": "teamsApp", "$filter": f"teamsApp/externalId eq '{self.settings.app_id}'"}
        found = (await self._get(tenant, f"users/{quote(user_id)}/teamwork/installedApps", query)).get(
            "value"
        ) or []
        if not found:
            return None
        installation = quote(str(found[0]["id"]))
        chat = await self._get(
            tenant, f"users/{quote(user_id)}/teamwork/installedApps/{installation}/chat", {}
        )
        return str(chat["id"]) if chat.get("id") else None

    async def _catalogue_id(self, tenant: str) -> str:
        if tenant not in self._catalogue:
            query = {"$filter": f"externalId eq '{self.settings.app_id}'"}
            found = (await self._get(tenant, "appCatalogs/teamsApps", query)).get("value") or []
            if not found:  # nobody can be reached until an admin publishes the app: keep the messages
                raise Postponed(15 * 60, "Pathway is not in the organisation's Teams app catalogue yet "
                                         "(upload it in the Teams admin centre)")  # fmt: skip
            self._catalogue[tenant] = str(found[0]["id"])
        return self._catalogue[tenant]

    async def _get(self, tenant: str, path: str, query: dict[str, str], missing: str = "") -> dict[str, Any]:
        return await self._request("GET", tenant, path, params=query, missing=missing)

    async def _request(self, method: str, tenant: str, path: str, **options: Any) -> dict[str, Any]:
        return (await self._call(method, tenant, path, **options))[1]

    async def _call(
        self, method: str, tenant: str, path: str, *, accept: tuple[int, ...] = (200,), missing: str = "",
        **options: Any,
    ) -> tuple[int, dict[str, Any]]:  # fmt: skip
        headers = {"Authorization": f"Bearer {await self._token(tenant)}"}
        try:
            async with self._http().request(
                method, self._graph() + path, headers=headers, **options
            ) as response:
                body = await response.json(content_type=None) if response.content_length != 0 else {}
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            raise SendFailed(f"Microsoft Graph: {exc.__class__.__name__}: {exc}") from exc
        if status in accept:
            return status, body if isinstance(body, dict) else {}
        raise graph_failure(status, body, retry_after, missing)

    async def _token(self, tenant: str) -> str:
        cached = self._tokens.get(tenant)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        form = {"grant_type": "client_credentials", "client_id": self.settings.app_id,
                "client_secret": self.settings.password, "scope": GRAPH_SCOPE}  # fmt: skip
        url = f"{self.settings.login_url.rstrip('/')}/{quote(tenant)}/oauth2/v2.0/token"
        try:
            async with self._http().post(url, data=form) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            raise SendFailed(f"Microsoft identity platform: {exc.__class__.__name__}: {exc}") from exc
        if status != 200 or not isinstance(body, dict) or "access_token" not in body:
            # Wrong secret or tenant: an operator's fix, after which the waiting messages still go.
            detail = body.get("error_description") or body.get("error") if isinstance(body, dict) else status
            raise Postponed(5 * 60, f"cannot sign in to Microsoft Graph for tenant {tenant}: {detail}")
        lifetime = float(body.get("expires_in") or 3600)
        self._tokens[tenant] = (time.monotonic() + lifetime - TOKEN_MARGIN_SECONDS, str(body["access_token"]))
        return str(body["access_token"])

    def _graph(self) -> str:
        url = self.settings.graph_url
        return url if url.endswith("/") else url + "/"

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        return self._session


def graph_failure(status: int, body: Any, retry_after: str | None, missing: str) -> Exception:
    error = body.get("error") if isinstance(body, dict) else None
    detail = f"{error.get('code')}: {error.get('message')}" if isinstance(error, dict) else f"HTTP {status}"
    if status == 429:  # Graph's limits are its own: this message waits, the Bot Connector sends on
        return Postponed(_seconds(retry_after), "Microsoft Graph rate limit")
    if status == 404 and missing:  # nobody by that email in the tenant: another platform may have them
        return NotOnPlatform(missing)
    if status == 403 and isinstance(error, dict) and error.get("code") == "Authorization_RequestDenied":
        # Pathway was not granted the Graph permission: an admin's fix, after which the messages still go.
        return Postponed(15 * 60, f"Pathway may not install itself in Teams yet ({detail})")
    if status == 403:  # an app permission policy blocks Pathway for this person
        return Undeliverable(f"Teams refused to install Pathway for them ({detail})")
    return SendFailed(f"Microsoft Graph answered {detail}")


def _seconds(header: str | None) -> float:
    try:
        return max(0.0, float(header)) if header else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
