"""The Slack Web API client, pointed at SLACK_API_URL (tests point it at a loopback fake)."""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

TIMEOUT_SECONDS = 10


def web_client(settings: Settings, *, retries: bool, token: str | None = None) -> AsyncWebClient:
    """A client for `token` (default SLACK_BOT_TOKEN; none in OAuth mode). Replies within a turn retry
    once on a dropped connection or a 429; the outbox sender's client never retries, so the
    dispatcher's backoff and Retry-After pause decide."""
    handlers: list[AsyncRetryHandler] = (
        [
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
        ]
        if retries
        else []
    )
    base_url = (
        settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    )
    return AsyncWebClient(
        token=token or settings.slack_bot_token,
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )


def keep_connections(client: AsyncWebClient) -> None:
    """Give the client one connection pool for all its calls (slack_sdk otherwise opens a new session,
    and a new TCP+TLS connection, for every call). Call from inside the running event loop."""
    if client.session is None or client.session.closed:
        client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))


async def release_connections(client: AsyncWebClient) -> None:
    if client.session is not None and not client.session.closed:
        await client.session.close()


class Clients:
    """Web API clients for the workspaces a process talks to, one connection pool for all: a client
    for each bot token (SLACK_BOT_TOKEN's, or each installed workspace's in OAuth mode), as bolt makes
    one for each request."""

    def __init__(self, settings: Settings, *, retries: bool) -> None:
        self.shared = web_client(settings, retries=retries)  # holds the pool (keep_connections)

    def for_token(self, token: str | None) -> AsyncWebClient:
        if not token or token == self.shared.token:
            return self.shared
        shared = self.shared
        return AsyncWebClient(token=token, base_url=shared.base_url, timeout=shared.timeout,
                              session=shared.session, retry_handlers=shared.retry_handlers)  # fmt: skip
