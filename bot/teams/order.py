"""One person's turns reach the core, and their replies go out, in the order their activities came.

The order is taken as an activity arrives (`InOrder.arrived`, before anything is awaited), not when
its turn is ready for the core: working out who sent it (an account read in a thread, the Bot
Connector's member lookup) and fetching its files take as long as they take, and a second message
whose look-up finished first would otherwise reach the core first, and be answered first. So each
turn hands itself to the core only once the person's earlier turn has been handed over (`Place.ask`;
the worker then runs them one after another in that order), and sends only once the earlier turn has
sent (`Place.my_turn_to_send`): answers coming back together (a worker restarted with both in hand)
would otherwise race to the Bot Connector. Only the same person's turns wait for one another, and a
turn waits for the one before it only at those two points, so its own look-ups overlap the earlier
turn's."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Place:
    """One turn's place in its person's line."""

    def __init__(self, before: Place | None) -> None:
        self.before = before
        self.asked = asyncio.Event()  # handed to the core (or it never will be)
        self.sent = asyncio.Event()  # its replies sent (or it will send none)

    async def ask(self, hand_over: Callable[[], Awaitable[T]]) -> T:
        """`hand_over()` once the person's earlier turn has been handed over, and what it answers.
        `hand_over` must hand the turn to the core before it returns (the core keeps the order it is
        given), so the next turn may follow at once."""
        if self.before is not None:
            await self.before.asked.wait()
        try:
            answering = hand_over()
        finally:
            self.asked.set()
        return await answering

    async def my_turn_to_send(self) -> None:
        if self.before is not None:
            await self.before.sent.wait()

    def finished(self) -> None:
        self.asked.set()
        self.sent.set()
        self.before = None  # a long line is not kept alive through its links


class InOrder:
    def __init__(self) -> None:
        self._lines: dict[str, list[Place]] = {}  # per person: their turns in progress, in arrival order

    @contextlib.contextmanager
    def arrived(self, key: str | None) -> Iterator[Place]:
        """A turn of `key`'s (None: someone unknown, in no line), from its arrival to its end."""
        line = [] if key is None else self._lines.setdefault(key, [])
        place = Place(line[-1] if line else None)
        line.append(place)
        try:
            yield place
        finally:
            place.finished()
            line.remove(place)
            if key is not None and not line:
                del self._lines[key]

    def in_line(self, key: str) -> int:
        """How many of `key`'s turns are in progress."""
        return len(self._lines.get(key, ()))
