"""Exactly once across processes and crashes, on PostgreSQL: real `pathway dispatch` processes share a
broadcast through SKIP LOCKED; the fake Slack API answers 429s (rate limit) and random 503s; one
dispatcher is SIGKILLed mid-broadcast and another started. Every copy is posted exactly once."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.library import Library
from storage import db
from storage.db import transaction
from storage.tables import OutboxMessage
from tests.broadcast.fleet import Fleet, outbox_counts, seed, worker_of
from tests.broadcast.slack_edge import slack_user
from tests.conftest import POSTGRES_URL, postgres_schema

WORKERS = 300
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="set PATHWAY_TEST_DATABASE_URL to run on PostgreSQL")


@pytest.fixture
def database() -> Iterator[str]:
    yield from postgres_schema()


@pytest.fixture
def fleet(database: str, tmp_path: Path) -> Iterator[Fleet]:
    # A slow Slack (100 ms a call) keeps sends in flight, so the kill always lands between a post and
    # its outcome being recorded: the window in which a naive dispatcher would post again.
    fleet = Fleet(database, tmp_path, rate_limit=150, error_rate=0.02, lease=3, concurrency=16, batch=40,
                  latency=0.1)  # fmt: skip
    fleet.start_fake()
    yield fleet
    fleet.stop()


def test_sigkill_mid_broadcast_then_restart_delivers_every_copy_exactly_once(
    database: str, fleet: Fleet, library: Library
) -> None:
    queued = seed(database, library, WORKERS)
    assert queued == WORKERS + 1  # the workers and their manager
    engine = db.make_engine(database)
    sessions: sessionmaker[Session] = db.session_factory(engine)
    try:
        doomed = fleet.start_dispatcher()
        fleet.start_dispatcher()
        fleet.wait_until(sessions, lambda counts: counts["delivered"] >= queued // 3, timeout=30)
        # Once it is sending too: then it holds claimed rows, some already posted, none settled.
        fleet.wait_until(sessions, lambda _: outbox_counts(sessions, worker_of(doomed))["delivered"] > 0, 30)
        fleet.kill(doomed)
        assert doomed.returncode == -signal.SIGKILL
        fleet.start_dispatcher()
        fleet.wait_until(sessions, lambda counts: counts["delivered"] == queued, timeout=45)
        with transaction(sessions) as session:
            rows = list(session.scalars(select(OutboxMessage)))
    finally:
        engine.dispose()
    delivered = fleet.delivered()
    expected = {"D" + slack_user(row.recipient_person_id)[1:] for row in rows if row.recipient_person_id}
    assert set(delivered) == expected  # nothing lost
    assert {channel: n for channel, n in delivered.items() if n != 1} == {}  # nothing twice
    assert len({row.claimed_by for row in rows}) >= 2  # the work was shared
    retaken = [row for row in rows if row.attempts > 1]
    assert retaken, "the killed dispatcher's claims were taken over"
    calls = fleet.calls()
    assert calls["conversations.history"] >= 1  # uncertain copies were looked for before re-posting
