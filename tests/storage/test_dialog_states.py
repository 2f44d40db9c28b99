from sqlalchemy.orm import Session, sessionmaker

from storage.applications import load_state, save_state
from storage.db import transaction
from tests.storage.concurrency import run_together
from tests.storage.conftest import Staff


def test_state_is_saved_and_versioned(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        assert load_state(session, staff.worker, "application") == (None, 0)
        assert save_state(session, staff.worker, "application", {"step": "level"}, 0)
    with transaction(session_factory) as session:
        state, version = load_state(session, staff.worker, "application")
        assert (state, version) == ({"step": "level"}, 1)
        assert save_state(session, staff.worker, "application", {"step": "evidence", "items": [1]}, version)
        assert load_state(session, staff.worker, "application") == ({"step": "evidence", "items": [1]}, 2)
        assert load_state(session, staff.worker, "review") == (None, 0)
        assert load_state(session, staff.other_worker, "application") == (None, 0)


def test_a_save_from_a_stale_version_is_refused(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        save_state(session, staff.worker, "application", {"step": "level"}, 0)
    with transaction(session_factory) as session:
        _, seen_by_both = load_state(session, staff.worker, "application")
        assert save_state(
            session, staff.worker, "application", {"step": "from the first click"}, seen_by_both
        )
        assert not save_state(session, staff.worker, "application", {"step": "from the second"}, seen_by_both)
        assert not save_state(session, staff.worker, "application", {"step": "brand new?"}, 0)
        assert load_state(session, staff.worker, "application") == ({"step": "from the first click"}, 2)


def test_ending_a_dialog_keeps_the_version_moving(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    with transaction(session_factory) as session:
        save_state(session, staff.worker, "application", {"step": "done"}, 0)
        assert save_state(session, staff.worker, "application", None, 1)
        assert load_state(session, staff.worker, "application") == (None, 2)
        assert save_state(session, staff.worker, "application", {"step": "start"}, 2)


def test_two_first_turns_at_once_save_one_state(session_factory: sessionmaker[Session], staff: Staff) -> None:
    def first_turn(step: str) -> bool:
        with transaction(session_factory) as session:
            return save_state(session, staff.worker, "application", {"step": step}, 0)

    results = run_together(lambda: first_turn("a"), lambda: first_turn("b"))
    assert sorted(results) == [False, True]
    with transaction(session_factory) as session:
        state, version = load_state(session, staff.worker, "application")
    assert version == 1 and state == {"step": "a" if results[0] else "b"}
