from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session, sessionmaker

from storage.applications import create_application
from storage.audit import for_application, for_organisation, record
from storage.db import transaction
from storage.tables import AuditEntry
from tests.storage.conftest import Staff

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def test_entries_are_recorded_and_read_back(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        application = create_application(
            session, org_id="medway", person_id=staff.worker, target_level="3", from_level="2"
        )
        record(session, "medway", "application.started", staff.worker, application.id, at=NOW)
        record(
            session,
            "medway",
            "application.submitted",
            staff.worker,
            application.id,
            {"to": staff.manager},
            at=NOW + timedelta(minutes=1),
        )
        record(
            session,
            "medway",
            "roster.imported",
            staff.hr,
            detail={"created": 5},
            at=NOW + timedelta(minutes=2),
        )
    with transaction(session_factory) as session:
        history = for_application(session, application.id)
        assert [(entry.action, entry.detail) for entry in history] == [
            ("application.started", {}),
            ("application.submitted", {"to": staff.manager}),
        ]
        assert history[0].at == NOW
        recent = for_organisation(session, "medway", since=NOW)
        assert [entry.action for entry in recent] == ["roster.imported", "application.submitted"]


@pytest.mark.parametrize(
    "change",
    [
        update(AuditEntry).values(action="tampered"),
        delete(AuditEntry),
        text("UPDATE audit_log SET detail = '{}'"),
        text("DELETE FROM audit_log"),
    ],
    ids=["orm-update", "orm-delete", "sql-update", "sql-delete"],
)
def test_the_database_refuses_to_change_the_audit_log(
    session_factory: sessionmaker[Session], staff: Staff, change: object
) -> None:
    with transaction(session_factory) as session:
        record(session, "medway", "application.started", staff.worker)
    with pytest.raises(Exception, match="audit_log is append-only"), transaction(session_factory) as session:
        session.execute(change)  # type: ignore[call-overload]
    with transaction(session_factory) as session:
        assert [entry.action for entry in for_organisation(session, "medway")] == ["application.started"]


def test_truncate_is_refused_on_postgresql(postgres_session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(Exception, match="append-only"), transaction(postgres_session_factory) as session:
        session.execute(text("TRUNCATE audit_log"))
