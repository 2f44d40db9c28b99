"""Database fixtures: SQLite per test, and PostgreSQL too when PATHWAY_TEST_DATABASE_URL is set
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test).

- `database_url`: an empty database (a SQLite file in tmp_path, or a fresh PostgreSQL schema selected
  through the connection's search_path and dropped afterwards), for tests of the migrations.
- `engine` / `session_factory`: a database built by the real migrations. To keep the suite fast the
  migrations run once per test session: SQLite tests get a copy of a migrated file, PostgreSQL tests
  share one migrated schema that is emptied after each test.
- `postgres_session_factory`: the same, PostgreSQL only (skipped without the variable), for
  behaviour SQLite does not have, such as SKIP LOCKED.

Under pytest-xdist (`make test`) each worker does all this once for itself, in a PostgreSQL database of
its own (`worker_database`).
"""

import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage import db, migrate
from storage.tables import Base


def pytest_configure(config: pytest.Config) -> None:
    # Packs verified at a command's start-up (knowledge/verified_packs.py) are kept in this run's own
    # folder, and the commands the tests start inherit it, rather than in the user's cache.
    os.environ.setdefault("PATHWAY_CACHE_DIR", tempfile.mkdtemp(prefix="pathway-verified-packs-"))


def worker_database(url: str, worker: str | None) -> str:
    """The PostgreSQL database of this pytest-xdist worker (`test` -> `test_gw0`), created when missing.

    Each test already has a schema of its own, but LISTEN/NOTIFY reaches every listener of a database:
    a 429 pause announced by one worker's test would pause the other worker's dispatchers. Without
    xdist, or when the user may not create databases, the given database is used as it is.
    """
    if not url or not worker:
        return url
    given = db.database_url(url)
    name = f"{given.database}_{worker}"
    admin = db.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if found.first() is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except DBAPIError as exc:
        warnings.warn(f"cannot create {name} ({exc.orig}): this worker shares {given.database}", stacklevel=1)
        return url
    finally:
        admin.engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = worker_database(
    os.environ.get("PATHWAY_TEST_DATABASE_URL", ""), os.environ.get("PYTEST_XDIST_WORKER")
)
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/pathway.sqlite3"
    else:
        yield from postgres_schema()


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on a migrated database that is empty when the test starts."""
    fixture = "sqlite_engine" if backend == "sqlite" else "postgres_engine"
    yield request.getfixturevalue(fixture)


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(engine)


@pytest.fixture
def postgres_session_factory(postgres_engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(postgres_engine)


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture
def sqlite_engine(migrated_sqlite_file: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "pathway.sqlite3"
    shutil.copyfile(migrated_sqlite_file, path)
    engine = db.make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("set PATHWAY_TEST_DATABASE_URL to run the PostgreSQL tests")
    for url in postgres_schema():
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def shared_postgres_engine(migrated_postgres_url: str) -> Iterator[Engine]:
    engine = db.make_engine(migrated_postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine(shared_postgres_engine: Engine) -> Iterator[Engine]:
    yield shared_postgres_engine
    empty_postgres_tables(shared_postgres_engine)


def empty_postgres_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        # Fail rather than hang on a connection a failed test left in a transaction.
        connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
        # The append-only triggers would refuse; the schema's owner may lift them inside this transaction.
        connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        for table in reversed(Base.metadata.sorted_tables):
            connection.exec_driver_sql(f'DELETE FROM "{table.name}"')
        connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")


def postgres_schema() -> Iterator[str]:
    """A URL whose connections use a new, empty schema; the schema is dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = db.make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    # Tests need no durability: not waiting for the WAL flush on commit saves seconds.
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    url = db.database_url(POSTGRES_URL).update_query_dict({"options": options})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql("SET lock_timeout = '5s'")
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.engine.dispose()
