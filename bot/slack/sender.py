"""The outbox sender for channel "slack": manager cards, outcome notices, reminders, card updates.

An address is whatever the core stored: {"team", "user", "channel"} from a DM, {"team", "user"} when the
DM channel is not known yet (conversations.open finds it), or only {"email"} for someone who has never
talked to the bot (users.lookupByEmail, then their chat identity is linked so the next send is direct).
A reply that `replaces` a card updates the posted copy in place; a card is remembered where it went.
Errors are raised in the dispatcher's terms (see bot.slack.post.call); nothing is retried here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import Delivery, Postponed, RateLimited, Undeliverable
from bot.slack.client import keep_connections, release_connections
from bot.slack.once import earlier_copy, outbox_metadata
from bot.slack.post import Poster
from dialogs.messages import Platform, Reply
from storage import directory
from storage.db import transaction

T = TypeVar("T")


async def looked_up(lookup: Awaitable[T]) -> T:
    """A look-up a post needs (users.lookupByEmail, conversations.open, conversations.history). Slack
    limits each method separately, and these tiers allow far fewer calls than chat.postMessage: a 429
    here postpones this message alone instead of pausing every post."""
    try:
        return await lookup
    except RateLimited as exc:
        raise Postponed(exc.retry_after, f"look-up {exc}") from exc


class SlackSender:
    channel: Platform = "slack"

    def __init__(self, client: AsyncWebClient, sessions: sessionmaker[Session]) -> None:
        self.poster = Poster(client, sessions)
        self.sessions = sessions

    async def close(self) -> None:
        await release_connections(self.poster.client)

    async def send(self, delivery: Delivery) -> None:
        keep_connections(self.poster.client)  # the dispatcher's loop owns the pool from the first send
        reply, person = delivery.reply, delivery.recipient_person_id
        if reply.replaces and person is not None and await self._update_copy(reply, reply.replaces, person):
            return
        channel = await looked_up(self._channel(delivery.address, person))
        key = delivery.idempotency_key
        # Exactly once: an uncertain delivery may already be in Slack (see bot.slack.once).
        earlier = (
            await looked_up(earlier_copy(self.poster.client, channel, key)) if delivery.uncertain else None
        )
        reference = earlier or await self.poster.post(channel, reply, metadata=outbox_metadata(key))
        if reply.card is not None and reply.card.key and person is not None:
            await self.poster.remember(person, {reply.card.key: reference})

    async def _update_copy(self, reply: Reply, card_key: str, person_id: int) -> bool:
        """Update the card where this person saw it; False when it was never posted to them here."""
        reference = await self.poster.copy_for(card_key, person_id)
        if reference is None:
            return False
        try:
            await self.poster.update(reference, reply)
        except Undeliverable:  # the message was deleted: post the update as a new message instead
            return False
        return True

    async def _channel(self, address: dict[str, Any], person_id: int | None) -> str:
        if address.get("channel"):
            return str(address["channel"])
        user, team = address.get("user"), address.get("team")
        if not user:
            email = address.get("email")
            if not email:
                raise Undeliverable("slack: the address has no channel, user or email")
            found = await self.poster.user_for_email(str(email))
            user, team = str(found["id"]), found.get("team_id") or team
        channel = await self.poster.direct_channel(str(user))
        if person_id is not None and team:
            await self._link(person_id, str(team), str(user), channel)
        return channel

    async def _link(self, person_id: int, team: str, user: str, channel: str) -> None:
        """Keep the DM channel (and, on first contact, the Slack account) so later sends go straight there."""

        def link() -> None:
            with transaction(self.sessions) as session:
                address = {"team": team, "user": user, "channel": channel}
                directory.link_identity(session, person_id, "slack", team, user, address)

        await asyncio.to_thread(link)
