from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from storage.applications import create_application
from storage.db import transaction
from storage.decisions import (
    decide_review,
    decision_for,
    decisions_of,
    record_decision,
    request_review,
    review_requests_of,
)
from tests.storage.concurrency import run_together
from tests.storage.conftest import Staff


def new_application(session_factory: sessionmaker[Session], staff: Staff) -> int:
    with transaction(session_factory) as session:
        return create_application(
            session, org_id="medway", person_id=staff.worker, target_level="3", from_level="2"
        ).id


def test_one_decision_per_stage(session_factory: sessionmaker[Session], staff: Staff) -> None:
    application_id = new_application(session_factory, staff)
    with transaction(session_factory) as session:
        recommended = record_decision(
            session,
            application_id,
            "recommend",
            staff.manager,
            "approved",
            "Ready",
            "Mentor a newly qualified SW",
        )
        assert recommended is not None and recommended.agreed_actions == "Mentor a newly qualified SW"
        assert (
            record_decision(session, application_id, "recommend", staff.service_manager, "not_approved")
            is None
        )
        assert (
            record_decision(session, application_id, "authorise", staff.service_manager, "approved")
            is not None
        )
    with transaction(session_factory) as session:
        kept = decision_for(session, application_id, "recommend")
        assert kept is not None and (kept.decided_by, kept.outcome) == (staff.manager, "approved")
        assert [decision.stage for decision in decisions_of(session, application_id)] == [
            "recommend",
            "authorise",
        ]
        assert decision_for(session, application_id, "panel") is None


def test_racing_decisions_for_a_stage_keep_the_first(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    application_id = new_application(session_factory, staff)

    def decide(outcome: str) -> bool:
        with transaction(session_factory) as session:
            return record_decision(session, application_id, "recommend", staff.manager, outcome) is not None  # type: ignore[arg-type]

    assert sorted(run_together(lambda: decide("approved"), lambda: decide("not_yet"))) == [False, True]


def test_a_review_is_decided_once(session_factory: sessionmaker[Session], staff: Staff) -> None:
    application_id = new_application(session_factory, staff)
    with transaction(session_factory) as session:
        request = request_review(
            session, application_id, staff.worker, "Evidence was overlooked", date(2025, 7, 1)
        )
        assert decide_review(session, request.id, staff.service_manager, "approved", "Upheld")
        assert (request.outcome, request.decision_reasons) == ("approved", "Upheld")
        assert not decide_review(session, request.id, staff.hr, "not_approved", "Too late")
    with transaction(session_factory) as session:
        (stored,) = review_requests_of(session, application_id)
        assert (stored.decided_by, stored.outcome, stored.window_closes_on) == (
            staff.service_manager,
            "approved",
            date(2025, 7, 1),
        )
        assert stored.decided_at is not None
