"""Posting an outbox message to Slack once, even when an earlier attempt's outcome is unknown.

chat.postMessage has no idempotency key, so each post carries the outbox row's key as message
metadata; when the dispatcher says a delivery is `uncertain` (an earlier send may have arrived: its
dispatcher died before recording the outcome, or Slack answered 5xx), the DM's recent history is
searched for that key before posting again. Needs the im:history scope; conversations.history is
Tier 3, and only uncertain deliveries (rare: crashes and 5xx) pay for the look-up.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.post import call

EVENT_TYPE = "pathway_outbox"
# Messages: an earlier copy is at most a few retries old, and a DM is mostly the bot's. Slack serves at
# most 15 per call (and one call a minute) to apps distributed outside its Marketplace, as Pathway is.
LOOKBACK = 15


def outbox_metadata(idempotency_key: str) -> dict[str, Any] | None:
    if not idempotency_key:
        return None
    return {"event_type": EVENT_TYPE, "event_payload": {"key": idempotency_key}}


async def earlier_copy(client: AsyncWebClient, channel: str, idempotency_key: str) -> dict[str, str] | None:
    """Where an earlier post of this outbox message is, {"channel", "ts"}; None when it never arrived."""
    if not idempotency_key:
        return None
    response = await call(
        client.conversations_history(channel=channel, limit=LOOKBACK, include_all_metadata=True)
    )
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == EVENT_TYPE
            and (metadata.get("event_payload") or {}).get("key") == idempotency_key
        ):
            return {"channel": channel, "ts": str(message["ts"])}
    return None
