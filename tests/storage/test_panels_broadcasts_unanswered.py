from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage.broadcasts import broadcasts_due, change_broadcast_status, create_broadcast, get_broadcast
from storage.db import transaction
from storage.panels import add_panel, cancel_panel, upcoming_panels
from storage.unanswered import record_unanswered, unanswered_since
from tests.storage.conftest import Staff

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def test_upcoming_panels_leave_out_past_and_cancelled(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    with transaction(session_factory) as session:
        add_panel(session, "medway", date(2025, 5, 1))
        july = add_panel(
            session, "medway", date(2025, 7, 3), submission_deadline=date(2025, 6, 19), location="Gun Wharf"
        )
        june = add_panel(session, "medway", date(2025, 6, 5), created_by=staff.hr)
        assert cancel_panel(session, june.id)
        assert not cancel_panel(session, june.id)
    with transaction(session_factory) as session:
        upcoming = upcoming_panels(session, "medway", date(2025, 6, 2))
        assert [(panel.id, panel.location) for panel in upcoming] == [(july.id, "Gun Wharf")]


def test_a_broadcast_is_fanned_out_once(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        broadcast = create_broadcast(
            session, "medway", "Panel dates", {"roles": ["worker"]}, created_by=staff.hr, scheduled_for=NOW
        )
        create_broadcast(session, "medway", "Later", {}, scheduled_for=NOW + timedelta(days=1))
    with transaction(session_factory) as session:
        assert [due.id for due in broadcasts_due(session, NOW)] == [broadcast.id]
        assert change_broadcast_status(session, broadcast.id, "scheduled", "sending")
        assert not change_broadcast_status(session, broadcast.id, "scheduled", "sending")
        stored = get_broadcast(session, broadcast.id)
        assert stored is not None and (stored.status, stored.audience) == ("sending", {"roles": ["worker"]})
        assert broadcasts_due(session, NOW) == []


def test_unanswered_questions_are_kept(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        record_unanswered(session, "medway", "Can I carry over leave?", "out_of_scope", staff.worker)
        record_unanswered(session, "medway", "Is there a clawback?", "low_confidence")
    with transaction(session_factory) as session:
        questions = unanswered_since(session, "medway")
        assert [(entry.question, entry.reason) for entry in questions] == [
            ("Can I carry over leave?", "out_of_scope"),
            ("Is there a clawback?", "low_confidence"),
        ]
        assert unanswered_since(session, "medway", since=datetime.now(UTC) + timedelta(minutes=1)) == []
