"""The Teams bot: activities in, the core's replies out as cards, decisions redrawn in place.

A message or card submit becomes one `Incoming` for the core (run in a worker process, or a thread:
bot/teams/workers.py); its replies are rendered and sent here, within botbuilder's turn.
Replies go back in the same turn; a reply that `replaces` a card redraws the card that was clicked
and the person's other copies of it. Installing the app (personal scope) stores the conversation
reference, so the first approval card can reach a manager who has never written to the bot.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import aiohttp
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ChannelAccount, ConversationReference
from botbuilder.schema.teams import FileConsentCardResponse

from bot.runtime import Runtime
from bot.teams import files, translate
from bot.teams.accounts import Accounts
from bot.teams.order import InOrder, Place
from bot.teams.render import (
    ACTION_KEY,
    CARD_CONTENT_TYPE,
    REFRESH_VERB,
    activities,
    adaptive_card,
    card_attachment,
    file_info_card,
    form_card,
    offered_as_file,
)
from bot.teams.sender import Courier, reference_from
from bot.teams.workers import Core
from dialogs.messages import Form, InboundFile, Incoming, Reply, Sender, refused_form
from storage import directory, outbox
from storage.columns import utc_now
from storage.db import transaction

log = logging.getLogger(__name__)
MAX_EVENT_ID = 200
PLACE = "pathway.place"  # turn_state: the turn's place among its sender's turns (bot/teams/order.py)
UPLOAD_TIMEOUT_SECONDS = 60  # handled_events keeps ids up to 255 characters


Json = dict[str, Any]


def card_response(card: Json) -> Json:
    """An adaptiveCard/action answer: the card the presser sees now."""
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}


def message_response(text: str) -> Json:
    """An adaptiveCard/action answer that leaves the card as it is and shows the presser `text`."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


def bot_token(turn_context: TurnContext) -> str | None:
    """The bot's own Bot Framework token, which an inline attachment's contentUrl wants; None without
    credentials (the Emulator). Blocking (the SDK fetches it): call in a thread."""
    client = turn_context.turn_state.get(turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY)
    credentials = getattr(getattr(client, "config", None), "credentials", None)
    if credentials is None or not getattr(credentials, "microsoft_app_id", None):
        return None
    token = credentials.get_access_token()
    return str(token) if token else None


def in_order(activity: Activity) -> str | None:
    """Whose turns are kept in order together (as the workers key them: the sender's tenant and id);
    None for an activity from nobody."""
    if activity.from_property is None:
        return None
    return f"{translate.tenant_of(activity)}:{translate.user_id_of(activity)}"


def placed(turn_context: TurnContext) -> Place:
    """The turn's place among its sender's turns (`PathwayBot.on_turn_in`); a turn run without one
    waits for no other."""
    place = turn_context.turn_state.get(PLACE)
    return place if isinstance(place, Place) else Place(None)


def event_id(raw: str) -> str:
    return raw if len(raw) <= MAX_EVENT_ID else hashlib.sha256(raw.encode()).hexdigest()


class PathwayBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(
        self, runtime: Runtime, courier: Courier, inline_from: Callable[[str], bool], core: Core
    ) -> None:
        self.runtime = runtime
        self.inline_from = inline_from  # where an inline attachment may be downloaded from
        self.core = core
        self.courier = courier
        self.accounts = Accounts(runtime.sessions)
        self.order = InOrder()  # each person's turns taken, and answered, in the order they came

    def arrived(self, activity: Activity) -> AbstractContextManager[Place]:
        """The activity's place among its sender's turns, taken as it arrives (before anything is
        awaited: bot/teams/order.py), held until its turn is over."""
        return self.order.arrived(in_order(activity))

    async def on_turn_in(self, place: Place, turn_context: TurnContext) -> None:
        """botbuilder's turn, for an activity that has taken its `place`."""
        turn_context.turn_state[PLACE] = place
        await self.on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        pressed = translate.pressed(activity.value)
        place = placed(turn_context)
        if pressed is not None and pressed.problem:
            await place.my_turn_to_send()
            await turn_context.send_activity(pressed.problem)
            return
        attached = files.sent_files(activity) if translate.is_personal(activity) else []
        text = None if pressed is not None or attached else translate.text_of(activity)
        org, sender = await self._sender(turn_context)
        incoming = Incoming(
            org=org,
            sender=sender,
            text=text,
            action=pressed.action if pressed else None,
            files=await self._fetched(turn_context, attached) if attached else [],
            event_id=event_id(activity.id) if activity.id else None,
        )
        replies, person_id = await place.ask(lambda: self.core.answer(incoming))
        await place.my_turn_to_send()
        refused = refused_form(replies, pressed.action) if pressed and pressed.action else None
        if refused is not None and await self._redraw_form(turn_context, refused, replies):
            replies = [r for r in replies if r.form is not refused]
        await self._answer(turn_context, replies, person_id)

    async def _fetched(self, turn_context: TurnContext, attached: list[Any]) -> list[InboundFile]:
        """The files sent in a personal chat, each downloaded (or why it could not be)."""
        settings = self.runtime.settings
        loopback = bool(settings.pathway_teams_emulator and not settings.microsoft_app_id)
        token = await asyncio.to_thread(bot_token, turn_context)
        return [await files.fetch(a, self.inline_from, token, loopback) for a in attached]

    async def _redraw_form(self, turn_context: TurnContext, refused: Form, replies: list[Reply]) -> bool:
        """The submitted form card, redrawn where it is with what was entered and each problem; False
        when there is no card to redraw (then it is sent anew)."""
        clicked = turn_context.activity.reply_to_id
        if not clicked:
            return False
        text = next((r.text for r in replies if r.form is refused), "")
        card = card_attachment(form_card(text, refused))
        try:
            await turn_context.update_activity(Activity(type="message", id=clicked, attachments=[card]))
        except Exception as exc:  # a card that cannot be redrawn: the form goes as a new message
            log.warning("could not redraw the Teams form %s: %s", clicked, exc)
            return False
        return True

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        if turn_context.activity.name == "adaptiveCard/action":
            # Answered here rather than by the SDK's on_adaptive_card_invoke, whose serialiser cannot
            # carry the text answer (a string `value`) that Universal Actions allow.
            return InvokeResponse(status=200, body=await self._universal_action(turn_context))
        return await super().on_invoke_activity(turn_context)

    async def _universal_action(self, turn_context: TurnContext) -> Json:
        """A Universal Action: a button pressed (its verb is the core's action) or a card's refresh as
        one of its viewers opens it. Answered with the card the presser should now see."""
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        action = value.get("action")
        verb, data = (action.get("verb"), action.get("data")) if isinstance(action, dict) else (None, None)
        data = data if isinstance(data, dict) else {}
        if verb == REFRESH_VERB:
            return await self._refreshed(turn_context, data)
        pressed = translate.pressed(data)
        if pressed is None or pressed.problem:
            return message_response((pressed.problem if pressed else None) or translate.UNKNOWN_ACTION)
        org, sender = await self._sender(turn_context)
        activity = turn_context.activity
        incoming = Incoming(org=org, sender=sender, action=pressed.action,
                            event_id=event_id(activity.id) if activity.id else None)  # fmt: skip
        place = placed(turn_context)
        replies, person_id = await place.ask(lambda: self.core.answer(incoming))
        await place.my_turn_to_send()
        return await self._acted(turn_context, pressed, replies, person_id)

    async def _acted(
        self,
        turn_context: TurnContext,
        pressed: translate.Pressed,
        replies: list[Reply],
        person_id: int | None,
    ) -> Json:
        """The pressed card's answer to a Universal Action the core has answered (its replies sent)."""
        activity = turn_context.activity
        refused = refused_form(replies, pressed.action) if pressed.action else None
        if refused is not None:  # the pressed form card becomes itself again, with its problems shown
            text = next((r.text for r in replies if r.form is refused), "")
            await self._answer(turn_context, [r for r in replies if r.form is not refused], person_id)
            return card_response(form_card(text, refused))
        redraw = next((r for r in replies if r.replaces), None)
        if redraw is not None:  # the pressed card becomes this; the person's other copies are redrawn
            await self._redraw(turn_context, redraw, person_id, answered=activity.reply_to_id or "")
        await self._answer(turn_context, [r for r in replies if r is not redraw], person_id)
        card = adaptive_card(redraw, [str(activity.from_property.id)]) if redraw is not None else None
        if card is None:
            return message_response(replies[0].text if replies else "Done.")
        if redraw is not None and person_id is not None and activity.reply_to_id:
            here = TurnContext.get_conversation_reference(activity)
            await asyncio.to_thread(self.courier.remember, redraw.replaces or "", person_id, here,
                                    activity.reply_to_id, card)  # fmt: skip
        return card_response(card)

    async def _refreshed(self, turn_context: TurnContext, data: dict[str, Any]) -> Json:
        """A viewer's current view of a keyed card: how Pathway last drew their copy (buttons while the
        decision is theirs to make, the outcome once it is made, wherever it was made)."""
        carried = data.get(ACTION_KEY)
        key = ((carried or {}).get("data") or {}).get("card") if isinstance(carried, dict) else None
        _org, sender = await self._sender(turn_context)
        person_id = await asyncio.to_thread(self._person_id, sender)
        card = (
            await asyncio.to_thread(self.courier.latest_card, str(key), person_id)
            if key and person_id is not None
            else None
        )
        return card_response(card) if card is not None else message_response("This card has nothing new.")

    async def on_teams_file_consent_accept(
        self, turn_context: TurnContext, file_consent_card_response: FileConsentCardResponse
    ) -> None:
        """They accepted a document offered as a file: upload it to the OneDrive place Teams gave, then
        show it in the chat as the file."""
        upload = file_consent_card_response.upload_info
        context = (
            file_consent_card_response.context if isinstance(file_consent_card_response.context, dict) else {}
        )
        found = await asyncio.to_thread(self.courier.offered, str(context.get("offer") or ""))
        if found is None or upload is None or not upload.upload_url:
            await turn_context.send_activity("Sorry, I no longer have that file. Please ask for it again.")
            return
        _name, content = found
        headers = {
            "Content-Length": str(len(content)),
            "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}",
        }
        timeout = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http, http.put(upload.upload_url, data=content,
                                                                                  headers=headers) as response:  # fmt: skip
                response.raise_for_status()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("could not upload an accepted Teams file: %s", exc)
            await turn_context.send_activity(
                "Sorry, the file could not be uploaded. Please ask for it again."
            )
            return
        await turn_context.send_activity(Activity(type="message", attachments=[file_info_card(upload)]))

    async def on_teams_file_consent_decline(
        self, turn_context: TurnContext, file_consent_card_response: FileConsentCardResponse
    ) -> None:
        await turn_context.send_activity("All right, I haven't sent the file.")

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        await self._welcome(turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        """First contact: link the installer to the roster (storing the reference) and say hello, once."""
        activity = turn_context.activity
        if not translate.is_personal(activity) or activity.from_property is None:
            return
        org, sender = await self._sender(turn_context)
        once = event_id(f"welcome:{activity.conversation.id}")
        incoming = Incoming(org=org, sender=sender, text="help", event_id=once)
        place = placed(turn_context)
        replies, person_id = await place.ask(lambda: self.core.answer(incoming))
        await place.my_turn_to_send()
        await self._answer(turn_context, replies, person_id)
        await asyncio.to_thread(self._release_waiting, sender)

    def _release_waiting(self, sender: Sender) -> None:
        """The chat now exists: what was waiting for them to install the app goes out at once."""
        with transaction(self.runtime.sessions) as session:
            person = directory.find_person_by_identity(session, "teams", sender.tenant, sender.user_id)
            if person is not None:
                outbox.due_now(session, person.id, "teams", utc_now())

    async def _sender(self, turn_context: TurnContext) -> tuple[str, Sender]:
        """The organisation (from the tenant; "" when unlinked) and the person as the core sees them."""
        activity = turn_context.activity
        tenant, user_id = translate.tenant_of(activity), translate.user_id_of(activity)
        account = self.accounts.kept(tenant, user_id)
        if account is None:
            account = await asyncio.to_thread(self.accounts.lookup, tenant, user_id)
        email = None if account.linked else await self._email(turn_context)
        # A one-to-one chat is where approval cards go. A channel or group chat is kept only until
        # there is one: the sender then opens the person's one-to-one chat from it.
        personal = translate.is_personal(activity)
        return account.org, Sender(
            platform="teams",
            tenant=tenant,
            user_id=user_id,
            email=email,
            name=activity.from_property.name,
            address=translate.reference_of(activity) if personal or not account.reachable else None,
        )

    async def _email(self, turn_context: TurnContext) -> str | None:
        """The person's email (or sign-in name) from the Bot Connector's member lookup."""
        try:
            member = await TeamsInfo.get_member(turn_context, turn_context.activity.from_property.id)
        except Exception as exc:  # the Emulator and some chats cannot answer; they can still ask questions
            log.info("Teams member lookup failed: %s", exc)
            return None
        email = member.email or member.user_principal_name
        return str(email) if email else None

    def _person_id(self, sender: Sender) -> int | None:
        with transaction(self.runtime.sessions) as session:
            person = directory.find_person_by_identity(session, "teams", sender.tenant, sender.user_id)
            return person.id if person else None

    async def _answer(self, turn_context: TurnContext, replies: list[Reply], person_id: int | None) -> None:
        """Send the core's replies; `person_id`: whom the core identified (where keyed cards went is
        kept by person)."""
        for reply in replies:
            if reply.replaces and await self._redraw(turn_context, reply, person_id):
                if not reply.card_fallback:  # what the reply says about the redrawn card, in words
                    await turn_context.send_activity(reply.text)
                continue
            viewers = [str(turn_context.activity.from_property.id)]
            offer = None  # a file is offered only in a personal chat (Teams' rule for file consent)
            if offered_as_file(reply) and translate.is_personal(turn_context.activity):
                offer = await asyncio.to_thread(self.courier.offer, reply, person_id)
            responses = await turn_context.send_activities(activities(reply, viewers, offer))
            card_id = next((r.id for r in responses if r is not None and r.id), None)
            if reply.card and reply.card.key and person_id is not None and card_id:
                reference = TurnContext.get_conversation_reference(turn_context.activity)
                card = adaptive_card(reply, viewers)
                await asyncio.to_thread(
                    self.courier.remember, reply.card.key, person_id, reference, card_id, card
                )

    async def _redraw(
        self, turn_context: TurnContext, reply: Reply, person_id: int | None, answered: str | None = None
    ) -> bool:
        """Replace the clicked card and this person's copies of card `reply.replaces`; False if none.
        `answered`: the clicked card's activity id when the invoke response redraws it instead."""
        assert reply.replaces is not None
        here = TurnContext.get_conversation_reference(turn_context.activity)
        targets: dict[tuple[str, str], ConversationReference] = {}
        clicked = turn_context.activity.reply_to_id
        if clicked and turn_context.activity.value and answered is None:
            targets[(here.conversation.id, clicked)] = here
        copies: list[dict[str, Any]] = (
            await asyncio.to_thread(self.courier.copies, reply.replaces, person_id) if person_id else []
        )
        for where in copies:
            reference = reference_from(where)
            if reference is not None and reference.activity_id and reference.activity_id != answered:
                targets[(reference.conversation.id, reference.activity_id)] = reference
        redrawn = False
        for (_conversation, activity_id), reference in targets.items():
            try:
                await self.courier.update(reference, activity_id, reply, person_id)
                redrawn = True
            except Exception as exc:  # a copy that cannot be redrawn must not stop the answer
                log.warning("could not redraw Teams card %s: %s", activity_id, exc)
        return redrawn
