"""Alembic environment. Use `storage.migrate.upgrade`; the `alembic` command works too with `-x url=...`."""

import os

from alembic import context
from sqlalchemy import Connection

from storage.db import database_url, make_engine
from storage.tables import Base


def run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Foreign keys off so batch-mode table rebuilds work, and an explicit BEGIN because pysqlite
        # would otherwise commit each DDL statement on its own; the connection's engine is then disposed.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.exec_driver_sql("BEGIN")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def url_from_command_line() -> str | None:
    return context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("PATHWAY_DATABASE_URL")


def run_offline() -> None:
    context.configure(
        url=database_url(url_from_command_line()),
        target_metadata=Base.metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = make_engine(url_from_command_line())
    try:
        with engine.begin() as own_connection:
            run_migrations(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
