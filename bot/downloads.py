"""Fetching a file someone sent (Slack's private download, a Teams attachment): read no further than
the core takes, so a larger file is known to be larger without being held whole."""

from __future__ import annotations

import logging

import aiohttp

from dialogs.file_checks import MAX_FILE_BYTES
from dialogs.messages import InboundFile

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 60
CHUNK = 64 * 1024


async def capped(response: aiohttp.ClientResponse) -> bytes:
    """The body, read at most one chunk past what the core takes."""
    data = bytearray()
    async for chunk in response.content.iter_chunked(CHUNK):
        data += chunk
        if len(data) > MAX_FILE_BYTES:
            break
    return bytes(data)


async def download(
    url: str, name: str, media_type: str, size: int, headers: dict[str, str], refused: str
) -> InboundFile:
    """The file at `url` for the core; `refused` says what went wrong when it cannot be had."""
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url, headers=headers) as response:
            response.raise_for_status()
            data = await capped(response)
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.warning("could not download %s: %s", name, exc)
        return InboundFile(name=name, media_type=media_type, size=size, unavailable=refused)
    if len(data) > MAX_FILE_BYTES:
        return InboundFile(name=name, media_type=media_type, size=len(data))
    return InboundFile.of(name, data, media_type)
