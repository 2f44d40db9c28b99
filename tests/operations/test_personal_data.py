"""Subject access and erasure for a person with an application, a decision and a review; the audit log
exported as CSV for HR. Through the `pathway` commands, as an operator runs them."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from storage import audit, db, migrate, personal_data
from storage.db import transaction
from storage.tables import Person
from tests.operations.records import NOW, World, build_world, changes, evidence_of, snapshot


@pytest.fixture
def database(tmp_path: Path) -> tuple[str, World, sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path}/pathway.sqlite3"
    migrate.upgrade(url)
    sessions = db.session_factory(db.make_engine(url))
    return url, build_world(sessions), sessions


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def pathway(url: str, *args: str) -> Ran:
    """The `pathway` command in this process (typer's runner: the same CLI, without a new interpreter
    per call), with PATHWAY_DATABASE_URL set as an operator would."""
    done = CliRunner().invoke(app, list(args), env={"PATHWAY_DATABASE_URL": url})
    return Ran(done.exit_code, done.stdout, done.stderr)


def test_export_writes_everything_held_about_the_person(
    database: tuple[str, World, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, world, _sessions = database
    done = pathway(url, "data", "export", "--person", "Wendy@Medway.gov.uk", "--out", str(tmp_path / "sar"))
    assert done.returncode == 0, done.stderr
    found = json.loads((tmp_path / "sar" / f"medway-person-{world.worker}.json").read_text())
    assert found["person"]["email"] == "wendy@medway.gov.uk" and found["person"]["line_manager"] == "Mo"
    assert [a["platform"] for a in found["chat_accounts"]] == ["slack"]
    decided = next(a for a in found["applications"] if a["id"] == world.decided_lately)
    assert decided["evidence"][0]["text"] == f"Evidence for application {world.decided_lately}."
    assert decided["decisions"][0] | {"decided_at": None} == {
        "stage": "recommend", "outcome": "approved", "decided_by": "Mo", "decided_at": None,
        "reasons": "Strong practice", "agreed_actions": "",
    }  # fmt: skip
    assert decided["reviews"][0]["reasons"] == "I disagree" and decided["reviews"][0]["outcome"] is None
    assert {q["question"] for q in found["unanswered_questions"]} == {"Old question", "New question"}
    assert {m["text"] for m in found["messages_sent_to_them"]} >= {
        "Hello old-delivered",
        "Hello new-delivered",
    }
    assert found["dialog_in_progress"][0]["state"] == {"step": "evidence"}
    assert {f["filename"] for f in found["files_offered_in_teams"]} == {"old.pdf", "new.pdf"}
    assert len(found["audit_log"]) == 2  # the decisions on their two decided applications
    summary = (tmp_path / "sar" / f"medway-person-{world.worker}.txt").read_text()
    assert "Everything Pathway holds about Wendy (wendy@medway.gov.uk)" in summary
    assert f"Application {world.decided_lately} (level-2 to level-3): not_approved" in summary
    assert "recommend: approved by Mo" in summary and "review: waiting" in summary


def test_an_unknown_email_is_a_clear_message(database: tuple[str, World, sessionmaker[Session]]) -> None:
    url, _world, _sessions = database
    done = pathway(url, "data", "export", "--person", "nobody@medway.gov.uk")
    assert done.returncode == 2 and "No one with the email nobody@medway.gov.uk" in done.stderr


def test_erasing_someone_on_the_roster_keeps_the_decision_records_and_says_why(
    database: tuple[str, World, sessionmaker[Session]],
) -> None:
    url, world, sessions = database
    before = snapshot(sessions)
    done = pathway(url, "data", "erase", "--person", "wendy@medway.gov.uk", "--yes")
    assert done.returncode == 0, done.stderr
    erased, kept = done.stdout.split("Kept:")
    assert "2 question(s)" in erased and "the text of 3 message(s)" in erased
    assert "2 document(s) offered in Teams" in erased
    assert "the evidence of 3 draft or withdrawn application(s)" in erased
    assert "2 submitted or decided application(s)" in kept and "pay and grading decision" in kept
    assert "audit log" in kept and "roster entry" in kept
    after = snapshot(sessions)
    changed = changes(before, after)
    assert after["people"][(world.worker,)] == before["people"][(world.worker,)]  # HR's roster entry
    assert "identities" not in changed and "decisions" not in changed and "review_requests" not in changed
    assert [q for q in after["unanswered_questions"].values() if q["person_id"] == world.worker] == []
    assert after["offered_files"] == {}
    assert evidence_of(sessions, world.decided_lately) and evidence_of(sessions, world.decided_long_ago)
    assert not evidence_of(sessions, world.old_draft) and not evidence_of(sessions, world.new_withdrawn)
    assert after["applications"][(world.old_draft,)]["status"] == "withdrawn"
    pending = [m for m in after["outbox"].values() if m["idempotency_key"] == "old-pending"]
    assert pending[0]["payload"] == {"text": "Hello old-pending"}  # in flight: still to be sent
    assert not [s for s in after["dialog_states"].values() if s["person_id"] == world.worker]


def test_erasing_a_leaver_pseudonymises_them_and_keeps_their_decided_application(
    database: tuple[str, World, sessionmaker[Session]],
) -> None:
    url, world, sessions = database
    done = pathway(url, "data", "erase", "--person", "lee@medway.gov.uk", "--yes")
    assert done.returncode == 0, done.stderr
    assert f"Former member of staff #{world.leaver}" in done.stdout
    after = snapshot(sessions)
    leaver = after["people"][(world.leaver,)]
    assert leaver["name"] == f"Former member of staff #{world.leaver}" and leaver["email"].endswith(
        "erased.invalid"
    )
    assert not [i for i in after["identities"].values() if i["person_id"] == world.leaver]
    assert evidence_of(sessions, world.leavers_application)  # decided: kept for HR's period
    assert [
        d["outcome"] for d in after["decisions"].values() if d["application_id"] == world.leavers_application
    ] == ["approved"]
    again = pathway(url, "data", "export", "--person", "lee@medway.gov.uk")
    assert again.returncode == 2  # the email is gone


def test_audit_export_is_csv_for_a_period_with_formulas_neutralised(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world = build_world(session_factory)
    with transaction(session_factory) as session:
        manager = session.get(Person, world.manager)
        assert manager is not None
        manager.name = '=HYPERLINK("http://evil.example")'
        audit.record(session, "medway", "broadcast_sent", world.manager, detail={"to": "+44 1234"}, at=NOW)
        audit.record(
            session,
            "medway",
            "panel_added",
            world.manager,
            detail={"panel": 3},
            at=datetime(2027, 6, 3, tzinfo=NOW.tzinfo),
        )
    engine_url = session_factory.kw["bind"].url.render_as_string(hide_password=False)
    done = pathway(
        engine_url, "audit", "export", "--org", "medway", "--from", "2027-06-01", "--to", "2027-06-01"
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["at", "organisation", "action", "actor_id", "actor", "application_id", "detail"]
    assert [row[2] for row in rows[1:]] == [
        "broadcast_sent"
    ]  # 3 June is after --to; the old ones before --from
    assert rows[1][4] == '\'=HYPERLINK("http://evil.example")' and rows[1][6] == "to=+44 1234"
    everything = pathway(
        engine_url, "audit", "export", "--org", "medway", "--out", str(tmp_path / "audit.csv")
    )
    assert everything.returncode == 0
    assert len(list(csv.reader((tmp_path / "audit.csv").open()))) == 1 + 3 + 2
    bad = pathway(engine_url, "audit", "export", "--org", "medway", "--from", "June")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_erasure_in_storage_on_every_backend(session_factory: sessionmaker[Session]) -> None:
    world = build_world(session_factory)
    with transaction(session_factory) as session:
        leaver = session.get(Person, world.leaver)
        assert leaver is not None
        done = personal_data.erase(session, leaver, NOW)
    assert any("Former member of staff" in line for line in done.erased)
    assert any("audit log" in line for line in done.kept)
