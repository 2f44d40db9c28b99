"""The suite's own isolation under pytest-xdist (`make test`): each worker on a PostgreSQL database of
its own, so one worker's NOTIFY (a 429 pause, a wake-up) never reaches another worker's dispatchers."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import make_url

from storage import db
from tests.conftest import worker_database

GIVEN = os.environ.get("PATHWAY_TEST_DATABASE_URL", "")


def test_without_xdist_or_postgresql_the_given_url_is_used() -> None:
    assert worker_database("postgresql+psycopg://postgres@127.0.0.1:5432/test", None).endswith("/test")
    assert worker_database("", "gw0") == ""


@pytest.mark.skipif(not GIVEN, reason="set PATHWAY_TEST_DATABASE_URL to run the PostgreSQL tests")
def test_a_worker_gets_a_database_of_its_own_that_does_not_hear_the_others_notices() -> None:
    name = f"{make_url(GIVEN).database}_gwcheck"
    admin = db.make_engine(GIVEN).execution_options(isolation_level="AUTOCOMMIT")
    try:
        url = worker_database(GIVEN, "gwcheck")
        assert make_url(url).database == name
        assert worker_database(GIVEN, "gwcheck") == url  # a second run reuses it
        own = db.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with own.connect() as listening, admin.connect() as other:
            raw = listening.connection.driver_connection
            assert raw is not None
            raw.execute("LISTEN pathway_pauses")
            other.exec_driver_sql("SELECT pg_notify('pathway_pauses', 'slack 2026-01-01T00:00:00')")
            assert list(raw.notifies(timeout=0.5, stop_after=1)) == []
        own.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.engine.dispose()
