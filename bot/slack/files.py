"""Files people share with Pathway in Slack: `files.info` for the file's name, type, size and private
download URL, then the download itself with the bot token (Slack's files need it: the `files:read`
scope). A file larger than the core takes is not downloaded at all; the core says so."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from slack_sdk.web.async_client import AsyncWebClient

from bot import downloads
from bot.delivery import RateLimited, SendFailed, Undeliverable
from bot.slack.post import call
from dialogs.file_checks import MAX_FILE_BYTES
from dialogs.messages import InboundFile

log = logging.getLogger(__name__)
SLACK_FILE_HOSTS = ("slack.com", "slack-edge.com")  # where Slack serves files; the token goes nowhere else


async def fetch(client: AsyncWebClient, file_id: str) -> InboundFile:
    """One shared file, read through Slack's API; a failure is told to the core as `unavailable`."""
    try:
        response = await call(client.files_info(file=file_id))
    except (SendFailed, Undeliverable, RateLimited) as exc:
        log.warning("files.info failed for %s: %s", file_id, exc)
        return InboundFile(name=file_id, size=0, unavailable="Slack wouldn't tell me about it just now")
    info = response["file"] if isinstance(response.get("file"), dict) else {}
    name, size = str(info.get("name") or file_id), int(info.get("size") or 0)
    media_type = str(info.get("mimetype") or "application/octet-stream")
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if size > MAX_FILE_BYTES:  # the core refuses it by size; no need to fetch it
        return InboundFile(name=name, media_type=media_type, size=size)
    if not url or not token_may_go_to(url, client.base_url):
        return InboundFile(
            name=name, media_type=media_type, size=size, unavailable="Slack gave no place to download it"
        )
    return await download(url, str(client.token or ""), name, media_type, size)


def token_may_go_to(url: str, api_url: str) -> bool:
    """The bot token is sent only to Slack's own hosts (or to the API host configured, for tests)."""
    host = urlsplit(url).hostname or ""
    return host == urlsplit(api_url).hostname or any(
        host == h or host.endswith("." + h) for h in SLACK_FILE_HOSTS
    )


async def download(url: str, token: str, name: str, media_type: str, size: int) -> InboundFile:
    headers = {"Authorization": f"Bearer {token}"}
    return await downloads.download(url, name, media_type, size, headers, "Slack refused the download")
