"""One person's replies go out in the order their messages came, whatever order the core's answers
come back in.

The core keeps a person's turns in order (in a worker they run one after another), but the sends are
the server's: two of one person's turns whose answers come back together (a worker restarted with both
in hand, or threads finishing out of order) would otherwise race to the Bot Connector, and the answer
to the second question could arrive first. Each turn waits, before sending, until the one before it
from the same person has sent (or failed), so the waiting is per person and nobody else's replies
wait."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable


class InOrder:
    def __init__(self) -> None:
        self._last: dict[str, asyncio.Future[None]] = {}  # per person: the latest turn's "sent"

    @contextlib.asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        """A turn of `key`'s, from its arrival; await what it yields before sending its replies."""
        previous = self._last.get(key)
        sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[key] = sent

        async def my_turn() -> None:
            if previous is not None:
                await asyncio.shield(previous)  # shielded: this turn's cancellation is not the earlier one's

        try:
            yield my_turn
        finally:
            sent.set_result(None)
            if self._last.get(key) is sent:
                del self._last[key]
