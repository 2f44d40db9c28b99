"""One Slack turn: who is talking (workspace -> organisation, user -> roster by profile email), the core's
answer, and the answer put where it belongs (thread, DM, modal, the clicked card, a response_url), with
the bot token of the workspace the turn came from (bolt's, per request: one token, or each installed
workspace's in OAuth mode).

Listeners acknowledge Slack first, so Slack's 3-second limit never depends on how long an answer takes.
Clicks and submissions are answered at once (`handle`); messages are queued (`enqueue`) and answered by a
few consumers, in threads here or whole in worker processes (bot/slack/workers.py); past a backlog limit
new events are refused with 503 so Slack retries them later (mount.py). A message kept in the inbox before
its acknowledgement (lane.py, inbox.py) is marked done there once answered, or once the person was told it
could not be, or its reply went to the outbox.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import SendFailed, Undeliverable
from bot.slack import render
from bot.slack.answering import InThreads, Outcome
from bot.slack.client import Clients
from bot.slack.files import fetch
from bot.slack.inbox import Inbox
from bot.slack.people import Profile, Profiles, ProfileUnavailable
from bot.slack.post import Poster
from bot.slack.translate import FormContext
from bot.workers import TurnFailed, WorkerLost
from dialogs.conversation import Conversation
from dialogs.messages import MAX_FILES_AT_ONCE, MAX_TEXT, Action, Incoming, Reply, Sender
from storage import directory, outbox
from storage.availability import UNAVAILABLE_TEXT, is_outage
from storage.db import transaction

log = logging.getLogger(__name__)
ORG_CACHE_SECONDS = 60.0
DRAIN_POLL_SECONDS = 0.05

UNLINKED = Reply(
    text="This Slack workspace isn't linked to a council on Pathway yet, so I can't answer here. "
    "Please ask whoever runs Pathway for your council to link it (`pathway slack link --org ORG --team TEAM_ID`)."
)
UNKNOWN_USER = Reply(
    text="Slack couldn't tell me who you are, so I can't help just now. Please try again later."
)
BUSY = Reply(text="I couldn't reach Slack to check who you are. Please try again in a minute.")
UNAVAILABLE = Reply(text=UNAVAILABLE_TEXT)
MAY_BE_UNANSWERED = Reply(
    text="Sorry, I was interrupted while answering your last message, so my answer may not have reached you. "
    "If you can't see it, please send it again."
)
NOT_ANSWERED = Reply(
    text="Sorry, something went wrong on my side while answering that message. Please send it again."
)


@dataclass(frozen=True)
class Workspace:
    """The Slack workspace a turn came from: its team, its Enterprise Grid organisation if any, and the
    bot token bolt authorised the request with (None: SLACK_BOT_TOKEN)."""

    team: str
    enterprise: str | None = None
    token: str | None = None

    @property
    def keys(self) -> dict[str, str]:
        """How addresses and message references name it (bot/slack/sender.py finds its token by them)."""
        return {"team": self.team, **({"enterprise": self.enterprise} if self.enterprise else {})}


@dataclass(frozen=True)
class Place:
    """Where a turn is answered."""

    channel: str | None = None  # None: only through response_url
    thread_ts: str | None = None
    direct: bool = False  # the person's DM with the bot
    # The message whose button was clicked: a reply that replaces a card updates it.
    clicked_ts: str | None = None
    trigger_id: str | None = None  # lets a form open as a modal
    response_url: str | None = None  # slash commands and ephemeral messages
    ephemeral: bool = False


@dataclass(frozen=True)
class TurnInput:
    """One turn as Slack gave it: who, in which workspace, where to answer, and what they sent."""

    workspace: Workspace
    user: str
    place: Place
    text: str | None = None
    action: Action | None = None
    event_id: str | None = None
    files: tuple[str, ...] = ()  # Slack file ids shared with the message or the form
    kept: bool = False  # in the inbox (lane.py): marked done there once answered
    replayed: bool = False  # from the inbox at start-up: the process that took it stopped before answering


class Answering(Protocol):
    capacity: int  # turns worth running at once

    async def answer(self, incoming: Incoming) -> Outcome: ...


class EventRunner(Protocol):
    """Somewhere else to run whole event turns (bot/slack/workers.py)."""

    capacity: int

    async def run(self, turn: TurnInput) -> None: ...


class SlackTurns:
    def __init__(
        self,
        conversation: Conversation,
        clients: Clients,
        answering: Answering | None = None,
        events: EventRunner | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self.conversation = conversation
        self.sessions: sessionmaker[Session] = conversation.sessions
        self.clients = clients
        self.profiles = Profiles()
        self.answering = answering or InThreads(conversation)
        self.events = events
        self.inbox = inbox
        self.in_flight = 0  # turns acknowledged and not yet answered
        self._orgs: dict[tuple[str, str | None], tuple[float, str | None]] = {}
        self._backlog: asyncio.Queue[TurnInput] | None = None
        self._consumers: list[asyncio.Task[None]] = []

    def poster(self, workspace: Workspace) -> Poster:
        """Putting replies into this workspace, with its bot token."""
        return Poster(self.clients.for_token(workspace.token), self.sessions, workspace.keys)

    def enqueue(self, turn: TurnInput) -> None:
        """Answer a message later, in turn: the listener returns at once and a burst of events costs the
        acknowledging loop only a queue entry each; a few consumers answer as fast as `answering` goes."""
        if self._backlog is None:
            capacity = self.events.capacity if self.events else self.answering.capacity
            self._backlog = asyncio.Queue()
            self._consumers = [asyncio.create_task(self._consume()) for _ in range(capacity)]
        self.in_flight += 1
        self._backlog.put_nowait(turn)

    async def answer_elsewhere(self, events: EventRunner, turn: TurnInput) -> None:
        """A turn run by `events`; one that failed there is answered here, so the person knows."""
        try:
            await events.run(turn)
        except (TurnFailed, WorkerLost) as exc:
            log.error("slack turn %s not answered in a worker: %s", turn.event_id, exc)
            await self.deliver(Outcome([NOT_ANSWERED], None, ""), turn.place, turn.workspace)

    async def _consume(self) -> None:
        assert self._backlog is not None
        while True:
            turn = await self._backlog.get()
            try:
                if self.events is not None:
                    await self.answer_elsewhere(self.events, turn)
                else:
                    await self.answer_now(turn)
            except Exception:  # one turn's failure must not stop the others; kept, it is replayed later
                log.exception("slack turn failed")
            else:
                if turn.kept and turn.event_id and self.inbox is not None:
                    self.inbox.done(turn.event_id)
            finally:
                self.in_flight -= 1

    async def drain(self, timeout: float) -> None:
        """Stopping: let the turns acknowledged finish (for up to `timeout` seconds), so they are marked
        done rather than replayed, and their person told the answer may be missing, at the next start."""
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            await asyncio.sleep(DRAIN_POLL_SECONDS)

    async def close(self) -> None:
        for consumer in self._consumers:
            consumer.cancel()
        await asyncio.gather(*self._consumers, return_exceptions=True)
        self._consumers, self._backlog = [], None

    async def handle(self, turn: TurnInput) -> None:
        """Answer a click or a command now (its trigger or response_url will not wait in a queue)."""
        self.in_flight += 1
        try:
            await self.answer_now(turn)
        finally:
            self.in_flight -= 1

    async def answer_now(self, turn: TurnInput, *, again: bool = False) -> None:
        """Answer one turn. `again`: its worker died running it (or, replayed, the process that kept it
        stopped); if the core had already taken it (so says nothing now), its answer may never have been
        posted, and the person is told so."""
        outcome = await self.outcome(turn)
        if (again or turn.replayed) and not outcome.replies:
            outcome = Outcome([MAY_BE_UNANSWERED], None, "")
        await self.deliver(outcome, turn.place, turn.workspace)

    async def outcome(self, turn: TurnInput) -> Outcome:
        """The core's answer to one turn (or the reply that says why there is none), not yet shown."""
        notes: list[Reply] = []
        if turn.text is not None and len(turn.text) > MAX_TEXT:
            turn = replace(turn, text=turn.text[:MAX_TEXT])
            notes.append(
                Reply(text=f"Your message was long, so I read only its first {MAX_TEXT:,} characters.")
            )
        try:
            incoming = await self.incoming(turn)
        except Exception as exc:
            if not is_outage(exc):
                raise
            incoming = UNAVAILABLE  # the workspace's organisation could not be looked up
        if isinstance(incoming, Reply):
            return Outcome([incoming], None, "")
        outcome = await self.answering.answer(incoming)
        return Outcome([*notes, *outcome.replies], outcome.person_id, outcome.org)

    async def incoming(self, turn: TurnInput) -> Incoming | Reply:
        """The core's Incoming for this Slack user, or the Reply that explains why there is none."""
        workspace = turn.workspace
        team, enterprise = workspace.team, workspace.enterprise
        org = await self.organisation(team, enterprise)
        if org is None:
            return UNLINKED
        try:
            profile = await self.profiles.get(turn.user, self.clients.for_token(workspace.token))
        except ProfileUnavailable:
            return BUSY
        if profile is None:
            return UNKNOWN_USER
        if profile.team and profile.team != team and await self.organisation(profile.team, enterprise) != org:
            return UNLINKED  # someone from another workspace (a shared channel) whose council isn't linked
        client = self.clients.for_token(workspace.token)  # files are read with their workspace's token
        shared = [await fetch(client, file_id) for file_id in turn.files[: MAX_FILES_AT_ONCE + 1]]
        return Incoming(org=org, sender=self.sender(workspace, profile, turn.place), text=turn.text,
                        action=turn.action, files=shared, event_id=turn.event_id)  # fmt: skip

    @staticmethod
    def sender(workspace: Workspace, profile: Profile, place: Place) -> Sender:
        # Only a DM gives the address to reach them later; elsewhere keep the one already stored. The
        # workspace (and Grid) say whose bot token reaches them there (bot/slack/sender.py).
        address: dict[str, object] | None = (
            {**workspace.keys, "user": profile.id, "channel": place.channel}
            if place.direct and place.channel
            else None
        )
        return Sender(platform="slack", tenant=workspace.team, user_id=profile.id, email=profile.email,
                      name=profile.name, address=address)  # fmt: skip

    async def organisation(self, team: str, enterprise: str | None = None) -> str | None:
        """The organisation the workspace (else its Enterprise Grid organisation) is linked to."""
        cached = self._orgs.get((team, enterprise))
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]

        def find() -> str | None:
            with transaction(self.sessions) as session:
                organisation = directory.organisation_for_slack(session, team, enterprise)
                return organisation.id if organisation is not None else None

        org = await asyncio.to_thread(find)
        self._orgs[(team, enterprise)] = (time.monotonic() + ORG_CACHE_SECONDS, org)
        return org

    def forget_workspace(self, workspace_id: str) -> None:
        """Look the workspace's organisation up afresh next time (it was unlinked)."""
        for key in [k for k in self._orgs if workspace_id in k]:
            del self._orgs[key]

    # -- answering ---------------------------------------------------------------------------------

    async def deliver(self, outcome: Outcome, place: Place, workspace: Workspace) -> None:
        poster = self.poster(workspace)
        cards: dict[str, dict[str, str]] = {}
        for reply in outcome.replies:
            try:
                reference = await self._put(poster, reply, place, outcome.person_id)
            except (SendFailed, Undeliverable) as exc:
                log.warning("slack reply not posted (%s); queued for the dispatcher", exc)
                await self._queue(outcome, place, reply, workspace)
                continue
            if reference is not None and reply.card is not None and reply.card.key:
                cards[reply.card.key] = reference
        if outcome.person_id is not None:
            await poster.remember(outcome.person_id, cards)

    async def _put(
        self, poster: Poster, reply: Reply, place: Place, person_id: int | None
    ) -> dict[str, str] | None:
        """Show one reply; returns where a card now is (None for ephemeral or modal answers)."""
        if reply.form is not None and place.trigger_id:
            context = FormContext(submit=reply.form.submit, channel=place.channel,
                                  message_ts=place.clicked_ts, thread_ts=place.thread_ts)  # fmt: skip
            try:
                await poster.open_modal(place.trigger_id, render.modal(reply.form, context.model_dump_json()))
                return None
            except (SendFailed, Undeliverable):  # the trigger expired: offer a button that opens it
                log.info("views.open failed; posting the form's button instead")
        if reply.replaces:
            return await self._replace(poster, reply, reply.replaces, place, person_id)
        return await self._new(poster, reply, place)

    async def _replace(
        self, poster: Poster, reply: Reply, card_key: str, place: Place, person_id: int | None
    ) -> dict[str, str] | None:
        if place.clicked_ts and place.ephemeral and place.response_url:
            await poster.respond(place.response_url, reply, replace_original=True)
            return None
        if place.clicked_ts and place.channel:
            return await poster.update({"channel": place.channel, "ts": place.clicked_ts}, reply)
        reference = await poster.copy_for(card_key, person_id) if person_id is not None else None
        if reference is not None:
            return await poster.update(reference, reply)
        return await self._new(poster, reply, place)

    @staticmethod
    async def _new(poster: Poster, reply: Reply, place: Place) -> dict[str, str] | None:
        if place.channel is None or place.ephemeral:
            if place.response_url is None:
                raise Undeliverable("slack: nowhere to answer")
            await poster.respond(place.response_url, reply)
            return None
        return await poster.post(place.channel, reply, place.thread_ts)

    async def _queue(self, outcome: Outcome, place: Place, reply: Reply, workspace: Workspace) -> None:
        """A reply Slack refused just now goes to the outbox, so the dispatcher retries it."""
        if outcome.person_id is None or not outcome.org or place.channel is None:
            return  # an answer to someone unidentified: nothing to keep it for

        def enqueue() -> None:
            with transaction(self.sessions) as session:
                address = {"channel": place.channel, **workspace.keys}
                outbox.enqueue(session, org_id=outcome.org, channel="slack", address=address, kind="reply",
                               payload=reply.model_dump(mode="json"),
                               idempotency_key=f"slack-reply:{place.channel}:{time.time_ns()}",
                               recipient_person_id=outcome.person_id)  # fmt: skip

        await asyncio.to_thread(enqueue)
