"""The edges an operator or a new developer meets first: the `alembic` command, declared
dependencies, the ignored SQLite side files, the one-line access log."""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import os
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.logs import JsonFormatter, RequestIdFilter, request_id
from storage.migrate import current_revision, head_revision

REPO = Path(__file__).resolve().parents[2]
OURS = {"bot", "dialogs", "knowledge", "storage", "tests"}


def test_the_alembic_command_works_from_the_checkout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/alembic.sqlite3"
    alembic = Path(sys.executable).with_name("alembic")
    done = subprocess.run(
        [str(alembic), "-x", f"url={url}", "upgrade", "head"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert current_revision(url) == head_revision()


def imported_packages() -> set[str]:
    """Top-level names imported by the code that ships (not the tests' own tools)."""
    names: set[str] = set()
    for folder in ("bot", "dialogs", "knowledge", "storage"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module.split(".")[0])
    return {name for name in names - OURS if name not in sys.stdlib_module_names}


def normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_every_imported_package_is_a_declared_dependency() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {
        normalised(spec.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip()) for spec in declared
    }
    providers = packages_distributions()
    undeclared = {
        module: providers.get(module, ["?"])
        for module in imported_packages()
        if not any(normalised(dist) in names for dist in providers.get(module, []))
    }
    assert undeclared == {}, f"imported but not in pyproject dependencies: {undeclared}"
    used = {normalised(d) for module in imported_packages() for d in providers.get(module, [])}
    assert "tenacity" not in names or "tenacity" in used


def test_sqlite_side_files_are_ignored() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "pathway.sqlite3-wal", "pathway.sqlite3-shm"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == ["pathway.sqlite3-wal", "pathway.sqlite3-shm"]


async def test_each_request_is_one_short_access_line_with_its_id_and_without_its_query(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "aiohttp.access")
    response = await client.get("/api/web/organisations?as=worker@medway.example")
    assert response.status == 200
    request_id = response.headers["X-Request-Id"]
    for _ in range(50):  # the access line is written once the response has gone
        if any(r.name == "aiohttp.access" for r in caplog.records):
            break
        await asyncio.sleep(0.01)
    (record,) = [r for r in caplog.records if r.name == "aiohttp.access"]
    method, path, status, took = record.getMessage().split()
    assert (method, path, status) == ("GET", "/api/web/organisations", "200") and took.endswith("ms")
    assert record.request_id == request_id  # type: ignore[attr-defined]


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("bot.dispatch", logging.INFO, __file__, 1, "sent message %s", (42,), None)
    token = request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc123" and line["message"] == "sent message 42" and line["level"] == "INFO"


def test_make_test_finds_postgresql_only_where_one_answers() -> None:
    finder = [sys.executable, str(REPO / "tests" / "local_postgres.py")]
    nowhere = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    env = {**os.environ, "PATHWAY_TEST_DATABASE_URL": nowhere}
    done = subprocess.run(finder, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout == "" and "does not answer" in done.stderr  # said, not silently skipped
    makefile = (REPO / "Makefile").read_text()
    assert "tests/local_postgres.py" in makefile and "pytest -rs" in makefile
    assert (REPO / ".ci" / "run").read_text().rstrip().endswith("make test")
