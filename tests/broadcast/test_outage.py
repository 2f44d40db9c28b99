"""While the database is away the dispatcher (and the outbox listener beside it) back off and say so
once, not with a traceback every second; when it is back, they say that once too."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.dispatch import Dispatcher
from storage.availability import OutageLog
from tests.outage import unreachable_sessions


async def test_an_outage_is_one_line_not_a_traceback_a_second(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    dispatcher = Dispatcher(unreachable_sessions(), {})
    stop = asyncio.Event()
    running = asyncio.create_task(dispatcher.run(stop))
    await asyncio.sleep(3.5)  # several passes' worth at the old one-second poll
    stop.set()
    await asyncio.wait_for(running, 15)
    mine = [r for r in caplog.records if r.name in ("bot.dispatch", "storage.wakeups")]
    assert [r.exc_info for r in mine if r.exc_info] == []
    by_source = [r.name for r in mine if r.levelno >= logging.WARNING]
    assert by_source.count("bot.dispatch") == 1, [r.getMessage() for r in mine]
    assert by_source.count("storage.wakeups") <= 1
    assert "database unavailable" in next(r.getMessage() for r in mine if r.name == "bot.dispatch")
    assert dispatcher.alive()  # waiting out an outage is not a stuck loop (/readyz reports the database)


def test_the_outage_log_says_when_it_starts_and_when_it_ends(caplog: pytest.LogCaptureFixture) -> None:
    outage = OutageLog(logging.getLogger("test.outage"), "job")
    outage.recovered()  # no outage: nothing to say
    for _ in range(50):
        outage.failed(ConnectionRefusedError("refused"))
    outage.recovered()
    outage.recovered()
    lines = [r.getMessage() for r in caplog.records if r.name == "test.outage"]
    assert len(lines) == 2
    assert lines[0].startswith("job: database unavailable (refused)")
    assert lines[1].startswith("job: database back after") and "(50 failed passes)" in lines[1]
