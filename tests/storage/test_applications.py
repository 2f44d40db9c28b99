import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.applications import (
    active_application,
    add_evidence,
    applications_awaiting,
    applications_of,
    create_application,
    delete_evidence,
    get_application,
    list_evidence,
    transition,
)
from storage.db import transaction
from tests.storage.concurrency import run_together
from tests.storage.conftest import Staff


def start_application(session_factory: sessionmaker[Session], staff: Staff, status: str = "drafting") -> int:
    with transaction(session_factory) as session:
        application = create_application(
            session,
            org_id="medway",
            person_id=staff.worker,
            target_level="3",
            from_level="2",
            from_point=33,
            line_manager_id=staff.manager,
            status=status,
        )
        return application.id


def test_an_application_is_created_and_found(session_factory: sessionmaker[Session], staff: Staff) -> None:
    application_id = start_application(session_factory, staff)
    with transaction(session_factory) as session:
        application = get_application(session, application_id)
        assert application is not None
        assert (application.status, application.data, application.created_at.tzinfo) == ("drafting", {}, UTC)
        active = active_application(session, staff.worker)
        assert active is not None and active.id == application_id
        assert active_application(session, staff.other_worker) is None
        assert get_application(session, -1) is None


def test_only_one_unfinished_application_per_person(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    first = start_application(session_factory, staff)
    with pytest.raises(IntegrityError):
        start_application(session_factory, staff)
    with transaction(session_factory) as session:
        assert transition(session, first, "drafting", "withdrawn")
    second = start_application(session_factory, staff)
    with transaction(session_factory) as session:
        assert [application.id for application in applications_of(session, staff.worker)] == [second, first]
        active = active_application(session, staff.worker)
        assert active is not None and active.id == second


def test_transition_only_from_the_expected_status(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    application_id = start_application(session_factory, staff)
    submitted = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    with transaction(session_factory) as session:
        loaded = get_application(session, application_id)
        assert transition(session, application_id, "drafting", "awaiting_manager", submitted_at=submitted)
        assert loaded is not None and loaded.status == "awaiting_manager"  # the loaded object follows
        assert not transition(session, application_id, "drafting", "awaiting_manager")
        assert not transition(session, -1, "drafting", "awaiting_manager")
        queue = applications_awaiting(session, "awaiting_manager", line_manager_id=staff.manager)
        assert [application.id for application in queue] == [application_id]
        assert applications_awaiting(session, "awaiting_manager", line_manager_id=staff.hr) == []
    with transaction(session_factory) as session:
        stored = get_application(session, application_id)
        assert stored is not None and (stored.status, stored.submitted_at) == ("awaiting_manager", submitted)


def test_transition_refuses_fields_it_must_not_change(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    application_id = start_application(session_factory, staff)
    with pytest.raises(TypeError, match="person_id"), transaction(session_factory) as session:
        transition(session, application_id, "drafting", "approved", person_id=staff.other_worker)


def test_of_two_racing_decisions_exactly_one_wins(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    application_id = start_application(session_factory, staff, status="awaiting_manager")

    def decide(outcome: str) -> bool:
        with transaction(session_factory) as session:
            return transition(
                session, application_id, "awaiting_manager", outcome, decided_at=datetime.now(UTC)
            )

    results = run_together(lambda: decide("approved"), lambda: decide("not_approved"))
    assert sorted(results) == [False, True]
    with transaction(session_factory) as session:
        stored = get_application(session, application_id)
        assert stored is not None and stored.status == ("approved" if results[0] else "not_approved")


def test_a_waiting_decision_loses_once_the_first_commits(
    postgres_session_factory: sessionmaker[Session], staff_on_postgres: Staff
) -> None:
    factory, staff = postgres_session_factory, staff_on_postgres
    application_id = start_application(factory, staff, status="awaiting_manager")
    second_result: list[bool] = []

    def second_decision() -> None:
        with transaction(factory) as session:
            second_result.append(transition(session, application_id, "awaiting_manager", "not_approved"))

    with transaction(factory) as first:
        assert transition(first, application_id, "awaiting_manager", "approved")
        racer = threading.Thread(target=second_decision)
        racer.start()
        racer.join(0.3)
        assert racer.is_alive()  # blocked on the row lock until the first decision commits
    racer.join(10)
    assert second_result == [False]


def test_evidence_is_added_listed_and_deleted_in_order(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    application_id = start_application(session_factory, staff)
    other_id = start_application_for_other(session_factory, staff)
    with transaction(session_factory) as session:
        first = add_evidence(session, application_id, "critical-reflection", "Supervision notes")
        second = add_evidence(session, application_id, "leadership", "Led the duty rota")
        third = add_evidence(session, application_id, "critical-reflection", "Case review")
        assert (first.position, second.position, third.position) == (1, 2, 3)
        assert not delete_evidence(session, other_id, first.id)  # not that application's evidence
        assert delete_evidence(session, application_id, second.id)
        assert not delete_evidence(session, application_id, second.id)
    with transaction(session_factory) as session:
        texts = [item.text for item in list_evidence(session, application_id)]
        assert texts == ["Supervision notes", "Case review"]
        assert len(list_evidence(session, application_id, "leadership")) == 0
        assert list_evidence(session, other_id) == []


def start_application_for_other(session_factory: sessionmaker[Session], staff: Staff) -> int:
    with transaction(session_factory) as session:
        return create_application(
            session, org_id="medway", person_id=staff.other_worker, target_level="3", from_level="2"
        ).id


def test_data_and_effective_date_are_set_by_a_transition(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    application_id = start_application(session_factory, staff, status="awaiting_panel")
    with transaction(session_factory) as session:
        assert transition(
            session,
            application_id,
            "awaiting_panel",
            "approved",
            effective_date=date(2025, 9, 1),
            data={"summary": "Strong evidence"},
        )
    with transaction(session_factory) as session:
        stored = get_application(session, application_id)
        assert stored is not None
        assert (stored.effective_date, stored.data) == (date(2025, 9, 1), {"summary": "Strong evidence"})
        assert active_application(session, staff.worker) is None
