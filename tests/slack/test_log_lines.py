"""Log lines name people and messages by id only: an unreadable event is logged by what was wrong
with it, never with what it said."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from tests.slack.conftest import SlackWorkspace


async def test_an_unreadable_event_is_logged_without_its_content(
    workspace: SlackWorkspace, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    said = {"blocks": "Wendy Worker, 12 Acacia Road, wendy@medway.example"}  # text of the wrong shape
    event = {"type": "message", "channel_type": "im", "channel": "DWENDY", "user": "UWENDY",
             "text": said, "ts": f"{time.time():.6f}"}  # fmt: skip
    answer = await workspace.event(event)
    assert answer.status == 200
    for _ in range(100):
        if any("unreadable Slack event" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.02)
    lines = [r.getMessage() for r in caplog.records if "unreadable Slack event" in r.getMessage()]
    assert lines and all("Acacia" not in line and "wendy@" not in line for line in lines)
