"""The inbox (bot/slack/inbox.py, storage/inbox.py): a Slack message is kept in the database before it is
acknowledged, so the serving process may die after the 200 and every message is still answered, once and
in order, when it starts again; a message the database cannot keep is answered 503 (Slack sends it again);
a burst is kept in a few group commits. The real `pathway serve`, the real stack, over loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.retention import retain
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack.inbox import ABANDONED_AFTER
from bot.slack.turns import MAY_BE_UNANSWERED
from storage import inbox
from storage.columns import utc_now
from storage.db import transaction
from storage.inbox import Arrival
from storage.slack_tables import InboxEvent
from tests.cli.test_faults import free_port
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import SECRET, TEAM, SlackWorkspace, sign

REPO = Path(__file__).resolve().parents[2]
PAY = "£32,800"  # the answer to "how much is SCP 39?"


def dm_in_thread(user: str, thread: str) -> dict[str, Any]:
    """A DM in its own thread, so its answer (posted in that thread) says which message it answers."""
    return {"type": "message", "channel_type": "im", "channel": "D" + user[1:], "user": user,
            "text": "how much is SCP 39?", "ts": f"{time.time():.6f}", "thread_ts": thread}  # fmt: skip


def envelope(event_body: dict[str, Any], event_id: str) -> str:
    return json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A0PATHWAY",
                       "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
                       "event": {"team": TEAM, "event_ts": f"{time.time():.6f}", **event_body}})  # fmt: skip


async def deliver(http: aiohttp.ClientSession, url: str, event_body: dict[str, Any], event_id: str) -> int:
    body = envelope(event_body, event_id)
    headers = {"Content-Type": "application/json", **sign(body)}
    async with http.post(url, data=body.encode(), headers=headers) as response:
        return response.status


def threads_answered(fake: FakeSlackApi, channel: str) -> list[str]:
    """The threads of `channel` answered with the pay figure, in the order the answers were posted."""
    return [
        str(p.get("thread_ts"))
        for p in fake.of("chat.postMessage")
        if p.get("channel") == channel and PAY in str(p.get("text"))
    ]


async def until(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


AFTER = "1700000000.999900"  # the thread of a message sent after the restart


async def answered_after_the_replay(
    http: aiohttp.ClientSession, url: str, fake: FakeSlackApi, user: str, mentioning: str | None = None
) -> None:
    """Send one more message (and mention) once the server is back, and wait for its answer: each person's
    turns are answered in order and the replayed ones were queued first, so theirs are all done by then
    (an answer given twice would have been posted already)."""
    assert await deliver(http, url, dm_in_thread(user, AFTER), "Ev0AFTER") == 200
    if mentioning is not None:
        mention = {"type": "app_mention", "channel": "C0GENERAL", "user": mentioning, "thread_ts": AFTER,
                   "text": "<@UPATHWAYBOT> how much is SCP 39?", "ts": f"{time.time():.6f}"}  # fmt: skip
        assert await deliver(http, url, mention, "Ev0AFTERM") == 200
    channel = "D" + user[1:]
    await until(lambda: AFTER in threads_answered(fake, channel), "not answered after the restart")
    if mentioning is not None:
        await until(
            lambda: AFTER in threads_answered(fake, "C0GENERAL"), "mention not answered after the restart"
        )


class Served:
    """`pathway serve` in a process of its own, on one port, started again on the same port after a kill
    (a restart, as systemd does it)."""

    def __init__(self, runtime: Runtime, fake: FakeSlackApi, folder: Path) -> None:
        url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
        self.port = free_port()
        self.env = {**os.environ, "PATHWAY_DATABASE_URL": url, "PATHWAY_PORT": str(self.port),
                    "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_ANSWER_PROCESSES": "1",
                    "SLACK_API_URL": fake.base_url, "PYTHONPATH": str(REPO)}  # fmt: skip
        for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "MICROSOFT_APP_ID"):
            self.env.pop(name, None)
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}/slack/events"

    async def start(self, http: aiohttp.ClientSession) -> None:
        log = self.folder / "serve.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=self.env,
                                            cwd=self.folder, stdout=out, stderr=out)  # fmt: skip
        deadline = time.monotonic() + 120
        while True:  # up, with its answering process ready
            assert self.process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            try:
                async with http.get(f"http://127.0.0.1:{self.port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self) -> None:
        assert self.process is not None
        self.process.terminate()

    async def exited(self) -> None:
        """Until it has exited, cleanly (waiting in a thread: the fake Slack answers on this loop)."""
        assert self.process is not None
        assert await asyncio.to_thread(self.process.wait, 60) == 0

    async def closed(self, http: aiohttp.ClientSession) -> None:
        """Until the server no longer takes requests (it is stopping)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    await response.read()
            except aiohttp.ClientError:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the server still takes requests")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
async def served(runtime: Runtime, fake_slack: FakeSlackApi, tmp_path: Path) -> AsyncIterator[Served]:
    server = Served(runtime, fake_slack, tmp_path)
    try:
        yield server
    finally:
        fake_slack.release()
        server.stop()


async def test_messages_acknowledged_before_a_crash_are_answered_once_in_order_after_the_restart(
    served: Served, fake_slack: FakeSlackApi, runtime: Runtime
) -> None:
    """SIGKILL after the 200s and before any answer: the worker is held at its first Web API call (who is
    this person?) and everything else waits behind it, in memory and in the pipe, when the server dies."""
    threads = [f"1700000000.00010{n}" for n in range(4)]
    async with aiohttp.ClientSession() as http:
        await served.start(http)
        fake_slack.hold("users.info")
        for n, thread in enumerate(threads):
            assert await deliver(http, served.url, dm_in_thread("UWORKER", thread), f"Ev0CRASH{n}") == 200
        mention = {"type": "app_mention", "channel": "C0GENERAL", "user": "UMANAGER",
                   "text": "<@UPATHWAYBOT> how much is SCP 39?", "ts": "1700000000.000200"}  # fmt: skip
        assert await deliver(http, served.url, mention, "Ev0CRASHM") == 200
        await until(lambda: len(fake_slack.of("users.info")) == 2, "the worker never asked who they were")
        served.kill()
        assert fake_slack.of("chat.postMessage") == []  # nothing was answered before the crash
        fake_slack.release()
        await served.start(http)
        await answered_after_the_replay(http, served.url, fake_slack, "UWORKER", "UMANAGER")
    # Each once, in the order they were sent (then the message sent after the restart).
    assert threads_answered(fake_slack, "DWORKER") == [*threads, AFTER]
    assert threads_answered(fake_slack, "C0GENERAL") == ["1700000000.000200", AFTER]
    said = [str(p.get("text")) for p in fake_slack.of("chat.postMessage")]
    assert MAY_BE_UNANSWERED.text not in said and len(said) == len(threads) + 1 + 2
    await until(lambda: pending_rows(runtime.sessions) == 0, "answered events not marked done")


async def test_a_crash_after_the_core_took_the_message_never_answers_it_twice(
    served: Served, fake_slack: FakeSlackApi, runtime: Runtime
) -> None:
    """SIGKILL while the answer is on its way to Slack (the core has committed the turn): the replayed
    message is known to the core by its event id, so the person is told their answer may be missing (as
    when a worker dies there) rather than given it twice, or nothing."""
    async with aiohttp.ClientSession() as http:
        await served.start(http)
        fake_slack.hold("chat.postMessage")
        assert (
            await deliver(http, served.url, dm_in_thread("UWORKER", "1700000000.000300"), "Ev0POSTING") == 200
        )
        await until(lambda: bool(fake_slack.of("chat.postMessage")), "the answer was never sent")
        served.kill()
        fake_slack.release()  # the answer sent before the crash arrives
        await served.start(http)
        await answered_after_the_replay(http, served.url, fake_slack, "UWORKER")
    said = [str(p.get("text")) for p in fake_slack.of("chat.postMessage")]
    assert said[1] == MAY_BE_UNANSWERED.text and len(said) == 3  # the answer, the warning, the one after
    assert threads_answered(fake_slack, "DWORKER") == ["1700000000.000300", AFTER]
    await until(lambda: pending_rows(runtime.sessions) == 0, "the replayed event not marked done")


async def test_a_server_told_to_stop_answers_what_it_acknowledged_before_it_goes(
    served: Served, fake_slack: FakeSlackApi, runtime: Runtime
) -> None:
    """SIGTERM (systemd's stop) with messages acknowledged and unanswered: the server stops taking new ones
    and answers those first, so nothing is left to replay (and no one told their answer may be missing)."""
    async with aiohttp.ClientSession() as http:
        await served.start(http)
        fake_slack.hold("users.info")
        for n, thread in enumerate(["1700000000.000400", "1700000000.000401"]):
            assert await deliver(http, served.url, dm_in_thread("UWORKER", thread), f"Ev0STOP{n}") == 200
        await until(lambda: bool(fake_slack.of("users.info")), "the worker never asked who they were")
        served.terminate()
        await served.closed(http)  # it takes no more
        fake_slack.release()
        await served.exited()
        assert pending_rows(runtime.sessions) == 0
        await served.start(http)
        await answered_after_the_replay(http, served.url, fake_slack, "UWORKER")
    said = [str(p.get("text")) for p in fake_slack.of("chat.postMessage")]
    assert MAY_BE_UNANSWERED.text not in said
    assert threads_answered(fake_slack, "DWORKER") == ["1700000000.000400", "1700000000.000401", AFTER]


def pending_rows(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return int(session.scalar(select(func.count()).where(InboxEvent.done_at.is_(None))) or 0)


def inbox_rows(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)


def refuse_inbox_rows(engine: Engine) -> Callable[[], None]:
    """Make the database refuse every new inbox row, as a full disk or a failing volume would (the rest of
    the database still answers, so only the keeping fails); returns what lifts it."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("CREATE TRIGGER inbox_refuses BEFORE INSERT ON inbox "
                                       "BEGIN SELECT RAISE(ABORT, 'disk full'); END")  # fmt: skip
        else:
            connection.exec_driver_sql("CREATE FUNCTION inbox_refuses() RETURNS trigger LANGUAGE plpgsql "
                                       "AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$")  # fmt: skip
            connection.exec_driver_sql("CREATE TRIGGER inbox_refuses BEFORE INSERT ON inbox "
                                       "FOR EACH ROW EXECUTE FUNCTION inbox_refuses()")  # fmt: skip

    def lift() -> None:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("DROP TRIGGER inbox_refuses")
            else:
                connection.exec_driver_sql("DROP TRIGGER inbox_refuses ON inbox")
                connection.exec_driver_sql("DROP FUNCTION inbox_refuses()")

    return lift


async def test_a_message_the_database_cannot_keep_is_refused_with_503_and_its_retry_answered_once(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    engine = runtime.sessions.kw["bind"]
    lift = refuse_inbox_rows(engine)
    try:
        assert (await workspace.dm("UWORKER", "how much is SCP 39?", event_id="Ev0REFUSED")).status == 503
        await workspace.settle()
        assert workspace.posts("DWORKER") == []  # not acknowledged, so not answered either
    finally:
        lift()
    assert inbox_rows(runtime.sessions) == 0
    for retry in (1, 2):  # Slack's retry, then one more (say the 200 came too late for Slack)
        response = await workspace.dm("UWORKER", "how much is SCP 39?", event_id="Ev0REFUSED", retry=retry)
        assert response.status == 200
        await workspace.settle()
    assert [PAY in p["text"] for p in workspace.posts("DWORKER")] == [True]
    assert inbox_rows(runtime.sessions) == 1 and pending_rows(runtime.sessions) == 0


async def test_fifty_messages_at_once_are_kept_in_three_commits_at_most(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    engine: Engine = runtime.sessions.kw["bind"]
    keeps: list[str] = []

    def noted(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INBOX"):
            keeps.append(statement)

    event.listen(engine, "before_cursor_execute", noted)
    try:
        statuses = await asyncio.gather(
            *(workspace.dm("UWORKER", "how much is SCP 39?", event_id=f"Ev0BURST{n:02d}") for n in range(50))
        )
        assert statuses and all(s.status == 200 for s in statuses)
        kept = len(keeps)
        await workspace.settle(timeout=120)
    finally:
        event.remove(engine, "before_cursor_execute", noted)
    assert 1 <= kept <= 3, kept
    assert inbox_rows(runtime.sessions) == 50
    assert sum(PAY in p["text"] for p in workspace.posts("DWORKER")) == 50


async def test_an_event_the_database_cannot_store_is_refused_alone(
    workspace: SlackWorkspace, runtime: Runtime
) -> None:
    """Kept in one commit with others, an event the database refuses (here a workspace id longer than the
    column: PostgreSQL refuses it, SQLite stores anything) is answered 503, and the others still 200."""
    if runtime.sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite does not refuse a value longer than its column")
    odd = {"type": "message", "channel_type": "im", "channel": "DWORKER", "user": "UWORKER",
           "text": "how much is SCP 39?", "ts": f"{time.time():.6f}", "team": "T" * 40}  # fmt: skip
    statuses = await asyncio.gather(
        workspace.event(odd, event_id="Ev0ODD"),
        *(workspace.dm("UWORKER", "how much is SCP 39?", event_id=f"Ev0EVEN{n}") for n in range(9)),
    )
    assert [s.status for s in statuses] == [503] + [200] * 9
    await workspace.settle()
    assert sum(PAY in p["text"] for p in workspace.posts("DWORKER")) == 9
    assert inbox_rows(runtime.sessions) == 9


def test_the_inbox_keeps_each_event_once_in_arrival_order_and_retention_prunes_the_answered(
    session_factory: sessionmaker[Session],
) -> None:
    now = utc_now()
    arrivals = [Arrival(f"Ev{n}", TEAM, json.dumps({"event_id": f"Ev{n}", "n": n}), now) for n in (3, 1, 2)]
    with transaction(session_factory) as session:
        assert inbox.keep(session, arrivals, "here:1") == {"Ev3", "Ev1", "Ev2"}
        assert inbox.keep(session, arrivals[:1], "here:1") == set()  # a retry: no second row
        inbox.keep(session, [Arrival("Ev9", TEAM, "{}", now)], "elsewhere:1")
    with transaction(session_factory) as session:
        assert [a.event_id for a in inbox.pending(session, "here:1")] == ["Ev3", "Ev1", "Ev2"]
        inbox.mark_done(session, ["Ev1"], now - timedelta(days=8))
        inbox.mark_done(session, ["Ev2"], now)
    with transaction(session_factory) as session:
        assert [a.event_id for a in inbox.pending(session, "here:1")] == ["Ev3"]
        done = session.scalars(select(InboxEvent).where(InboxEvent.done_at.is_not(None))).all()
        assert [row.payload for row in done] == ["", ""]  # the person's words go once answered
    assert retain(session_factory, Settings(), now)["answered inbox events deleted"] == 1
    with transaction(session_factory) as session:
        assert sorted(session.scalars(select(InboxEvent.event_id))) == ["Ev2", "Ev3", "Ev9"]


def test_what_a_server_gone_for_good_kept_is_taken_over_once(session_factory: sessionmaker[Session]) -> None:
    """A container recreated under another host name never replays what its old self kept: the first server
    to start after ABANDONED_AFTER takes it over; a second one later finds it taken (fresh again)."""
    now = utc_now()
    hour_ago = now - timedelta(hours=1)
    with transaction(session_factory) as session:
        inbox.keep(session, [Arrival("EvOLD", TEAM, "{}", hour_ago)], "gone:3978")
        inbox.keep(session, [Arrival("EvBUSY", TEAM, "{}", now)], "alive:3978")  # being answered right now
    before = now - ABANDONED_AFTER
    with transaction(session_factory) as session:
        assert inbox.take_over(session, "new:3978", before, now) == 1
        assert [a.event_id for a in inbox.pending(session, "new:3978")] == ["EvOLD"]
    with transaction(session_factory) as session:
        assert inbox.take_over(session, "other:3979", before, now) == 0  # new:3978 has it now
        assert inbox.pending(session, "other:3979") == []
