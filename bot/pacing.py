"""What got through on one channel in this dispatcher, reported on a 429 to set the shared pace.

Honouring Retry-After alone makes sending bursty: a burst fills the platform's window, every send then
waits out the pause, and the time spent bursting is lost each round. So on a 429 each dispatcher
reports the rate that was getting through to it (since the last pause, over at least one Retry-After:
a sliding window of one Retry-After would count a platform's two fixed windows at once), and all of
them space their sends to the sum, just under the limit (storage.paces).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MIN_EVIDENCE = 5  # successes needed to report a rate (a dispatcher crowded out by others saw too few)
MAX_HORIZON_SECONDS = 60.0


class Throughput:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.successes: deque[float] = deque()
        self.since: float | None = None  # when the current stretch of sending began

    def succeeded(self) -> None:
        now = self.clock()
        if self.since is None:
            self.since = now
        self.successes.append(now)
        while self.successes and self.successes[0] < now - MAX_HORIZON_SECONDS:
            self.successes.popleft()

    def seen_rate(self, retry_after: float) -> float | None:
        """On a 429: sends a second that got through since the last pause (None if too few to tell);
        the next stretch starts when this pause ends."""
        now = self.clock()
        began = self.since if self.since is not None else now
        horizon = min(MAX_HORIZON_SECONDS, max(1.0, retry_after, now - began))
        recent = sum(1 for at in self.successes if at >= now - horizon)
        self.since = now + retry_after
        return recent / horizon if recent >= MIN_EVIDENCE else None
