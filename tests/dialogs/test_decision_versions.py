"""Two people acting on the same waiting decision at once (issue 16): the application's version is
compared and set in one UPDATE (storage.applications.claim), so the second of two reassignments, or a
reassignment racing a decision, is refused with what happened, on SQLite and on PostgreSQL across
connections; and a decision handed over is chased from the hand-over, not from the stage's start."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from dialogs.conversation import Conversation
from dialogs.messages import Reply
from knowledge.library import Library
from storage.db import transaction
from storage.roster import import_roster
from storage.tables import Application, AuditEntry, Decision, Person
from tests.dialogs.conftest import ROSTER, Chat, Clock, all_text, find_button
from tests.dialogs.test_reassign_delegate_escalate import (
    HR,
    MANAGER,
    MEDWAY_FIELDS,
    OTHER,
    SERVICE,
    WORKER,
    app_id,
    remind,
)  # fmt: skip
from tests.dialogs.test_workflows import submit


def waits_on(sessions: sessionmaker[Session], number: int) -> list[int]:
    with sessions() as session:
        app = session.get(Application, number)
        assert app is not None
        return [int(i) for i in app.data["asked"][app.status.removeprefix("awaiting:")]]


def person_id(sessions: sessionmaker[Session], email: str) -> int:
    with sessions() as session:
        return session.scalars(select(Person.id).where(Person.email == email)).one()


def test_the_second_of_two_reassignments_from_the_same_view_is_refused(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    number = app_id(sessions)
    by_hr = chat.say(HR, f"reassign {number}")  # both are offered whom it could go to, at once
    by_service = chat.say(SERVICE, f"reassign {number}")
    assert "now waits on Tom Other" in all_text(chat.press(HR, find_button(by_hr, "Reassign to Tom Other")))
    late = all_text(chat.press(SERVICE, find_button(by_service, "Reassign to")))
    assert "Nothing was changed: the application changed just before." in late
    assert "Harriet HR passed the Line manager's recommendation from Tara Manager to Tom Other" in late
    assert "It is with Tom Other for the Line manager's recommendation" in late
    assert waits_on(sessions, number) == [person_id(sessions, OTHER)]
    with sessions() as session:
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "reassigned")).all()) == 1


def test_a_reassign_button_from_before_a_decision_acts_on_nothing(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    number = app_id(sessions)
    offered = chat.say(HR, f"reassign {number}")  # drawn while the recommendation waits on Tara
    chat.press(MANAGER, find_button(chat.inbox(MANAGER), "Progressed"), **MEDWAY_FIELDS)
    authoriser = waits_on(sessions, number)
    late = all_text(chat.press(HR, find_button(offered, "Reassign to")))
    assert "Nothing was changed" in late and "Tara Manager recommended it ('Progressed')" in late
    assert "for the Authorisation" in late
    assert waits_on(sessions, number) == authoriser  # the authorisation was not passed on by mistake


def held_application(engine_sessions: sessionmaker[Session], number: int) -> tuple[Session, int]:
    """A third connection holding the application's row lock, as a slow transaction would."""
    holder = engine_sessions()
    holder.execute(text("SELECT id FROM applications WHERE id = :id FOR UPDATE"), {"id": number})
    pid = int(holder.execute(text("SELECT pg_backend_pid()")).scalar_one())
    return holder, pid


def wait_for_blocked(
    sessions: sessionmaker[Session], holder_pid: int, count: int, threads: list[threading.Thread]
) -> None:
    """Until `count` connections wait, directly or in a queue behind one another, on the holder (or
    the turns ended without writing to it: the assertions on what they said tell why)."""
    chain, deadline = {holder_pid}, time.monotonic() + 60
    with sessions() as watcher:
        while time.monotonic() < deadline and any(t.is_alive() for t in threads):
            rows = watcher.execute(text("SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity")).all()
            for pid, blockers in rows:
                if set(blockers or []) & chain:
                    chain.add(int(pid))
            if len(chain) > count:
                return
            time.sleep(0.05)
    if any(t.is_alive() for t in threads):
        raise AssertionError(f"the turns never reached the application's row: {chain}")


def race(sessions: sessionmaker[Session], turns: list[tuple[Chat, str, object]], number: int) -> list[str]:
    """Start each turn in its own thread and connection while the row is held, so both read the same
    version before either writes; then let them go."""
    holder, pid = held_application(sessions, number)
    results: dict[int, list[Reply]] = {}

    def run(n: int, chat: Chat, who: str, what: object) -> None:
        results[n] = chat.say(who, what) if isinstance(what, str) else chat.press(who, what, **MEDWAY_FIELDS)  # type: ignore[arg-type]

    threads = [threading.Thread(target=run, args=(n, *turn)) for n, turn in enumerate(turns)]
    for thread in threads:
        thread.start()
    try:
        wait_for_blocked(sessions, pid, len(turns), threads)
    finally:
        holder.rollback()
        holder.close()
    for thread in threads:
        thread.join(60)
    return [all_text(results.get(n, [])) for n in range(len(turns))]


@pytest.fixture
def on_postgresql(
    postgres_session_factory: sessionmaker[Session], library: Library
) -> tuple[Chat, sessionmaker[Session], int]:
    """Wendy's application sent on PostgreSQL, waiting on Tara: the chat, the database, its number."""
    sessions = postgres_session_factory
    with transaction(sessions) as session:
        import_roster(session, ROSTER)
    chat = Chat(Conversation(library, sessions, clock=Clock()), sessions)
    submit(chat, WORKER, "apply for level 3")
    return chat, sessions, app_id(sessions)


def test_two_reassignments_at_the_same_instant_on_postgresql_one_wins(
    on_postgresql: tuple[Chat, sessionmaker[Session], int],
) -> None:
    chat, sessions, number = on_postgresql
    texts = race(sessions, [(chat, HR, f"reassign {number} to {OTHER}"),
                            (chat, SERVICE, f"reassign {number} to {OTHER}")], number)  # fmt: skip
    # (both name Tom: each read that it waited on Tara; the loser must not pass it on a second time)
    assert sum("now waits on Tom Other" in t for t in texts) == 1, texts
    assert sum("Nothing was changed" in t for t in texts) == 1, texts
    with sessions() as session:
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "reassigned")).all()) == 1


def test_a_reassignment_racing_a_decision_on_postgresql_one_wins(
    on_postgresql: tuple[Chat, sessionmaker[Session], int],
) -> None:
    chat, sessions, number = on_postgresql
    progressed = find_button(chat.inbox(MANAGER), "Progressed")
    texts = race(sessions, [(chat, HR, f"reassign {number} to {OTHER}"), (chat, MANAGER, progressed)], number)
    reassigned, decided = "now waits on Tom Other" in texts[0], "Recorded" in texts[1]
    assert reassigned != decided, texts  # exactly one of them happened
    loser = texts[1] if reassigned else texts[0]
    assert "Nothing was changed" in loser, texts
    assert (
        "passed the Line manager's recommendation" if reassigned else "Tara Manager recommended it"
    ) in loser
    with sessions() as session:
        made = session.scalars(select(Decision)).all()
        moved = session.scalars(select(AuditEntry).where(AuditEntry.action == "reassigned")).all()
    assert (len(made), len(moved)) == ((0, 1) if reassigned else (1, 0))


def test_a_reassigned_decider_is_reminded_counting_from_the_hand_over(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")  # Monday 23 November 2026
    number = app_id(sessions)
    clock.now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # Thursday: 3 working days later
    chat.say(HR, f"reassign {number} to {OTHER}")
    chat.inbox(OTHER)
    remind(sessions, library, datetime(2026, 11, 27, 10, 0, tzinfo=UTC))  # 1 working day with Tom
    assert "Reminder" not in all_text(chat.inbox(OTHER))
    assert "Escalated" not in all_text(chat.inbox(SERVICE))
    remind(sessions, library, datetime(2026, 12, 1, 10, 0, tzinfo=UTC))  # Tuesday: 3 working days with Tom
    reminded = all_text(chat.inbox(OTHER))
    assert "has waited 3 working days for your decision" in reminded
    assert "since 26 November 2026" in all_text(chat.say(WORKER, "status"))


def test_a_leaver_hand_over_racing_a_reassignment_on_postgresql_one_wins(
    on_postgresql: tuple[Chat, sessionmaker[Session], int],
) -> None:
    chat, sessions, number = on_postgresql
    leaves = find_button(chat.say(HR, f"deactivate {MANAGER}"), "Mark Tara Manager as a leaver")
    texts = race(sessions, [(chat, HR, leaves), (chat, SERVICE, f"reassign {number} to {OTHER}")], number)
    reassigned = "now waits on Tom Other" in texts[1]
    assert "Tara Manager is now marked as a leaver." in texts[0], texts  # she leaves either way
    assert reassigned != ("now waits on Sam Service" in texts[0]), texts  # her decision moved once
    if not reassigned:
        assert "Nothing was changed" in texts[1], texts
    with sessions() as session:
        moves = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.in_(["reassigned", "handed_over"]))
        ).all()
    assert moves == (["reassigned"] if reassigned else ["handed_over"])
    assert waits_on(sessions, number) == [person_id(sessions, OTHER if reassigned else SERVICE)]
