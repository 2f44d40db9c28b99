"""The outbox sender for channel "slack": manager cards, outcome notices, reminders, card updates.

An address is whatever the core stored: {"team", "user", "channel"} from a DM (with "enterprise" in an
Enterprise Grid), {"team", "user"} when the DM channel is not known yet (conversations.open finds it), or
only {"email"} for someone who has never talked to the bot (users.lookupByEmail in each of the
organisation's workspaces in turn, then their chat identity is linked so the next send is direct). Each
call uses the bot token of the workspace it is for (bot/slack/tokens.py). A reply that `replaces` a card
updates the posted copy in place; a card is remembered where it went.
Errors are raised in the dispatcher's terms (see bot.slack.post.call); nothing is retried here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import Delivery, NotOnPlatform, Postponed, RateLimited, Undeliverable
from bot.slack import revocation
from bot.slack.client import Clients, keep_connections, release_connections
from bot.slack.once import earlier_copy, outbox_metadata
from bot.slack.post import Poster
from bot.slack.tokens import Tokens
from dialogs.messages import Platform
from storage import directory
from storage.db import transaction

T = TypeVar("T")
WORKSPACE_KEYS = ("team", "enterprise")


async def looked_up(lookup: Awaitable[T]) -> T:
    """A look-up a post needs (users.lookupByEmail, conversations.open, conversations.history). Slack
    limits each method separately, and these tiers allow far fewer calls than chat.postMessage: a 429
    here postpones this message alone instead of pausing every post."""
    try:
        return await lookup
    except RateLimited as exc:
        raise Postponed(exc.retry_after, f"look-up {exc}") from exc


def workspace_of(where: dict[str, Any]) -> dict[str, str]:
    return {key: str(where[key]) for key in WORKSPACE_KEYS if where.get(key)}


class SlackSender:
    channel: Platform = "slack"

    def __init__(self, clients: Clients, sessions: sessionmaker[Session], tokens: Tokens) -> None:
        self.clients = clients
        self.sessions = sessions
        self.tokens = tokens

    async def close(self) -> None:
        await release_connections(self.clients.shared)
        await self.tokens.close()

    async def poster(self, workspace: dict[str, str]) -> Poster:
        """Posting into this workspace, with its bot token; Undeliverable, saying why, when Pathway
        was removed from it (bot/slack/revocation.py)."""
        removed = await asyncio.to_thread(revocation.removed_from, self.sessions, workspace)
        if removed is not None:
            raise Undeliverable(removed)
        token = await self.tokens.token_for(workspace)
        return Poster(self.clients.for_token(token), self.sessions, workspace)

    async def send(self, delivery: Delivery) -> None:
        keep_connections(self.clients.shared)  # the dispatcher's loop owns the pool from the first send
        reply, person = delivery.reply, delivery.recipient_person_id
        if (
            reply.replaces
            and person is not None
            and await self._update_copy(delivery, reply.replaces, person)
        ):
            return
        poster, channel = await looked_up(self._channel(delivery))
        key = delivery.idempotency_key
        # Exactly once: an uncertain delivery may already be in Slack (see bot.slack.once).
        earlier = await looked_up(earlier_copy(poster.client, channel, key)) if delivery.uncertain else None
        reference = earlier or await poster.post(channel, reply, metadata=outbox_metadata(key))
        if reply.card is not None and reply.card.key and person is not None:
            await poster.remember(person, {reply.card.key: {**reference, **poster.workspace}})

    async def _update_copy(self, delivery: Delivery, card_key: str, person_id: int) -> bool:
        """Update the card where this person saw it; False when it was never posted to them here."""
        finder = Poster(self.clients.shared, self.sessions)
        reference = await finder.copy_for(card_key, person_id)
        if reference is None:
            return False
        # Updated with the token of the workspace it was posted in (older copies did not say: the address's).
        poster = await self.poster(workspace_of(reference) or workspace_of(delivery.address))
        try:
            await poster.update(reference, delivery.reply)
        except Undeliverable:  # the message was deleted: post the update as a new message instead
            return False
        return True

    async def _channel(self, delivery: Delivery) -> tuple[Poster, str]:
        """Where the message goes: the poster for the recipient's workspace and their DM channel."""
        address, person_id = delivery.address, delivery.recipient_person_id
        if address.get("channel"):
            return await self.poster(workspace_of(address)), str(address["channel"])
        if address.get("user"):
            poster = await self.poster(workspace_of(address))
            user = str(address["user"])
        else:
            poster, user = await self._find_by_email(delivery)
        channel = await poster.direct_channel(user)
        if person_id is not None and poster.workspace.get("team"):
            await self._link(person_id, poster.workspace, user, channel)
        return poster, channel

    async def _find_by_email(self, delivery: Delivery) -> tuple[Poster, str]:
        """The recipient's Slack account, looked up by their roster email in each of the organisation's
        workspaces (SLACK_BOT_TOKEN's one, or those linked to it) until one knows them."""
        email = delivery.address.get("email")
        if not email:
            raise Undeliverable("slack: the address has no channel, user or email")
        removed = await asyncio.to_thread(revocation.removed_for, self.sessions, delivery.org_id)
        if removed is not None:  # tried on the organisation's other platform, if it has one
            raise NotOnPlatform(removed)
        missing: NotOnPlatform | None = None
        for workspace in await self.tokens.workspaces_of(delivery.org_id):
            poster = await self.poster(workspace)
            try:
                found = await poster.user_for_email(str(email))
            except NotOnPlatform as exc:
                missing = exc
                continue
            # Their own workspace (in a Grid installed org-wide, the one they belong to).
            team = str(found.get("team_id") or workspace.get("team") or "")
            located = {**workspace, **({"team": team} if team else {})}
            return Poster(poster.client, self.sessions, located), str(found["id"])
        raise missing or NotOnPlatform(f"slack: no Slack workspace is linked to {delivery.org_id}")

    async def _link(self, person_id: int, workspace: dict[str, str], user: str, channel: str) -> None:
        """Keep the DM channel (and, on first contact, the Slack account) so later sends go straight there."""

        def link() -> None:
            with transaction(self.sessions) as session:
                address = {**workspace, "user": user, "channel": channel}
                directory.link_identity(session, person_id, "slack", workspace["team"], user, address)

        await asyncio.to_thread(link)
