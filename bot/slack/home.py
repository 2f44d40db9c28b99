"""The App Home tab: the core's home summary for this person, published with views.publish."""

from __future__ import annotations

import asyncio
import logging

from bot.delivery import SendFailed, Undeliverable
from bot.slack import render
from bot.slack.turns import Place, SlackTurns, TurnInput, Workspace
from dialogs.home import home
from dialogs.messages import Incoming, Reply

log = logging.getLogger(__name__)


class AppHome:
    def __init__(self, turns: SlackTurns) -> None:
        self.turns = turns

    async def publish(self, workspace: Workspace, user: str) -> None:
        incoming = await self.turns.incoming(TurnInput(workspace, user, Place()))
        replies = (
            await asyncio.to_thread(self._summary, incoming) if isinstance(incoming, Incoming) else [incoming]
        )
        try:
            await self.turns.poster(workspace).publish_home(user, render.home(replies))
        except (SendFailed, Undeliverable) as exc:  # the next app_home_opened tries again
            log.warning("App Home not published for %s: %s", user, exc)

    def _summary(self, incoming: Incoming) -> list[Reply]:
        conversation = self.turns.conversation
        return home(conversation.library, conversation.sessions, incoming, conversation.clock())
