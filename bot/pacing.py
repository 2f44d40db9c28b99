"""When this dispatcher's sends on one channel that got through were sent, for its reports to the shared
pace (storage.paces): after a 429, every dispatcher says how many of its sends got through in the stretch
before it and when the first of them went, which tells how long the burst took."""

from __future__ import annotations

from collections import deque
from datetime import datetime

KEEP_SECONDS = 900.0  # the longest stretch a report covers (a Retry-After is taken as at most this)


class SuccessLog:
    def __init__(self) -> None:
        self.times: deque[float] = deque()  # POSIX seconds, oldest first

    def record(self, at: datetime) -> None:
        now = at.timestamp()
        self.times.append(now)
        while self.times[0] < now - KEEP_SECONDS:
            self.times.popleft()

    def between(self, start: datetime, end: datetime) -> tuple[int, float | None]:
        """How many were sent in [start, end), and when the first of them was (POSIX seconds)."""
        first, last = start.timestamp(), end.timestamp()
        count, earliest = 0, None
        for at in reversed(self.times):
            if at < first:
                break
            if at < last:
                count, earliest = count + 1, at
        return count, earliest
