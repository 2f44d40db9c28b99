"""Putting replies into Slack: post, update in place, open a modal, answer a response_url; and
remembering where each card went (storage.posted) so a later reply that `replaces` it updates every copy.

Web API failures are translated into the dispatcher's terms here, once: HTTP 429 -> RateLimited,
5xx or network trouble -> SendFailed, a recipient or channel that is gone -> Undeliverable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import RateLimited, SendFailed, Undeliverable
from bot.slack import render
from dialogs.messages import Attachment, Reply
from storage import posted
from storage.db import transaction

T = TypeVar("T")
# Errors that retrying will not cure: the person, the channel or the message itself is the problem.
PERMANENT = {
    "user_not_found", "users_not_found", "account_inactive", "user_disabled", "channel_not_found",
    "is_archived", "not_in_channel", "cannot_dm_bot", "team_access_not_granted", "invalid_blocks",
    "msg_too_long", "no_text", "invalid_arguments", "messages_tab_disabled",
}  # fmt: skip
DEFAULT_RETRY_AFTER = 30.0


def error_code(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or "unknown_error")


async def call(request: Awaitable[T]) -> T:
    """Await a Web API call, raising the dispatcher's errors for a failed one."""
    try:
        return await request
    except SlackApiError as exc:
        status, code = exc.response.status_code, error_code(exc)
        if status == 429 or code == "ratelimited":
            retry_after = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
            raise RateLimited(float(retry_after or DEFAULT_RETRY_AFTER), f"slack: {code}") from exc
        if code in PERMANENT:
            raise Undeliverable(f"slack: {code}") from exc
        raise SendFailed(f"slack: HTTP {status} {code}") from exc
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise SendFailed(f"slack: {exc.__class__.__name__}: {exc}") from exc


class Poster:
    def __init__(self, client: AsyncWebClient, sessions: sessionmaker[Session]) -> None:
        self.client = client
        self.sessions = sessions

    async def post(
        self, channel: str, reply: Reply, thread_ts: str | None = None, metadata: dict[str, Any] | None = None
    ) -> dict[str, str]:
        """Post a message; returns its reference {"channel", "ts"}. `metadata`: Slack message metadata.
        A document too long for the message follows as a file in the same place (render.as_file)."""
        reply, document = render.as_file(reply)
        response: AsyncSlackResponse = await call(
            self.client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, metadata=metadata, **render.message(reply)
            )
        )
        posted_to = str(response["channel"])
        if document is not None:
            await self.share_file(posted_to, document, thread_ts)
        return {"channel": posted_to, "ts": str(response["ts"])}

    async def share_file(self, channel: str, document: Attachment, thread_ts: str | None = None) -> None:
        """Upload a document into a conversation (files.getUploadURLExternal, the upload, then
        files.completeUploadExternal: slack_sdk's files_upload_v2). Needs the files:write scope."""
        content = document.data if document.data_base64 is not None else document.content  # a file as itself
        await call(self.client.files_upload_v2(channel=channel, thread_ts=thread_ts, filename=document.filename,
                                                title=document.filename, content=content))  # fmt: skip

    async def update(self, reference: dict[str, Any], reply: Reply) -> dict[str, str]:
        channel, ts = str(reference["channel"]), str(reference["ts"])
        await call(self.client.chat_update(channel=channel, ts=ts, **render.message(reply)))
        return {"channel": channel, "ts": ts}

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> None:
        await call(self.client.views_open(trigger_id=trigger_id, view=view))

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        await call(self.client.views_publish(user_id=user_id, view=view))

    async def direct_channel(self, user_id: str) -> str:
        response = await call(self.client.conversations_open(users=user_id))
        return str(response["channel"]["id"])

    async def user_for_email(self, email: str) -> dict[str, Any]:
        response = await call(self.client.users_lookupByEmail(email=email))
        return dict(response["user"])

    @staticmethod
    async def respond(response_url: str, reply: Reply, *, replace_original: bool = False) -> None:
        """Answer through a response_url (slash commands, ephemeral messages): seen only by the asker."""
        webhook = AsyncWebhookClient(url=response_url, timeout=10)
        response = await call(
            webhook.send(
                response_type="ephemeral", replace_original=replace_original, **render.message(reply)
            )
        )
        if response.status_code == 404:  # response_urls expire after 30 minutes
            raise Undeliverable(f"slack: response_url {response.body}")
        if response.status_code >= 300:
            raise SendFailed(f"slack: response_url HTTP {response.status_code} {response.body}")

    # -- where cards went --------------------------------------------------------------------------

    async def copy_for(self, card_key: str, person_id: int) -> dict[str, Any] | None:
        def find() -> dict[str, Any] | None:
            with transaction(self.sessions) as session:
                copy = posted.copy_for(session, card_key, person_id, "slack")
                return dict(copy.reference) if copy is not None else None

        return await asyncio.to_thread(find)

    async def remember(self, person_id: int, cards: dict[str, dict[str, str]]) -> None:
        """Record where each card (by key) was posted for this person."""
        if not cards:
            return

        def save() -> None:
            with transaction(self.sessions) as session:
                for key, reference in cards.items():
                    posted.remember(session, key, person_id, "slack", reference)

        await asyncio.to_thread(save)
