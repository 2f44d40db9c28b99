"""`pathway doctor` run as an operator runs it, against a good configuration (a migrated database and
the loopback fake Slack API) and a broken one: one line per check, what to fix, the exit status."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from storage import migrate
from tests.fakes.slack_api import FakeSlackApi

TENANT = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
APP = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
SETTINGS = ("SLACK_", "MICROSOFT_", "PATHWAY_")


class FakeSlackInThread:
    """The fake Slack Web API on its own event loop, so a subprocess can call it while the test waits."""

    def __init__(self) -> None:
        self.api = FakeSlackApi()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> FakeSlackApi:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.api.start(), self.loop).result(10)
        return self.api

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.api.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackInThread() as api:
        yield api


def doctor(tmp_path: Path, **settings: str) -> Result:
    """`pathway doctor` with exactly these settings (the ambient ones unset), from an empty directory
    (no .env)."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith(SETTINGS)}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        return CliRunner().invoke(app, ["doctor"], env={**unset, **settings})


def lines(out: str) -> dict[str, str]:
    """Check name -> 'ok  ...' or 'FAIL ...'."""
    found = {}
    for line in out.splitlines():
        status, _, rest = line.partition("  ")
        name, _, detail = rest.strip().partition(": ")
        if status.strip() in ("ok", "FAIL"):
            found[name] = f"{status.strip()} {detail}"
    return found


def test_a_good_configuration_passes_every_check(tmp_path: Path, slack: FakeSlackApi) -> None:
    url = f"sqlite:///{tmp_path}/pathway.sqlite3"
    migrate.upgrade(url)
    done = doctor(
        tmp_path,
        PATHWAY_DATABASE_URL=url,
        SLACK_BOT_TOKEN="xoxb-good",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=slack.base_url,
        MICROSOFT_APP_ID=APP,
        MICROSOFT_APP_PASSWORD="client-secret",
        MICROSOFT_APP_TYPE="SingleTenant",
        MICROSOFT_APP_TENANT_ID=TENANT,
        PATHWAY_RETAIN_LEAVERS_MONTHS='{"medway": 24, "bcc": 24, "hertfordshire": 24, "coventry": 24}',
    )
    assert done.exit_code == 0, done.stdout + done.stderr
    checks = lines(done.stdout)
    assert all(result.startswith("ok") for result in checks.values()), done.stdout
    assert set(checks) >= {
        "database",
        "migrations",
        "policy packs",
        "slack token",
        "slack signing secret",
        "teams",
    }
    assert "T0MEDWAY" in checks["slack token"]
    assert slack.of("auth.test") and slack.calls[0].token == "xoxb-good"


def test_a_broken_configuration_says_what_to_fix_and_fails(tmp_path: Path, slack: FakeSlackApi) -> None:
    url = f"sqlite:///{tmp_path}/pathway.sqlite3"
    migrate.upgrade(url, "0005")  # a release behind
    slack.fail_next("auth.test", error="invalid_auth")
    done = doctor(
        tmp_path,
        PATHWAY_DATABASE_URL=url,
        SLACK_BOT_TOKEN="xoxb-revoked",
        SLACK_API_URL=slack.base_url,
        MICROSOFT_APP_ID=APP,
        MICROSOFT_APP_TYPE="SingleTenant",
        PATHWAY_RETAIN_LEAVERS_MONTHS='{"medwya": 24}',
    )
    assert done.exit_code == 1
    checks = lines(done.stdout)
    assert checks["database"].startswith("ok")
    assert checks["migrations"].startswith("FAIL") and "pathway db upgrade" in checks["migrations"]
    assert checks["slack token"].startswith("FAIL") and "invalid_auth" in checks["slack token"]
    assert (
        checks["slack signing secret"].startswith("FAIL")
        and "SLACK_SIGNING_SECRET" in checks["slack signing secret"]
    )
    assert "MICROSOFT_APP_PASSWORD" in checks["teams"] and "MICROSOFT_APP_TENANT_ID" in checks["teams"]
    assert checks["retention"].startswith("FAIL") and "medwya" in checks["retention"]


def test_a_missing_database_is_reported_and_not_created(tmp_path: Path) -> None:
    done = doctor(tmp_path, PATHWAY_DATABASE_URL=f"sqlite:///{tmp_path}/nowhere.sqlite3")
    assert done.exit_code == 1
    checks = lines(done.stdout)
    assert checks["database"].startswith("FAIL") and "pathway db upgrade" in checks["database"]
    assert checks["migrations"].startswith("FAIL")
    assert not (tmp_path / "nowhere.sqlite3").exists()
