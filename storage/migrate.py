"""Run the Alembic migrations from code, independent of the working directory (`pathway db upgrade`)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from storage.db import make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    # ConfigParser would read a '%' in the path as interpolation.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str | None, revision: str = "head") -> None:
    """Bring the database at `url` (None: the default SQLite file) up to `revision`."""
    # A dedicated engine: env.py changes SQLite connection settings that must not leak into a pool.
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def current_revision(url: str | None) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def downgrade(url: str | None, revision: str) -> None:
    """Take the database back to `revision` ("base" removes every table). For development only."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()
