"""Idle dispatchers are woken when a message is queued, and every dispatcher hears of a 429's pause at
once (in this process, and from another process on PostgreSQL); a send that failed once is retried at
once while a repeated failure backs off."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot import dispatch
from bot.dispatch import Dispatcher
from storage import db, directory, outbox, paces
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import OutboxMessage
from storage.wakeups import Wakeups
from tests.broadcast.slack_edge import slack_sender
from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]
ENQUEUE = """
import sys
from storage import db, directory, outbox
from storage.db import transaction
with transaction(db.session_factory(db.make_engine(sys.argv[1]))) as session:
    outbox.enqueue(session, org_id="medway", channel="slack", address={"channel": "DFROMAFAR"}, kind="message",
                   payload={"text": "queued by another process"}, idempotency_key="from-afar")
"""


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi()
    await api.start()
    yield api
    await api.close()


def queue(sessions: sessionmaker[Session], key: str, channel: str = "DWORKER") -> None:
    with transaction(sessions) as session:
        outbox.enqueue(session, org_id="medway", channel="slack", address={"channel": channel}, kind="message",
                       payload={"text": key}, idempotency_key=key)  # fmt: skip


async def arrived(fake: FakeSlackApi, text: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if any(params.get("text") == text for params in fake.messages.values()):
            return True
        await asyncio.sleep(0.02)
    return False


async def test_an_idle_dispatcher_sends_a_new_message_without_waiting_to_poll(
    sessions: sessionmaker[Session], fake: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatch, "IDLE_POLL_SECONDS", 120.0)  # a poll would come far too late
    stop = asyncio.Event()
    running = asyncio.create_task(Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}).run(stop))
    try:
        queue(sessions, "first")
        assert await arrived(fake, "first", within=10)  # the dispatcher is running, and now idle
        await asyncio.to_thread(queue, sessions, "second")
        assert await arrived(fake, "second", within=10)
    finally:
        stop.set()
        await running


async def test_a_message_queued_by_another_process_wakes_the_dispatcher(
    postgres_engine: Engine, fake: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatch, "IDLE_POLL_SECONDS", 120.0)
    sessions = db.session_factory(postgres_engine)
    with transaction(sessions) as session:
        directory.ensure_organisation(session, "medway")
    stop = asyncio.Event()
    running = asyncio.create_task(Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}).run(stop))
    try:
        queue(sessions, "first")
        assert await arrived(fake, "first", within=10)
        url = postgres_engine.url.render_as_string(hide_password=False)
        await asyncio.to_thread(subprocess.run, [sys.executable, "-c", ENQUEUE, url], cwd=ROOT, check=True)
        assert await arrived(fake, "queued by another process", within=10)
    finally:
        stop.set()
        await running


async def test_a_send_that_failed_once_is_due_again_at_once_and_a_repeated_failure_backs_off(
    sessions: sessionmaker[Session], fake: FakeSlackApi
) -> None:
    queue(sessions, "flaky")
    now = utc_now()  # the dispatcher's clock stands still: only what is due at once goes
    dispatcher = Dispatcher(sessions, {"slack": slack_sender(fake, sessions)}, clock=lambda: now)
    fake.fail_next("chat.postMessage", 503)
    fake.fail_next("chat.postMessage", 503)

    def row() -> OutboxMessage:
        with transaction(sessions) as session:
            return session.scalars(select(OutboxMessage)).one()

    assert await dispatcher.run_once() == 1
    first = row()
    assert (first.status, first.failures) == ("pending", 1) and first.due_at <= now
    assert await dispatcher.run_once() == 1  # claimed again straight away
    second = row()
    assert (second.status, second.failures) == ("pending", 2)
    assert second.due_at >= now + timedelta(seconds=dispatch.BACKOFF_BASE_SECONDS / 2)
    assert await dispatcher.run_once() == 0  # not due yet: it waits out the backoff
    assert not fake.messages


PAUSE = """
import sys
from datetime import timedelta
from storage import db, paces
from storage.columns import utc_now
from storage.db import transaction
with transaction(db.session_factory(db.make_engine(sys.argv[1]))) as session:
    paces.limited(session, "slack", "elsewhere", utc_now(), 1.0, lambda start, end: (0, None))
"""


async def test_a_429_pauses_the_dispatchers_of_every_process_at_once(postgres_engine: Engine) -> None:
    sessions = db.session_factory(postgres_engine)
    heard: list[tuple[str, datetime]] = []
    async with Wakeups(postgres_engine, lambda channel, until: heard.append((channel, until))):
        with transaction(sessions) as session:  # a dispatcher of this process is refused
            until = paces.limited(session, "slack", "here", utc_now(), 1.0, lambda start, end: (0, None))
        await asyncio.sleep(0.2)
        assert ("slack", until) in heard
        heard.clear()
        await asyncio.sleep(1.1)  # that pause is over; now one in another process is refused
        url = postgres_engine.url.render_as_string(hide_password=False)
        await asyncio.to_thread(subprocess.run, [sys.executable, "-c", PAUSE, url], cwd=ROOT, check=True)
        for _ in range(100):
            if heard:
                break
            await asyncio.sleep(0.05)
        assert [channel for channel, _until in heard] == ["slack"]
        assert heard[0][1] > until + timedelta(seconds=1)
