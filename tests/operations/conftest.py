"""The real server application on the demo roster, served on loopback the way `pathway serve` serves
it (its short access log included), for the metrics and logging tests."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build
from bot.demo import demo_roster
from bot.logs import ShortAccessLogger
from bot.operations import import_file
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library


@pytest.fixture(scope="session")
def library() -> Library:
    return Library.load()


@pytest.fixture
def runtime(session_factory: sessionmaker[Session], library: Library) -> Runtime:
    runtime = Runtime(Settings(pathway_metrics_token="scrape-token"), library, session_factory)
    import_file(runtime, demo_roster(library))
    return runtime


@pytest.fixture
async def client(aiohttp_client: Any, runtime: Runtime) -> TestClient:
    app, _notes = build(
        runtime, dispatch=False, reminders=False, web_chat=True
    )  # the traffic is web chat turns
    server = TestServer(app)
    await server.start_server(
        access_log_class=ShortAccessLogger, access_log=logging.getLogger("aiohttp.access")
    )
    return await aiohttp_client(server)  # type: ignore[no-any-return]
