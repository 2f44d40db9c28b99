"""The shared send pace: every dispatcher's report of what got through in a burst before a 429
(bot.pacing), summed per pause, the smaller of two short bursts' estimates setting the pace all of them
keep (storage.paces)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.pacing import SuccessLog
from storage import paces
from storage.db import transaction

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


class Dispatcher:
    """What one dispatcher got through in a burst that took `took` seconds, and the stretches it was
    asked about."""

    def __init__(self, name: str, got_through: int, took: float = 0.3) -> None:
        self.name, self.got_through, self.took = name, got_through, took
        self.asked: list[tuple[datetime, datetime]] = []

    def successes(self, start: datetime, end: datetime) -> tuple[int, float]:
        self.asked.append((start, end))
        return self.got_through, max(start, end - timedelta(seconds=self.took)).timestamp()


def test_a_dispatcher_counts_what_got_through_in_a_stretch() -> None:
    log = SuccessLog()
    for n in range(300):  # 100 a second for 3 s
        log.record(at(n / 100))
    assert log.between(at(1), at(2)) == (100, at(1).timestamp())
    assert log.between(at(2.5), at(10)) == (50, at(2.5).timestamp())
    assert log.between(at(-5), at(0)) == (0, None)


def test_the_pace_is_the_smaller_of_two_bursts_counted_over_every_dispatcher(
    session_factory: sessionmaker[Session],
) -> None:
    a, b, c = Dispatcher("a", 120), Dispatcher("b", 100), Dispatcher("c", 80)
    with transaction(session_factory) as session:
        assert paces.look(session, "slack", "a", NOW, a.successes) is None  # never limited
        assert paces.reserve(session, "slack", 10, NOW) == (NOW, 0.0)  # unpaced
        # First burst: a and b are refused in the same window; c is not, and hears of it at its claim.
        assert paces.limited(session, "slack", "a", at(0.32), 1, a.successes) == at(1.32)
        assert paces.limited(session, "slack", "b", at(0.325), 1, b.successes) == at(1.32)  # in flight
        assert paces.look(session, "slack", "c", at(0.4), c.successes) == at(1.32)  # nobody claims
        assert paces.look(session, "slack", "a", at(0.5), a.successes) == at(1.32)  # reports once
        assert a.asked == b.asked == c.asked == [(at(-1.68), at(0.32))]  # the same stretch for all
        # The pause is over: 300 got through (a straddled window, maybe); a second burst is measured.
        assert paces.look(session, "slack", "b", at(1.33), b.successes) is None
        assert paces.reserve(session, "slack", 100, at(1.33)) == (at(1.33), 0.0)
        a.got_through, b.got_through, c.got_through = 90, 60, 50
        paces.limited(session, "slack", "b", at(1.62), 1, b.successes)
        paces.look(session, "slack", "a", at(1.7), a.successes)
        paces.limited(session, "slack", "c", at(1.8), 1, c.successes)
        assert b.asked[-1] == (at(1.32), at(1.62))  # counted from the end of the last pause
        assert paces.look(session, "slack", "a", at(2.6), a.successes) == at(2.62)
        assert paces.look(session, "slack", "a", at(2.62), a.successes) is None
        start, spacing = paces.reserve(session, "slack", 98, at(2.62))
        assert start == at(2.62) and spacing == pytest.approx(1 / (0.98 * 200))  # min(300, 200)
        after, _ = paces.reserve(session, "slack", 10, at(2.65))
        assert after == at(2.62 + 98 * spacing)  # the next claim's slots follow on


def refused(session: Session, dispatcher: Dispatcher, second: float) -> float:
    """A 429 at `second` and its pause; returns the spacing of a claim made when the pause is over."""
    paces.limited(session, "slack", dispatcher.name, at(second), 1, dispatcher.successes)
    assert paces.look(session, "slack", dispatcher.name, at(second + 1), dispatcher.successes) is None
    return paces.reserve(session, "slack", 1, at(second + 1))[1]


def test_a_burst_as_long_as_a_window_is_not_used(session_factory: sessionmaker[Session]) -> None:
    slow = Dispatcher("a", 300, took=1.0)  # it certainly straddled two of the platform's windows
    with transaction(session_factory) as session:
        assert refused(session, slow, 0.9) == 0.0
        assert refused(session, slow, 2.9) == 0.0
        slow.got_through, slow.took = 200, 0.6
        assert refused(session, slow, 4.5) == 0.0
        assert refused(session, slow, 6.1) == pytest.approx(1 / 196)


def test_a_429_soon_after_pacing_measures_again_and_a_later_one_cuts_the_pace(
    session_factory: sessionmaker[Session],
) -> None:
    fast = Dispatcher("a", 200)
    with transaction(session_factory) as session:
        assert refused(session, fast, 0.2) == 0.0  # one burst measured: not paced yet
        assert refused(session, fast, 1.4) == pytest.approx(1 / 196)
        fast.got_through = 150
        assert refused(session, fast, 4) == 0.0  # 1.6 s after the pace was set: too fast, measure again
        assert refused(session, fast, 5.2) == pytest.approx(1 / (0.98 * 150))  # the smallest of three
        assert refused(session, fast, 20) == pytest.approx(1 / (0.98 * 0.98 * 150))  # after 14 s: bunched
        assert paces.reserve(session, "slack", 1, at(82))[1] == 0.0  # no 429 for a minute: dropped
        assert refused(session, fast, 83) == 0.0  # and learnt afresh, from two bursts
        assert refused(session, fast, 84.2) == pytest.approx(1 / 147)
        assert paces.reserve(session, "teams", 1, NOW) == (NOW, 0.0)


def test_too_little_sending_to_tell_is_no_estimate(session_factory: sessionmaker[Session]) -> None:
    quiet = Dispatcher("a", 2)
    with transaction(session_factory) as session:
        for second in (0.2, 1.4, 2.6):
            assert refused(session, quiet, second) == 0.0
