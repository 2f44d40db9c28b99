"""Proactive Teams messages: the outbox's channel "teams", sent through stored conversation references.

`Courier` posts and updates messages in a stored conversation (via the adapter's continue_conversation,
so the SDK's connector and credentials are used) and remembers where every keyed card went, so a
later reply that `replaces` it can update each copy in place. `TeamsSender` is the dispatcher's view.
Connector failures are translated into the dispatcher's terms: 429 -> RateLimited, 5xx or network ->
SendFailed, a conversation or bot that is gone (403/404) -> Undeliverable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    ErrorResponseException,
)
from msrest.exceptions import ClientRequestError
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import Delivery, Postponed, RateLimited, SendFailed, Undeliverable
from bot.teams.graph import GraphInstaller
from bot.teams.render import activities, adaptive_card, card_attachment, offered_as_file
from dialogs.messages import Platform, Reply
from storage import directory, offered_files, posted
from storage.db import transaction

DEFAULT_RETRY_AFTER = 5.0
# A message for someone with no chat yet waits, uncounted, between looks: from a few seconds (Teams'
# install event may come while this send is being recorded) doubling up to the ceiling. Their installing
# the app makes it due at once, so the waits only make up for an install event that never came.
FIRST_WAIT_SECONDS = 2.5
WAIT_CEILING_SECONDS = 15 * 60.0
GONE = (403, 404, 410)


def reference_from(address: dict[str, Any]) -> ConversationReference | None:
    """The conversation reference stored with an identity or posted card, or None if it is not one."""
    try:
        reference = ConversationReference().deserialize(address)
    except Exception:  # whatever was stored, it is not a reference we can use
        return None
    if not reference.service_url or reference.conversation is None or not reference.conversation.id:
        return None
    return reference


def viewers_of(reference: ConversationReference) -> list[str]:
    """Whose client refreshes a keyed card in this conversation: the person it was sent to."""
    return [str(reference.user.id)] if reference.user is not None and reference.user.id else []


def is_personal(reference: ConversationReference) -> bool:
    return reference.conversation.conversation_type in (None, "", "personal")


def failure(exc: Exception) -> Exception:
    """The dispatcher's error for a connector failure."""
    if isinstance(exc, ErrorResponseException):
        status = exc.response.status_code if exc.response is not None else 0
        if status == 429:
            return RateLimited(retry_after(exc.response.headers.get("Retry-After")), "Teams rate limit")
        if status in GONE:
            return Undeliverable(f"Teams says the conversation is gone (HTTP {status})")
        return SendFailed(f"Bot Connector answered HTTP {status}")
    return SendFailed(f"cannot reach the Bot Connector: {exc.__class__.__name__}: {exc}")


def retry_after(header: str | None) -> float:
    try:
        return max(0.0, float(header)) if header else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER


class Courier:
    def __init__(self, adapter: BotAdapter, app_id: str, sessions: sessionmaker[Session]) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.sessions = sessions

    async def post(self, reference: ConversationReference, reply: Reply, person_id: int | None) -> None:
        """Send `reply` into the conversation and remember where its card went (and how it looks)."""
        sent: list[str] = []
        viewers = viewers_of(reference)
        offer = await asyncio.to_thread(self.offer, reply, person_id) if offered_as_file(reply) else None

        async def send(context: TurnContext) -> None:
            responses = await context.send_activities(activities(reply, viewers, offer))
            sent.extend(r.id for r in responses if r is not None and r.id)

        await self._in_conversation(reference, send)
        if sent and reply.card is not None and reply.card.key and person_id is not None:
            card = adaptive_card(reply, viewers)
            await asyncio.to_thread(self.remember, reply.card.key, person_id, reference, sent[0], card)

    async def update(
        self, reference: ConversationReference, activity_id: str, reply: Reply, person_id: int | None = None
    ) -> None:
        """Redraw the message `activity_id` in that conversation as `reply`'s card (and remember the new
        look, which a Universal Actions refresh shows)."""
        card = adaptive_card(reply, viewers_of(reference))
        update = Activity(type="message", id=activity_id, attachments=[card_attachment(card)] if card else [],
                          text=None if card else reply.text)  # fmt: skip

        async def redraw(context: TurnContext) -> None:
            await context.update_activity(update)

        await self._in_conversation(reference, redraw)
        key = reply.replaces or (reply.card.key if reply.card else None)
        if key and person_id is not None:
            await asyncio.to_thread(self.remember, key, person_id, reference, activity_id, card)

    def offer(self, reply: Reply, person_id: int | None) -> str:
        """Keep the reply's document to upload when they accept the file; the offer's token."""
        document = reply.attachment
        assert document is not None
        with transaction(self.sessions) as session:
            return offered_files.offer(
                session, person_id, document.filename, document.media_type, document.content
            )

    def offered(self, token: str) -> tuple[str, bytes] | None:
        """The kept document of an offer (its name and bytes), or None if there is no such offer."""
        with transaction(self.sessions) as session:
            found = offered_files.offered(session, token)
            return (found.filename, found.content.encode()) if found is not None else None

    def latest_card(self, key: str, person_id: int) -> dict[str, Any] | None:
        """How this person's copy of card `key` was last drawn (None if Pathway never drew it for them)."""
        with transaction(self.sessions) as session:
            copy = posted.copy_for(session, key, person_id, "teams")
            card = copy.reference.get("card") if copy is not None else None
            return dict(card) if isinstance(card, dict) else None

    async def personal_chat(self, reference: ConversationReference) -> ConversationReference:
        """The one-to-one chat with the user of a channel or group chat reference (Teams answers with
        the existing chat, or opens one when the bot is in a team they belong to)."""
        tenant = reference.conversation.tenant_id or ""
        parameters = ConversationParameters(is_group=False, bot=reference.bot, members=[reference.user],
                                            tenant_id=tenant, channel_data={"tenant": {"id": tenant}})  # fmt: skip
        opened: list[str] = []

        async def note(context: TurnContext) -> None:
            opened.append(context.activity.conversation.id)

        try:
            await self.adapter.create_conversation(
                self.app_id, note, parameters, reference.channel_id, reference.service_url
            )
        except (ErrorResponseException, ClientRequestError, OSError, TimeoutError) as exc:
            raise failure(exc) from exc
        chat = ConversationAccount(id=opened[0], conversation_type="personal", tenant_id=tenant)
        return ConversationReference(channel_id=reference.channel_id, service_url=reference.service_url,
                                     bot=reference.bot, user=reference.user, conversation=chat,
                                     locale=reference.locale)  # fmt: skip

    def relink(self, person_id: int, reference: ConversationReference) -> None:
        """Keep the person's one-to-one chat as the place to reach them from now on."""
        user = reference.user
        tenant = reference.conversation.tenant_id or ""
        external_id = str(user.aad_object_id or user.id)
        with transaction(self.sessions) as session:
            directory.link_identity(session, person_id, "teams", tenant, external_id, reference.serialize())

    def remember(
        self, key: str, person_id: int, reference: ConversationReference, activity_id: str,
        card: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        where = {**reference.serialize(), "activityId": activity_id, **({"card": card} if card else {})}
        with transaction(self.sessions) as session:
            posted.remember(session, key, person_id, "teams", where)

    def service_url_for(self, tenant: str) -> str | None:
        """The Bot Connector address Teams gives this tenant's conversations (from any stored one)."""
        with transaction(self.sessions) as session:
            for address in directory.addresses_in_tenant(session, "teams", tenant):
                reference = reference_from(address)
                if reference is not None:
                    return str(reference.service_url)
        return None

    def reference_to_chat(
        self, service_url: str, tenant: str, user_id: str, chat_id: str
    ) -> ConversationReference:
        """A reference to a personal chat Graph named (its install event never reached Pathway)."""
        return ConversationReference(
            channel_id="msteams", service_url=service_url, bot=ChannelAccount(id=f"28:{self.app_id}"),
            user=ChannelAccount(id=user_id, aad_object_id=user_id),
            conversation=ConversationAccount(id=chat_id, conversation_type="personal", tenant_id=tenant),
        )  # fmt: skip

    def tenant_of(self, org_id: str) -> str | None:
        """The Microsoft 365 tenant the organisation is linked to (where its people are installed for)."""
        with transaction(self.sessions) as session:
            organisation = directory.get_organisation(session, org_id)
            return organisation.teams_tenant_id if organisation else None

    def address_of(self, person_id: int) -> dict[str, Any] | None:
        """The conversation reference of the person's most recent Teams chat, if any."""
        with transaction(self.sessions) as session:
            teams = [
                i for i in directory.identities_of(session, person_id) if i.platform == "teams" and i.address
            ]
            return dict(teams[-1].address) if teams and teams[-1].address else None

    def copies(self, key: str, person_id: int | None) -> list[dict[str, Any]]:
        """Where this person was shown card `key` in Teams (their posted copies' references)."""
        with transaction(self.sessions) as session:
            return [
                dict(copy.reference)
                for copy in posted.copies(session, key, "teams")
                if person_id is None or copy.person_id == person_id
            ]

    async def _in_conversation(
        self, reference: ConversationReference, work: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        try:
            await self.adapter.continue_conversation(reference, work, self.app_id)
        except (ErrorResponseException, ClientRequestError, OSError, TimeoutError) as exc:
            raise failure(exc) from exc


class TeamsSender:
    """Sends outbox messages (approval cards, outcomes, card updates) to people in Teams."""

    channel: Platform = "teams"

    def __init__(self, courier: Courier, installer: GraphInstaller | None = None) -> None:
        self.courier = courier
        self.installer = installer

    async def close(self) -> None:
        """The Bot Framework adapter's connections belong to the server; Graph's are the sender's."""
        if self.installer is not None:
            await self.installer.close()

    async def send(self, delivery: Delivery) -> None:
        reference = reference_from(delivery.address)
        if reference is None and delivery.recipient_person_id is not None:
            # Queued before they installed the app: they may have installed it since.
            found = await asyncio.to_thread(self.courier.address_of, delivery.recipient_person_id)
            reference = reference_from(found) if found else None
        if reference is None:
            reference = await self._install_for(delivery)
        reply, person_id = delivery.reply, delivery.recipient_person_id
        if not is_personal(reference):  # they have only used Pathway in a channel or group chat
            reference = await self.courier.personal_chat(reference)
            if person_id is not None:
                await asyncio.to_thread(self.courier.relink, person_id, reference)
        # A card update redraws the copies; so does a resend that may have arrived the first time
        # (Teams can't list a chat's messages, but we remember where each card went).
        earlier = reply.replaces or (reply.card.key if delivery.uncertain and reply.card else None)
        if earlier and await self._update_copies(earlier, reply, person_id):
            return
        await self.courier.post(reference, reply, person_id)

    async def _install_for(self, delivery: Delivery) -> ConversationReference:
        """No chat with them yet: install Pathway for them (Graph), and wait for Teams' install event to
        bring the chat's reference (the handler then makes this message due at once). The message is
        kept, uncounted, however long that takes: it is never given up for want of an install. Installed
        before (its event missed), the chat Graph names is used, at the tenant's Bot Connector."""
        wait = min(WAIT_CEILING_SECONDS, FIRST_WAIT_SECONDS * 2 ** min(20, max(0, delivery.attempts - 1)))
        email = str(delivery.address.get("email") or "")
        tenant = await asyncio.to_thread(self.courier.tenant_of, delivery.org_id)
        if self.installer is None or not email or not tenant:
            raise Postponed(
                wait, "waiting for them to install Pathway in Teams (proactive install is not set up)"
            )
        installed = await self.installer.install(tenant, email)
        service_url = (
            await asyncio.to_thread(self.courier.service_url_for, tenant) if installed.chat else None
        )
        if installed.chat is None or service_url is None:
            raise Postponed(wait, "installed Pathway for them in Teams; waiting for Teams to open the chat")
        reference = self.courier.reference_to_chat(service_url, tenant, installed.user_id, installed.chat)
        if delivery.recipient_person_id is not None:
            await asyncio.to_thread(self.courier.relink, delivery.recipient_person_id, reference)
        return reference

    async def _update_copies(self, key: str, reply: Reply, person_id: int | None) -> bool:
        """Redraw every copy of card `key` this person was shown; False when there was none."""
        copies = await asyncio.to_thread(self.courier.copies, key, person_id)
        updated = False
        for where in copies:
            reference = reference_from(where)
            if reference is None or not reference.activity_id:
                continue
            try:
                await self.courier.update(reference, reference.activity_id, reply, person_id)
            except Undeliverable:
                continue  # that copy's conversation is gone; the others still get updated
            updated = True
        return updated
