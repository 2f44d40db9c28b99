"""The shared send pace: what each dispatcher saw getting through (bot.pacing), summed per pause into
the pace every dispatcher's claims reserve slots from (storage.paces)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.pacing import Throughput
from storage import paces
from storage.db import transaction

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_seen_since_the_last_pause() -> None:
    clock = Clock()
    seen = Throughput(clock)
    for _ in range(200):  # a burst: 200 in 0.4 s, then a 429
        seen.succeeded()
        clock.now += 0.002
    assert seen.seen_rate(retry_after=1) == pytest.approx(200)  # over one Retry-After, not 0.4 s
    clock.now += 1
    for _ in range(300):  # paced: 100 a second for 3 s
        seen.succeeded()
        clock.now += 0.01
    assert seen.seen_rate(retry_after=1) == pytest.approx(100, rel=0.01)
    clock.now += 1
    seen.succeeded()
    assert seen.seen_rate(retry_after=1) is None  # crowded out: too little to tell


def test_dispatchers_share_one_pace_learnt_from_their_reports(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        assert paces.reserve(session, "slack", 10, NOW) == (NOW, 0.0)  # never limited: unpaced
        paces.limited(session, "slack", NOW, 1, 120.0)  # three dispatchers hit the same 429 window
        paces.limited(session, "slack", NOW + timedelta(milliseconds=5), 1, 60.0)
        paces.limited(session, "slack", NOW + timedelta(milliseconds=9), 1, None)  # crowded out
    resume = NOW + timedelta(seconds=1, milliseconds=9)
    with transaction(session_factory) as session:
        start, spacing = paces.reserve(session, "slack", 97, NOW + timedelta(milliseconds=500))
        assert start == resume and spacing == pytest.approx(1 / (0.98 * 180))  # paused, then paced
        after, _ = paces.reserve(session, "slack", 10, NOW + timedelta(milliseconds=600))
        assert after == start + timedelta(seconds=97 * spacing)  # the next claim's slots follow on
        # Paced and refused again: the pace is cut, not re-learnt from the few dispatchers refused.
        paces.limited(session, "slack", NOW + timedelta(seconds=5), 1, 30.0)
        paces.limited(session, "slack", NOW + timedelta(seconds=5, milliseconds=5), 1, 40.0)
        assert paces.reserve(session, "slack", 1, NOW + timedelta(seconds=7))[1] == pytest.approx(
            1 / (0.98 * 0.98 * 180)
        )
        assert paces.reserve(session, "slack", 1, NOW + timedelta(seconds=70))[1] == 0.0  # forgotten
        paces.limited(session, "slack", NOW + timedelta(seconds=71), 1, 150.0)  # then learnt afresh
        assert paces.reserve(session, "slack", 1, NOW + timedelta(seconds=73))[1] == pytest.approx(
            1 / (0.98 * 150)
        )
        assert paces.reserve(session, "teams", 1, NOW) == (NOW, 0.0)
