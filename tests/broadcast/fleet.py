"""Several real `pathway dispatch` processes sharing one PostgreSQL database, sending through the real
Slack sender to a fake Slack Web API in its own process (rate limit with 429 + Retry-After, random 5xx).
Used by tests/broadcast/test_scale_out.py and benchmarks/broadcast_bench.py.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.broadcast import fan_out_rest, release
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import broadcasts, db, migrate
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import OutboxMessage
from tests.broadcast.slack_edge import link_everyone_to_slack

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on"
)


def roster(workers: int) -> str:
    """An organisation of `workers` social workers, their manager and HR."""
    lines = [HEADER, "medway,tm@medway.example,Tara Manager,manager,,Assessment,children,,,,,",
             "medway,hr@medway.example,Harriet HR,hr,,HR,,,,,,"]  # fmt: skip
    lines += [
        f"medway,w{n}@medway.example,Worker {n},worker,tm@medway.example,Team {n % 20},children,level-2,,37,"
        "2019-07-01,2019-09-01"
        for n in range(workers)
    ]
    return "\n".join(lines) + "\n"


def seed(url: str, library: Library, workers: int) -> int:
    """Migrate, load the roster with everyone on Slack, and queue one broadcast to all workers.
    Returns how many copies were queued."""
    seed_roster(url, library, workers)
    reached = release_broadcast(url, library)
    queue_the_rest(url, library)
    return reached


def seed_roster(url: str, library: Library, workers: int) -> None:
    migrate.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    with transaction(sessions) as session:
        import_staff(session, library, roster(workers))
    link_everyone_to_slack(sessions, "medway")
    engine.dispose()


def release_broadcast(
    url: str, library: Library, text: str = "Panel 14 June 2027, portfolios by 24 May"
) -> int:
    """HR's "Send now" to the children's framework: the first copies are queued in HR's turn. Returns how
    many people it reaches."""
    engine = db.make_engine(url)
    with transaction(db.session_factory(engine)) as session:
        draft = broadcasts.create_broadcast(
            session, "medway", text, {"kind": "framework", "value": "children"}
        )
        reached = release(session, library, draft, draft.scheduled_for)
    engine.dispose()
    return reached


def queue_the_rest(url: str, library: Library) -> None:
    """What `pathway serve` does after HR's turn: queue the rest of the broadcast, a chunk at a time."""
    engine = db.make_engine(url)
    fan_out_rest(db.session_factory(engine), library, utc_now())
    engine.dispose()


def outbox_counts(sessions: sessionmaker[Session], claimed_by: str | None = None) -> Counter[str]:
    """Outbox rows by status (only those last claimed by `claimed_by`, if given)."""
    with transaction(sessions) as session:
        query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        if claimed_by is not None:
            query = query.where(OutboxMessage.claimed_by == claimed_by)
        return Counter({status: count for status, count in session.execute(query)})


def worker_of(process: subprocess.Popen[bytes]) -> str:
    """The dispatcher's worker id, as it records it in claimed_by (bot.dispatch.worker_name)."""
    return f"{socket.gethostname()}:{process.pid}"


class Fleet:
    """The fake Slack API process and any number of dispatcher processes; stop() ends them all."""

    def __init__(self, database_url: str, log_dir: Path, *, rate_limit: float, error_rate: float = 0.0,
                 lease: float = 60, concurrency: int = 32, batch: int = 100, latency: float = 0.0) -> None:  # fmt: skip
        self.database_url = database_url
        self.log_dir = log_dir
        self.rate_limit, self.error_rate, self.latency = rate_limit, error_rate, latency
        self.options = ["--lease", str(lease), "--concurrency", str(concurrency), "--batch", str(batch)]
        self.fake: subprocess.Popen[str] | None = None
        self.api_url = ""
        self.dispatchers: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []

    def start_fake(self) -> str:
        command = [sys.executable, "-m", "tests.fakes.slack_api", "--port", "0", "--auto-users",
                   "--rate-limit", str(self.rate_limit), "--error-rate", str(self.error_rate), "--latency", str(self.latency), "--seed", "7"]  # fmt: skip
        self.fake = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.fake.stdout is not None
        self.api_url = self.fake.stdout.readline().strip()
        assert self.api_url.startswith("http://127.0.0.1:"), self.api_url
        return self.api_url

    def wait_ready(self, timeout: float = 30) -> None:
        """Until every dispatcher has started (loaded the packs, connected) and said so."""
        started = time.monotonic()
        while not all(b"dispatching for" in log.read_bytes() for log in self.log_paths):
            if time.monotonic() - started > timeout:
                tails = [log.read_text(errors="replace")[-2000:] for log in self.log_paths]
                raise AssertionError("a dispatcher did not start:\n" + "\n---\n".join(tails))
            time.sleep(0.05)

    @property
    def log_paths(self) -> list[Path]:
        return [Path(log.name) for log in self.logs]

    def start_dispatcher(self) -> subprocess.Popen[bytes]:
        env = {
            key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "MICROSOFT_"))
        }
        env |= {"PATHWAY_DATABASE_URL": self.database_url, "SLACK_BOT_TOKEN": "xoxb-fleet",
                "SLACK_API_URL": self.api_url, "PYTHONPATH": str(ROOT)}  # fmt: skip
        log = (self.log_dir / f"dispatcher-{len(self.dispatchers)}.log").open("wb")
        self.logs.append(log)
        command = [sys.executable, "-m", "bot.cli", "dispatch", *self.options]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.dispatchers.append(process)
        return process

    def fake_json(self, path: str) -> Any:
        base = self.api_url.removesuffix("/api/")
        with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
            return json.loads(response.read())

    def delivered(self) -> Counter[str]:
        """Messages the fake Slack accepted, per DM channel."""
        return Counter(self.fake_json("/_fake/delivered"))

    def calls(self) -> Counter[str]:
        return Counter(self.fake_json("/_fake/stats")["calls"])

    def timeline(self) -> list[tuple[float, str, int]]:
        """Every call the fake saw: (time.monotonic() on arrival, method, HTTP status answered)."""
        return [(at, method, status) for at, method, status, _channel in self.fake_json("/_fake/timeline")]

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.dispatchers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.dispatchers:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.fake is not None and self.fake.poll() is None:
            self.fake.terminate()
            self.fake.wait(10)
        for log in self.logs:
            log.close()

    def wait_until(self, sessions: sessionmaker[Session], done: Any, timeout: float) -> float:
        """Poll the outbox until `done(counts)`; returns the seconds waited."""
        started = time.monotonic()
        while not done(outbox_counts(sessions)):
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"outbox still {dict(outbox_counts(sessions))} after {timeout}s")
            for process in self.dispatchers:
                code = process.poll()
                assert code in (None, -signal.SIGKILL), f"a dispatcher exited with {code}"
            time.sleep(0.05)
        return time.monotonic() - started
