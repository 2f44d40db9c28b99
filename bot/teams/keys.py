"""The Bot Framework's signing keys, fetched off the event loop.

botbuilder checks each request's token against keys it reads from an OpenID metadata document, and
refreshes them (daily, or when a token names a key it has not seen) with a blocking `requests.get` on
the event loop: every Slack acknowledgement and Teams request on the server waits for it, and a slow
or unreachable key server stalls them all. `trust_keys_from` puts, in the SDK's own metadata cache, a
metadata object that fetches in a worker thread with a timeout, and refuses a token signed with a key
that is not published (a 401, not the SDK's IndexError and a 503).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import jwt
import requests
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata

FETCH_TIMEOUT_SECONDS = 10
PUBLIC_CLOUD = (
    AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
    AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
)


class KeysFetchedInAThread(_OpenIdMetadata):  # type: ignore[misc]
    async def get(self, key_id: str) -> Any:
        found = await super().get(key_id)
        if found is None:
            raise jwt.InvalidSignatureError("the token is not signed with a published Bot Framework key")
        return found

    async def _refresh(self) -> None:
        keys = await asyncio.to_thread(self._fetch)
        self.keys, self.last_updated = keys, datetime.now()

    def _fetch(self) -> list[dict[str, Any]]:
        metadata = requests.get(self.url, timeout=FETCH_TIMEOUT_SECONDS)
        metadata.raise_for_status()
        published = requests.get(metadata.json()["jwks_uri"], timeout=FETCH_TIMEOUT_SECONDS)
        published.raise_for_status()
        return list(published.json()["keys"])

    def _find(self, key_id: str) -> Any:
        if not any(key.get("kid") == key_id for key in self.keys):
            return None
        return super()._find(key_id)


def trust_keys_from(*urls: str) -> None:
    """Fetch the keys of these metadata documents (and the public cloud's) off the event loop."""
    for url in {*urls, *PUBLIC_CLOUD}:
        if not isinstance(JwtTokenExtractor.metadataCache.get(url), KeysFetchedInAThread):
            JwtTokenExtractor.metadataCache[url] = KeysFetchedInAThread(url)
