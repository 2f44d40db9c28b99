"""A large broadcast is queued in chunks: the first in HR's turn, so sending starts at once, the rest a
chunk per transaction, resuming where it stopped after a crash, each person once."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import dispatch
from dialogs import broadcast
from knowledge.library import Library
from storage import broadcasts, outbox
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import Broadcast, OutboxMessage
from tests.dialogs.conftest import Chat, all_text, find_button, reached_on

HR = "hr@medway.example"
EVERYONE = 6  # at Medway in the transcripts' roster


def send_now(sessions: sessionmaker[Session], library: Library) -> tuple[int, int]:
    """HR's "Send now" to everyone: (the broadcast's id, how many people it reaches)."""
    with transaction(sessions) as session:
        draft = broadcasts.create_broadcast(session, "medway", "Panel news", {"kind": "everyone"})
        return draft.id, broadcast.release(session, library, draft, utc_now())


def chunks(monkeypatch: pytest.MonkeyPatch, first: int, rest: int) -> None:
    monkeypatch.setattr(broadcast, "FIRST_CHUNK", first)
    monkeypatch.setattr(broadcast, "CHUNK", rest)


def queued(sessions: sessionmaker[Session], broadcast_id: int) -> Counter[int | None]:
    with transaction(sessions) as session:
        query = select(OutboxMessage.recipient_person_id).where(OutboxMessage.broadcast_id == broadcast_id)
        return Counter(session.scalars(query))


def status(sessions: sessionmaker[Session], broadcast_id: int) -> str:
    with transaction(sessions) as session:
        return session.scalars(select(Broadcast.status).where(Broadcast.id == broadcast_id)).one()


def test_the_first_copies_are_queued_at_once_and_the_rest_in_chunks(
    sessions: sessionmaker[Session], library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks(monkeypatch, first=2, rest=3)
    broadcast_id, reached = send_now(sessions, library)
    assert reached == EVERYONE and sum(queued(sessions, broadcast_id).values()) == 2
    assert status(sessions, broadcast_id) == "sending"
    assert broadcast.fan_out_rest(sessions, library, utc_now()) == 4
    copies = queued(sessions, broadcast_id)
    assert len(copies) == EVERYONE and set(copies.values()) == {1}
    assert status(sessions, broadcast_id) == "sent"
    assert broadcast.fan_out_rest(sessions, library, utc_now()) == 0


def test_a_fan_out_cut_short_resumes_where_it_stopped(
    sessions: sessionmaker[Session], library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks(monkeypatch, first=1, rest=2)
    broadcast_id, _ = send_now(sessions, library)
    enqueue, calls = outbox.enqueue_many, []

    def crash_on_the_third_chunk(session: Session, rows: Any) -> int:
        calls.append(len(rows))
        if len(calls) == 3:
            raise ConnectionError("the server went away")
        return enqueue(session, rows)

    monkeypatch.setattr(outbox, "enqueue_many", crash_on_the_third_chunk)
    with pytest.raises(ConnectionError):
        broadcast.fan_out_rest(sessions, library, utc_now())
    assert sum(queued(sessions, broadcast_id).values()) == 5  # the first, then two chunks of two
    monkeypatch.setattr(outbox, "enqueue_many", enqueue)
    assert broadcast.fan_out_rest(sessions, library, utc_now()) == 1
    assert set(queued(sessions, broadcast_id).values()) == {1} and status(sessions, broadcast_id) == "sent"


def test_the_reach_report_says_while_copies_are_still_being_queued(
    chat: Chat, sessions: sessionmaker[Session], library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks(monkeypatch, first=2, rest=1000)
    reached_on(sessions, "medway", "web")
    asked = chat.say(HR, "broadcast: Panel 14 June 2027")
    sent = chat.press(HR, find_button(chat.press(HR, find_button(asked, "Everyone")), "Send now"))
    assert "Sending to 6 people now" in all_text(sent)
    report = chat.press(HR, find_button(sent, "Reach report"))
    assert "to 2 people so far (the rest are still being queued)" in all_text(report)
    broadcast.fan_out_rest(sessions, library, utc_now())
    report = chat.press(HR, find_button(report, "Refresh"))
    assert "to 6 people:" in all_text(report) and "going out 6" in all_text(report)


async def test_the_server_queues_the_rest_as_soon_as_hr_sends(
    sessions: sessionmaker[Session], library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks(monkeypatch, first=2, rest=2)
    monkeypatch.setattr(dispatch, "RELEASE_INTERVAL_SECONDS", 120.0)  # it must not wait for its next pass
    stop = asyncio.Event()
    releasing = asyncio.create_task(dispatch.release_broadcasts_periodically(sessions, library, stop))
    try:
        await asyncio.sleep(0.8)  # its first pass found nothing to do
        broadcast_id, _ = await asyncio.to_thread(send_now, sessions, library)
        for _ in range(100):
            if await asyncio.to_thread(status, sessions, broadcast_id) == "sent":
                break
            await asyncio.sleep(0.05)
        assert len(await asyncio.to_thread(queued, sessions, broadcast_id)) == EVERYONE
    finally:
        stop.set()
        await releasing
