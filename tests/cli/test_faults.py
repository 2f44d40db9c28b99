"""Faults as an operator meets them: a killed server leaves nothing running, and a database that
cannot be reached or written ends a command with one line naming it and why, not a traceback."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PATHWAY = [sys.executable, "-m", "bot.cli"]
REPO = Path(__file__).resolve().parents[2]
SECRET = "faults-signing-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def closed_port() -> int:
    return free_port()  # nothing listens there once the probe closes


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PATHWAY, *args], env=env, capture_output=True, text=True, timeout=120, cwd=REPO)


def base_env(url: str) -> dict[str, str]:
    env = {**os.environ, "PATHWAY_DATABASE_URL": url}
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID"):
        env.pop(name, None)
    return env


def assert_one_clear_line(result: subprocess.CompletedProcess[str], names: str, why: str) -> None:
    assert result.returncode != 0
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert err[0].startswith("Cannot use the database ") and names in err[0] and why in err[0].lower(), err[0]


@pytest.mark.parametrize(
    "command", [["db", "upgrade"], ["remind"], ["slack", "link", "--org", "medway", "--team", "T0ABC1"]]
)
def test_an_unreachable_postgresql_is_one_line_naming_it(command: list[str]) -> None:
    port = closed_port()
    url = f"postgresql+psycopg://pathway:s3cret-password@127.0.0.1:{port}/pathway"
    result = run(base_env(url), *command)
    assert_one_clear_line(result, f"postgresql+psycopg://pathway:***@127.0.0.1:{port}/pathway", "refused")
    assert "s3cret-password" not in result.stderr + result.stdout


def test_a_read_only_sqlite_directory_is_one_line_naming_it(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only directories")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run(base_env(f"sqlite:///{folder}/pathway.sqlite3"), "db", "upgrade")
    finally:
        folder.chmod(stat.S_IRWXU)
    assert_one_clear_line(result, str(folder), "unable to open")


def test_a_read_only_sqlite_file_is_one_line_naming_it(tmp_path: Path) -> None:
    """As root (which ignores directory permissions) a database on a read-only mount is met as a file
    opened read-only: SQLite's immutable/read-only mode gives the same error writes meet there."""
    path = tmp_path / "pathway.sqlite3"
    assert run(base_env(f"sqlite:///{path}"), "db", "upgrade").returncode == 0
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = run(base_env(url), "slack", "link", "--org", "medway", "--team", "T0ABC1")
    assert_one_clear_line(result, str(path), "readonly")


def test_a_bad_database_url_is_one_line() -> None:
    result = run(base_env("nonsense://whatever"), "db", "upgrade")
    assert_one_clear_line(result, "nonsense", "can't load plugin")


def descendants(pid: int) -> set[int]:
    """Every live process whose parent chain leads to `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def signed_dm(port: int) -> None:
    body = json.dumps({"type": "event_callback", "team_id": "T0FAULT", "event_id": "Ev0FAULT1",
                       "event": {"type": "message", "channel_type": "im", "channel": "D0X", "user": "U0X",
                                 "text": "hello", "ts": "1.0"}})  # fmt: skip
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body.encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
                 "X-Slack-Signature": f"v0={digest}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200


@pytest.fixture
def fake_slack_url() -> Iterator[str]:
    """The fake Slack Web API in a process of its own (the server under test is another process)."""
    command = [
        sys.executable,
        "-m",
        "tests.fakes.slack_api",
        "--port",
        "0",
        "--auto-users",
        "--team",
        "T0FAULT",
    ]
    fake = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert fake.stdout is not None
    try:
        yield fake.stdout.readline().strip()
    finally:
        fake.terminate()
        fake.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path, fake_slack_url: str) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = free_port()
    env = {**base_env(f"sqlite:///{tmp_path}/pathway.sqlite3"), "PATHWAY_PORT": str(port),
           "SLACK_BOT_TOKEN": "xoxb-fault", "SLACK_SIGNING_SECRET": SECRET, "SLACK_ANSWER_PROCESSES": "1",
           "SLACK_API_URL": fake_slack_url, "PYTHONPATH": str(REPO)}  # fmt: skip
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*PATHWAY, "serve"], env=env, cwd=tmp_path, stdout=out, stderr=out)
    try:
        yield process, port, log
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_killing_the_server_leaves_no_process_behind(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, log = server
    deadline = time.monotonic() + 60
    while True:  # up, and its answering process started (by the first event it hands over)
        assert process.poll() is None, log.read_text()
        try:
            signed_dm(port)
            break
        except OSError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    children: set[int] = set()
    while len(children) < 2 and time.monotonic() < deadline:  # the answering process and the tracker
        children = descendants(process.pid)
        time.sleep(0.1)
    assert len(children) >= 2, (children, log.read_text())
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if alive(pid)], "left running after SIGKILL"


def test_serve_against_an_unreachable_postgresql_is_one_line() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test"
    env = {**base_env(url), "PATHWAY_PORT": str(free_port())}
    result = subprocess.run(
        [*PATHWAY, "serve"], env=env, capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert_one_clear_line(result, "127.0.0.1", "refused")
