"""Running the core for a Slack turn: in threads of the process that holds the turn.

The core is synchronous and CPU-bound (a turn is several milliseconds of Python), so it runs off the
event loop. Event turns (DMs, mentions) may instead run whole in worker processes (bot/slack/workers.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from dialogs.conversation import Conversation
from dialogs.messages import Incoming, Reply


@dataclass(frozen=True)
class Outcome:
    replies: list[Reply]
    person_id: int | None  # who the core identified, to remember where their cards went
    org: str


def turn(conversation: Conversation, incoming: Incoming) -> Outcome:
    """One core turn, and the roster person behind the Slack account (linked by the turn if new)."""
    replies, person_id = conversation.handle_identified(incoming)
    return Outcome(replies, person_id, incoming.org)


class InThreads:
    capacity = 4  # turns at once: more threads would only fight over the GIL and the database

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    async def answer(self, incoming: Incoming) -> Outcome:
        return await asyncio.to_thread(turn, self.conversation, incoming)
