"""Fixtures for the web chat: the server in-process for API tests, and `pathway demo` itself, run as
a user runs it, with the system Chromium driven by Playwright for the browser tests."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build
from bot.demo import load_demo
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library
from storage.db import transaction
from tests.web.accessibility import assert_accessible

REPO = Path(__file__).resolve().parents[2]
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS_COPY = Path(os.environ.get("PATHWAY_SHOTS_DIR", "/tmp/pathway-shots"))  # a copy to look at


@pytest.fixture(scope="session")
def library() -> Library:
    return Library.load()


@pytest.fixture
async def client(aiohttp_client: Any, session_factory: sessionmaker[Session], library: Library) -> TestClient:
    """The real server application with the web chat (as `pathway demo` mounts it) on the demo roster."""
    runtime = Runtime(Settings(_env_file=None), library, session_factory)
    with transaction(session_factory) as session:
        load_demo(session, library)
    app, _notes = build(runtime, dispatch=False, reminders=False, web_chat=True)
    return await aiohttp_client(app)  # type: ignore[no-any-return]


WORKER, MANAGER = "worker@medway.example", "manager@medway.example"
EXAMPLE = "In a complex case I led the assessment work myself, example {}, and the plan was agreed at review."


async def turn(client: TestClient, who: str, **body: Any) -> dict[str, Any]:
    """One turn through the web chat's API as the page sends it; the answer's JSON."""
    response = await client.post(
        "/api/web/turns", json={"org": who.split("@")[1].split(".")[0], "as": who, **body}
    )
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


def texts(answer: dict[str, Any]) -> str:
    return "\n".join(reply["text"] for reply in answer["replies"])


def button(answer: dict[str, Any], label: str) -> dict[str, Any]:
    for reply in answer["replies"]:
        for candidate in [*reply["buttons"], *(reply["card"]["buttons"] if reply["card"] else [])]:
            if label in candidate["label"]:
                return candidate["action"]  # type: ignore[no-any-return]
    raise AssertionError(f"no button {label!r} in {texts(answer)}")


async def submit_medway_application(client: TestClient) -> dict[str, Any]:
    """The demo's Medway worker applies for level 3 (an example for every competency) and submits:
    the application waits on her line manager. The answer to the Submit press."""
    answer = await turn(client, WORKER, text="I want to go for level 3")
    answer = await turn(client, WORKER, action=button(answer, "Continue"))
    for n in range(1, 61):
        answer = await turn(client, WORKER, text=EXAMPLE.format(n))
    answer = await turn(client, WORKER, action=button(answer, "Yes, send it"))
    answer = await turn(client, WORKER, action=button(answer, "Submit"))
    assert "sent it to Maria Manager" in texts(answer)
    return answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"`pathway demo` exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"`pathway demo` did not answer /healthz in 60 s:\n{log.read_text()}")


@dataclass(frozen=True)
class Demo:
    base: str  # the server's address
    database_url: str  # its database, for a test to run what a timer would (reminders)


@pytest.fixture(scope="module")
def demo_server(demo: Demo) -> str:
    return demo.base


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`pathway demo` in a fresh directory: a new SQLite file, the demo roster, a free port."""
    home = tmp_path_factory.mktemp("demo")
    port = free_port()
    database_url = f"sqlite:///{home}/pathway.sqlite3"
    env = {
        **os.environ,
        "PATHWAY_PORT": str(port),
        "PATHWAY_HOST": "127.0.0.1",
        "PATHWAY_DATABASE_URL": database_url,
        "PYTHONPATH": str(REPO),
    }
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID"):
        env.pop(name, None)  # the demo needs no workspace
    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "demo"], cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield Demo(base, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post_turn(base: str, body: dict[str, Any]) -> dict[str, Any]:
    """One turn through the page's own API, as the page would send it."""
    request = urllib.request.Request(
        f"{base}/api/web/turns",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def find_chromium() -> str | None:
    configured = os.environ.get("PATHWAY_CHROMIUM")
    if configured and Path(configured).exists():
        return configured
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return DEBIAN_CHROMIUM if Path(DEBIAN_CHROMIUM).exists() else None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The system Chromium under Playwright (never a downloaded browser)."""
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "No Chromium found (looked for PATHWAY_CHROMIUM and "
            + ", ".join(CHROMIUM_CANDIDATES)
            + " on PATH): install Debian's `chromium` to run the browser tests."
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[Any]:
    """Save a screenshot under the test's tmp dir, and a copy in PATHWAY_SHOTS_DIR (default
    /tmp/pathway-shots) to look at."""
    folder = tmp_path / "screenshots"
    folder.mkdir()

    def take(page: Any, name: str, **options: Any) -> Path:
        """Every screen a test stops to look at is also checked against WCAG 2.2 AA."""
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), **options)
        assert_accessible(page, name)
        try:
            SHOTS_COPY.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, SHOTS_COPY / path.name)
        except OSError:
            pass  # the copy is a convenience; the test's own folder holds the record
        return path

    yield take
