"""Bot Connector clients kept across turns, instead of botbuilder's new ones for every turn.

botbuilder's CloudAdapter builds, for every activity, a Bot Connector client (and a token service
client) with new credentials and a new HTTP session: the client's set-up is CPU on the event loop that
takes in every request (msrest's serialisers, configuration and retry policy), the reply opens a new
connection to the Bot Connector (a TLS handshake, in a real tenant), and with an app id the new
credentials' token cache is empty, so each turn's reply first fetches a token from Entra ID, blocking
the loop. Here the clients are kept per (bot app id, service URL, audience): their session keeps its
connections open and their credentials keep their token until it expires (msal renews it).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from requests.adapters import HTTPAdapter

KEPT_CLIENTS = 64  # service URLs are a handful per cloud region; the Emulator's differ per run
# Connections each kept client holds open to its Bot Connector: one per reply in flight (requests'
# default, 10, would close and reopen the others' connections at 16 turns in flight).
POOLED_CONNECTIONS = 64


def app_id_of(claims_identity: ClaimsIdentity) -> str:
    """The bot app id a turn's replies are sent as (as botbuilder works it out from the claims)."""
    app_id = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if app_id is None:
        app_id = claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return str(app_id or "")


class KeptClients:
    """The kept clients, least recently used dropped first beyond `size`."""

    def __init__(self, size: int = KEPT_CLIENTS) -> None:
        self.size = size
        self.connectors: OrderedDict[tuple[str, str, str], ConnectorClient] = OrderedDict()
        self.token_clients: dict[str, UserTokenClient] = {}

    async def connector(
        self, key: tuple[str, str, str], factory: ConnectorFactory, service_url: str, audience: str
    ) -> ConnectorClient:
        client = self.connectors.get(key)
        if client is not None:
            self.connectors.move_to_end(key)
            return client
        client = await factory.create(service_url, audience)
        pool(client)
        self.connectors[key] = client
        if len(self.connectors) > self.size:
            self.connectors.popitem(last=False)
        return client


def pool(client: ConnectorClient) -> None:
    """Room in the client's HTTP session for a connection per reply in flight. msrest keeps a session
    per thread and uses the one of the thread that sends (the event loop's), set up here."""
    driver = getattr(getattr(client.config.pipeline, "_sender", None), "driver", None)
    session = getattr(driver, "session", None)
    if session is None:
        return
    for protocol in ("https://", "http://"):
        retries = session.adapters[protocol].max_retries  # msrest's retry policy, kept
        session.mount(protocol, HTTPAdapter(pool_maxsize=POOLED_CONNECTIONS, max_retries=retries))


class KeptConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """A turn's connector factory, answering with the kept client for its service URL and audience."""

    def __init__(self, inner: ConnectorFactory, app_id: str, kept: KeptClients) -> None:
        self.inner, self.app_id, self.kept = inner, app_id, kept

    async def create(self, service_url: str, audience: str) -> ConnectorClient:
        key = (self.app_id, service_url, audience or "")
        return await self.kept.connector(key, self.inner, service_url, audience)


class KeptConnectors(BotFrameworkAuthentication):  # type: ignore[misc]
    """`inner`'s authentication, with its connector and token clients kept across turns."""

    def __init__(self, inner: BotFrameworkAuthentication, kept: KeptClients | None = None) -> None:
        self.inner = inner
        self.kept = kept or KeptClients()

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            app_id = app_id_of(result.claims_identity)
            result.connector_factory = KeptConnectorFactory(result.connector_factory, app_id, self.kept)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        inner = self.inner.create_connector_factory(claims_identity)
        return KeptConnectorFactory(inner, app_id_of(claims_identity), self.kept)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = app_id_of(claims_identity)
        client = self.kept.token_clients.get(app_id)
        if client is None:
            client = await self.inner.create_user_token_client(claims_identity)
            self.kept.token_clients[app_id] = client
        return client

    def create_bot_framework_client(self) -> Any:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self.inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)
