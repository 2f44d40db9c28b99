"""Each retention rule deletes (or empties) what it should and nothing else: every row of every table is
compared before and after; and the schedule as `pathway data retain` runs it, from settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from storage.db import transaction
from storage.handled_events import forget_before
from storage.retention import (
    RetentionSchedule,
    apply_schedule,
    clear_decided_evidence,
    clear_old_drafts,
    clear_sent_messages,
    delete_offered_files,
    delete_unanswered,
    months_before,
    note_leavers,
    pseudonymise_leavers,
)
from storage.tables import AuditEntry, Person
from tests.operations.records import (
    NOW,
    World,
    application_row,
    build_world,
    changes,
    evidence_of,
    ids,
    message_id,
    snapshot,
)

MONTHS = 6
CUTOFF = months_before(NOW, MONTHS)


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    return build_world(session_factory)


def run(sessions: sessionmaker[Session], rule: object, *args: object) -> tuple[int, dict[str, set[object]]]:
    before = snapshot(sessions)
    with transaction(sessions) as session:
        count = rule(session, *args)  # type: ignore[operator]
    return count, changes(before, snapshot(sessions))


def test_months_are_calendar_months() -> None:
    assert months_before(datetime(2027, 3, 31, 9, tzinfo=UTC), 1) == datetime(2027, 2, 28, 9, tzinfo=UTC)
    assert months_before(datetime(2027, 1, 15, tzinfo=UTC), 13) == datetime(2025, 12, 15, tzinfo=UTC)


def test_handled_event_ids_after_days(session_factory: sessionmaker[Session], world: World) -> None:
    count, changed = run(session_factory, forget_before, NOW - timedelta(days=7))
    assert count == 1 and changed == {"handled_events": {("slack", "old")}}


def test_sent_messages_text_after_weeks(session_factory: sessionmaker[Session], world: World) -> None:
    count, changed = run(session_factory, clear_sent_messages, NOW - timedelta(weeks=4))
    old = {(message_id(session_factory, "old-delivered"),), (message_id(session_factory, "old-failed"),)}
    assert count == 2 and changed == {"outbox": old}  # not the recent one, nor the one still pending
    after = snapshot(session_factory)["outbox"]
    assert all(after[key]["payload"] == {} and after[key]["status"] in ("delivered", "failed") for key in old)
    again, _ = run(session_factory, clear_sent_messages, NOW - timedelta(weeks=4))
    assert again == 0


def test_offered_files_after_weeks(session_factory: sessionmaker[Session], world: World) -> None:
    count, changed = run(session_factory, delete_offered_files, NOW - timedelta(weeks=4))
    assert count == 1 and list(changed) == ["offered_files"] and len(changed["offered_files"]) == 1
    assert [f["filename"] for f in snapshot(session_factory)["offered_files"].values()] == ["new.pdf"]


def test_unanswered_questions_after_months(session_factory: sessionmaker[Session], world: World) -> None:
    count, changed = run(session_factory, delete_unanswered, CUTOFF)
    assert (
        count == 1 and list(changed) == ["unanswered_questions"] and len(changed["unanswered_questions"]) == 1
    )
    with transaction(session_factory) as session:
        from storage.unanswered import unanswered_since

        assert [q.question for q in unanswered_since(session, "medway")] == [
            "New question",
            "Leaver's question",
        ]


def test_withdrawn_and_untouched_drafts_lose_their_evidence(
    session_factory: sessionmaker[Session], world: World
) -> None:
    count, changed = run(session_factory, clear_old_drafts, CUTOFF, NOW)
    assert count == 2
    assert set(changed) == {"applications", "evidence_items", "dialog_states", "audit_log"}
    assert changed["applications"] == {(world.old_withdrawn,), (world.old_draft,)}
    assert (
        evidence_of(session_factory, world.old_withdrawn)
        == set()
        == evidence_of(session_factory, world.old_draft)
    )
    assert evidence_of(session_factory, world.new_withdrawn)  # withdrawn lately: kept
    draft = application_row(session_factory, world.old_draft)
    assert draft.status == "withdrawn" and draft.data == {}
    assert changed["dialog_states"] == {(world.worker, "application")}  # the draft's dialog is gone
    (entry,) = changed["audit_log"]
    assert ids(session_factory, AuditEntry, AuditEntry.action == "withdrawn_untouched_draft") == set(entry)


def test_a_draft_worked_on_lately_is_kept(session_factory: sessionmaker[Session], world: World) -> None:
    with transaction(session_factory) as session:
        from storage.applications import add_evidence

        add_evidence(session, world.old_draft, "assessment", "Added this week.")
    count, changed = run(session_factory, clear_old_drafts, CUTOFF, NOW)
    assert count == 1 and changed["applications"] == {(world.old_withdrawn,)}
    assert application_row(session_factory, world.old_draft).status == "drafting"


def test_decided_applications_evidence_after_hrs_period(
    session_factory: sessionmaker[Session], world: World
) -> None:
    count, changed = run(session_factory, clear_decided_evidence, "medway", months_before(NOW, 24))
    assert count == 2  # the worker's and the leaver's decided long ago; not the one decided lately
    assert set(changed) == {"applications", "evidence_items"}
    assert changed["applications"] == {(world.decided_long_ago,), (world.leavers_application,)}
    assert evidence_of(session_factory, world.decided_lately)
    elsewhere, nothing = run(session_factory, clear_decided_evidence, "bcc", months_before(NOW, 24))
    assert elsewhere == 0 and nothing == {}


def test_leavers_are_pseudonymised_after_hrs_period_and_the_decisions_stay(
    session_factory: sessionmaker[Session], world: World
) -> None:
    count, changed = run(session_factory, pseudonymise_leavers, "medway", months_before(NOW, 24), NOW)
    assert count == 1
    assert changed["people"] == {(world.leaver,)}
    assert set(changed) == {"people", "identities", "unanswered_questions", "outbox", "applications",
                            "evidence_items", "audit_log"}  # fmt: skip
    after = snapshot(session_factory)
    leaver = after["people"][(world.leaver,)]
    assert leaver["name"] == f"Former member of staff #{world.leaver}" and "lee" not in leaver["email"]
    assert leaver["level"] is None and leaver["erased_at"] is not None
    assert [i for i in after["identities"].values() if i["person_id"] == world.leaver] == []
    decisions = [d for d in after["decisions"].values() if d["application_id"] == world.leavers_application]
    assert len(decisions) == 1 and decisions[0]["outcome"] == "approved"  # the record of the decision stays
    assert after["applications"][(world.leavers_application,)]["status"] == "approved"
    (entry,) = changed["audit_log"]  # one entry added: the pseudonymisation itself
    assert after["audit_log"][entry]["action"] == "personal_data_pseudonymised"
    again, nothing = run(session_factory, pseudonymise_leavers, "medway", months_before(NOW, 24), NOW)
    assert again == 0 and nothing == {}


def test_the_leavers_clock_starts_when_they_are_first_found_inactive(
    session_factory: sessionmaker[Session], world: World
) -> None:
    with transaction(session_factory) as session:
        worker = session.get(Person, world.worker)
        assert worker is not None
        worker.active = False
    _, changed = run(session_factory, note_leavers, NOW)
    assert changed == {"people": {(world.worker,)}}
    assert snapshot(session_factory)["people"][(world.worker,)]["inactive_since"] == NOW
    recent, nothing = run(session_factory, pseudonymise_leavers, "medway", months_before(NOW, 24), NOW)
    assert recent == 1 and (world.worker,) not in nothing["people"]  # only the long-gone leaver


def test_the_schedule_from_settings_with_no_hr_periods_keeps_decisions_and_leavers(
    session_factory: sessionmaker[Session], world: World
) -> None:
    with transaction(session_factory) as session:
        done = apply_schedule(session, RetentionSchedule(), NOW)
    assert done["decided applications' evidence removed"] == 0 and done["leavers pseudonymised"] == 0
    assert evidence_of(session_factory, world.decided_long_ago) and evidence_of(
        session_factory, world.leavers_application
    )
    assert done["handled-event ids deleted"] == 1 and done["unanswered questions deleted"] == 1


def test_pathway_data_retain_applies_the_settings(tmp_path: object) -> None:
    from pathlib import Path

    from storage import migrate

    assert isinstance(tmp_path, Path)
    url = f"sqlite:///{tmp_path}/pathway.sqlite3"
    migrate.upgrade(url)
    from storage import db

    engine = db.make_engine(url)
    world = build_world(db.session_factory(engine))
    engine.dispose()
    env = {"PATHWAY_DATABASE_URL": url, "PATHWAY_RETAIN_LEAVERS_MONTHS": '{"medway": 12}',
           "PATHWAY_RETAIN_DECIDED_EVIDENCE_MONTHS": '{"medway": 12}'}  # fmt: skip
    done = CliRunner().invoke(app, ["data", "retain"], env=env)
    assert done.exit_code == 0, done.stderr
    assert (
        "leavers pseudonymised: 1" in done.stdout
        and "decided applications' evidence removed: 2" in done.stdout
    )
    assert world.leaver


async def test_pathway_serve_applies_the_schedule_when_it_starts(
    aiohttp_client: object, session_factory: sessionmaker[Session], world: World
) -> None:
    import asyncio

    from bot.app import build
    from bot.runtime import Runtime
    from bot.settings import Settings
    from knowledge.library import Library
    from storage.tables import HandledEvent

    app, notes = build(Runtime(Settings(), Library.load(), session_factory), dispatch=False)
    assert any(note.startswith("retention:") for note in notes)
    await aiohttp_client(app)  # type: ignore[operator]
    for _ in range(200):
        with transaction(session_factory) as session:
            left = {e.event_id for e in session.query(HandledEvent)}
        if left == {"new"}:
            break
        await asyncio.sleep(0.05)
    assert left == {"new"}  # the week-old id went (the world's clock is ahead of today's: "new" is recent)
