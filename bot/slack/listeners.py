"""The bolt listeners: DMs, channel mentions (answered in thread), /pathway, button clicks, modal
submissions and the App Home tab.

Each listener acknowledges first (events are acknowledged by bolt itself before the listener runs;
clicks, commands and submissions call `ack()` first thing) and only then does the work, so Slack
gets its answer within 3 seconds whatever the core does. Payloads are validated before use; one that
does not fit is logged and answered politely where there is somewhere to answer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.slack import render
from bot.slack.answering import Outcome
from bot.slack.home import AppHome
from bot.slack.translate import (
    ACTION_PREFIX,
    FORM_CALLBACK,
    OPEN_FORM,
    BlockActions,
    FormContext,
    MessageEvent,
    SlashCommand,
    ViewSubmission,
    decode_action,
    form_context,
    form_files,
    form_values,
    is_direct_message,
    plain_text,
)
from bot.slack.turns import Place, SlackTurns, TurnInput, Workspace
from dialogs.messages import Action, Form, Reply, refused_form

log = logging.getLogger(__name__)
COMMAND = "/pathway"
TYPED = {None, "file_share", "thread_broadcast"}  # message subtypes that are someone writing to us
# How long a modal submission waits for the core before acknowledging anyway (Slack allows 3 s): long
# enough for any turn on a healthy database, short enough to leave the acknowledgement time to arrive.
INLINE_ERRORS_WAIT = 2.0

STALE_BUTTON = Reply(text="I can't read that button (it may be from an old message). Say 'status' to see where things stand.")  # fmt: skip
UNREADABLE = Reply(text="I couldn't read that request from Slack, so nothing was changed. Please try again.")


def register(app: AsyncApp, turns: SlackTurns, home: AppHome) -> Listeners:
    listeners = Listeners(turns, home)
    app.event("message")(listeners.direct_message)
    app.event("app_mention")(listeners.mention)
    app.event("app_home_opened")(listeners.home_opened)
    app.command(COMMAND)(listeners.command)
    app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(listeners.click)
    app.action(OPEN_FORM)(listeners.open_form)
    app.action(re.compile(".*"))(listeners.unknown_click)  # last: anything not ours gets a polite answer
    app.view(FORM_CALLBACK)(listeners.submission)
    return listeners


class Listeners:
    def __init__(self, turns: SlackTurns, home: AppHome) -> None:
        self.turns = turns
        self.home = home

    async def direct_message(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        self._enqueue(self.message_turn(body, event, context))

    async def mention(self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        self._enqueue(self.mention_turn(body, event, context))

    def _enqueue(self, turn: TurnInput | None) -> None:
        if turn is not None:
            self.turns.enqueue(turn)

    # The turns of the two events, or None for one that is nobody talking to us; the event lane (lane.py)
    # keeps a turn in the inbox before queueing it, and replays it from there.

    def message_turn(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> TurnInput | None:
        message = self._message(event)
        if message is None or message.subtype not in TYPED or message.bot_id or not message.user:
            return None  # edits, joins, bots (ourselves included): not someone talking to us
        if not is_direct_message(message.channel, message.channel_type):
            return None  # channel chatter reaches us only as app_mention
        place = Place(channel=message.channel, thread_ts=message.thread_ts, direct=True)
        return self._turn(body, message, place, context)

    def mention_turn(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> TurnInput | None:
        message = self._message(event)
        if message is None or not message.user or message.bot_id:
            return None
        place = Place(channel=message.channel, thread_ts=message.thread_ts or message.ts)
        return self._turn(body, message, place, context)

    @staticmethod
    def _turn(
        body: dict[str, Any], message: MessageEvent, place: Place, context: AsyncBoltContext
    ) -> TurnInput:
        team = message.user_team or message.team or str(body.get("team_id") or "")
        event_id = body.get("event_id")
        return TurnInput(
            workspace(context, team), str(message.user), place, text=plain_text(message.text),
            event_id=str(event_id) if event_id else None, files=tuple(f.id for f in message.files),
        )  # fmt: skip

    @staticmethod
    def _message(event: dict[str, Any]) -> MessageEvent | None:
        try:
            return MessageEvent.model_validate(event)
        except ValidationError as exc:
            log.warning("unreadable Slack event: %s", exc.errors(include_input=False, include_url=False)[:3])
            return None

    async def command(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        try:
            command = SlashCommand.model_validate(body)
        except ValidationError:
            log.warning("unreadable slash command")
            return
        text = plain_text(command.text) or "help"
        place = Place(channel=command.channel_id, response_url=command.response_url,
                      trigger_id=command.trigger_id, ephemeral=True)  # fmt: skip
        await self.turns.handle(
            TurnInput(workspace(context, command.team_id), command.user_id, place, text=text)
        )

    async def click(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        payload = self._actions(body)
        if payload is None:
            return
        where = workspace(context, self._team(payload))
        place = self._clicked_place(payload)
        from_home = payload.container.type == "view"
        if from_home:  # a card on the App Home tab: answer in the DM, then redraw the tab
            channel = await self.turns.poster(where).direct_channel(payload.user.id)
            place = replace(place, channel=channel, direct=True, clicked_ts=None)
        action = decode_action(payload.actions[0].value) if payload.actions else None
        if action is None:
            await self._explain(where, place, STALE_BUTTON)
            return
        await self.turns.handle(TurnInput(where, payload.user.id, place, action=action))
        if from_home:
            await self.home.publish(where, payload.user.id)

    async def open_form(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """The button offered with a form asked for by typed text: a click gives the trigger a modal needs."""
        await ack()
        payload = self._actions(body)
        if payload is None:
            return
        where = workspace(context, self._team(payload))
        place = self._clicked_place(payload)
        try:
            form = Form.model_validate_json(payload.actions[0].value or "")
        except (ValidationError, IndexError):
            await self._explain(where, place, STALE_BUTTON)
            return
        reply = Reply(text=form.title, form=form)
        await self.turns.deliver(Outcome([reply], None, ""), replace(place, clicked_ts=None), where)

    async def unknown_click(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        payload = self._actions(body)
        if payload is not None:
            log.info("unknown Slack action %s", [a.action_id for a in payload.actions])
            await self._explain(
                workspace(context, self._team(payload)), self._clicked_place(payload), STALE_BUTTON
            )

    async def submission(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """A modal's form submitted. The core is given a moment before the acknowledgement: a form it
        sends back to be corrected stays open, with what was typed and each problem under its box
        (`response_action: errors`); anything else closes it and is answered in the conversation. A
        core slower than Slack's 3 seconds allow is answered in the conversation too."""
        try:
            payload = ViewSubmission.model_validate(body)
        except ValidationError:
            await ack()
            log.warning("unreadable view_submission")
            return
        form = form_context(payload.view.private_metadata)
        if form is None:
            await ack()
            log.warning("view_submission with unreadable private_metadata")
            return
        where = workspace(context, payload.user.team_id or (payload.team.id if payload.team else ""))
        action = Action(name=form.submit.name, data={**form.submit.data, **form_values(payload.view.state)})
        self.turns.in_flight += 1
        try:
            answering = asyncio.ensure_future(self._submitted(payload, form, action, where))
            try:
                outcome, place = await asyncio.wait_for(asyncio.shield(answering), INLINE_ERRORS_WAIT)
            except TimeoutError:
                await ack()  # closes the modal; the answer follows in the conversation
                outcome, place = await answering
            except BaseException:
                await ack()
                raise
            else:
                refused = refused_form(outcome.replies, action)
                if refused is None:
                    await ack()
                else:
                    await ack(response_action="errors", errors=render.form_errors(refused))
                    outcome = replace(outcome, replies=[r for r in outcome.replies if r.form is not refused])
            await self.turns.deliver(outcome, place, where)
        finally:
            self.turns.in_flight -= 1

    async def _submitted(
        self, payload: ViewSubmission, form: FormContext, action: Action, where: Workspace
    ) -> tuple[Outcome, Place]:
        channel = form.channel or await self.turns.poster(where).direct_channel(payload.user.id)
        place = Place(channel=channel, thread_ts=form.thread_ts, clicked_ts=form.message_ts,
                      direct=channel.startswith("D"))  # fmt: skip
        files = tuple(form_files(payload.view.state))
        return await self.turns.outcome(
            TurnInput(where, payload.user.id, place, action=action, files=files)
        ), place

    async def home_opened(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if event.get("tab") not in (None, "home") or not isinstance(event.get("user"), str):
            return
        await self.home.publish(workspace(context, str(body.get("team_id") or "")), event["user"])

    # -- helpers ------------------------------------------------------------------------------------

    @staticmethod
    def _actions(body: dict[str, Any]) -> BlockActions | None:
        try:
            return BlockActions.model_validate(body)
        except ValidationError:
            log.warning("unreadable block_actions payload")
            return None

    @staticmethod
    def _team(payload: BlockActions) -> str:
        return payload.user.team_id or (payload.team.id if payload.team else "")

    @staticmethod
    def _clicked_place(payload: BlockActions) -> Place:
        channel = payload.channel.id if payload.channel else payload.container.channel_id
        clicked = payload.message.ts if payload.message else payload.container.message_ts
        thread = payload.message.thread_ts if payload.message else None
        return Place(channel=channel, thread_ts=thread, direct=bool(channel and channel.startswith("D")),
                     clicked_ts=clicked, trigger_id=payload.trigger_id, response_url=payload.response_url,
                     ephemeral=payload.container.is_ephemeral)  # fmt: skip

    async def _explain(self, where: Workspace, place: Place, reply: Reply) -> None:
        """Answer without acting: a new message beside the clicked one (the card is left as it was)."""
        plain = Place(channel=place.channel, thread_ts=place.thread_ts, response_url=place.response_url,
                      ephemeral=place.ephemeral)  # fmt: skip
        await self.turns.deliver(Outcome([reply], None, ""), plain, where)


def workspace(context: AsyncBoltContext, team: str) -> Workspace:
    """The workspace a request came from (`team`: the one it names for the person acting), with the bot
    token bolt authorised it with: SLACK_BOT_TOKEN, or the installed workspace's in OAuth mode."""
    return Workspace(
        team=team or str(context.team_id or ""), enterprise=context.enterprise_id, token=context.bot_token
    )
