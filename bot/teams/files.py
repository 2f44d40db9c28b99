"""Files people send Pathway in a Teams personal chat. Teams gives a file attachment as
`application/vnd.microsoft.teams.file.download.info` with a short-lived, pre-authorised `downloadUrl`
(the app's manifest sets `supportsFiles`); an image pasted into the message comes inline with a
`contentUrl` on the Bot Framework's own service, fetched with the bot's token. Anything else (cards,
links) is not a file. Downloads go only to hosts Pathway trusts the activity's own service on or to
the download URL Teams gave; a file larger than the core takes is never held whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from botbuilder.schema import Activity

from bot import downloads
from dialogs.messages import MAX_FILES_AT_ONCE, InboundFile

DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
MEDIA = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "doc": "application/msword", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
         "txt": "text/plain", "odt": "application/vnd.oasis.opendocument.text", "rtf": "application/rtf"}  # fmt: skip


def sent_files(activity: Activity) -> list[Any]:
    """The activity's attachments that are files (not the cards a client echoes back)."""
    found = []
    for attachment in activity.attachments or []:
        kind = str(attachment.content_type or "")
        if kind == DOWNLOAD_INFO or (kind.startswith("image/") and attachment.content_url):
            found.append(attachment)
    return found[: MAX_FILES_AT_ONCE + 1]


async def fetch(
    attachment: Any, trusted: Callable[[str], bool], token: str | None, loopback: bool
) -> InboundFile:
    """One attachment's file. `trusted`: whether an inline file's URL is on the Bot Framework's own
    service (the hosts an activity's serviceUrl must be on); `loopback`: the Emulator's mode, whose
    download URLs are on this machine."""
    kind = str(attachment.content_type or "")
    name = str(attachment.name or "image.png")
    if kind == DOWNLOAD_INFO:
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = str(content.get("downloadUrl") or "")
        file_type = str(content.get("fileType") or name.rsplit(".", 1)[-1]).lower()
        local = loopback and urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")
        if not (url.startswith("https://") or local):
            return InboundFile(name=name, size=0, unavailable="Teams gave no place to download it")
        media = MEDIA.get(file_type, "application/octet-stream")
        return await downloads.download(url, name, media, 0, {}, "Teams refused the download")
    url = str(attachment.content_url)
    if not trusted(url):
        return InboundFile(name=name, size=0, unavailable="it came from somewhere Pathway doesn't fetch from")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await downloads.download(url, name, kind, 0, headers, "Teams refused the download")
