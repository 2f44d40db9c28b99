"""Backups that are safe while Pathway runs, and restores.

SQLite runs in WAL mode, so the database file alone can miss recent commits (they sit in the -wal
file) and a copy taken mid-checkpoint can be torn: the backup goes through SQLite's online backup
API instead, which copies a consistent snapshot. PostgreSQL goes through `pg_dump` (custom format)
and `pg_restore`; when those are not on the PATH the caller is given the commands to run elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from storage.db import database_url

PG_DUMP_TIMEOUT_SECONDS = 3600


class BackupError(Exception):
    """The backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class PostgresTarget:
    """How libpq's tools reach the database: a URL without the password (it goes in PGPASSWORD, not
    on a command line others can see) and, when the URL selects one, the schema Pathway's tables are in."""

    url: str
    password: str | None
    schema: str | None

    def environment(self) -> dict[str, str]:
        return {**os.environ, **({"PGPASSWORD": self.password} if self.password else {})}

    def dump_command(self, file: Path) -> list[str]:
        schema = ["--schema", self.schema] if self.schema else []
        return ["pg_dump", "--format=custom", "--no-owner", *schema, "--file", str(file), self.url]

    def restore_command(self, file: Path) -> list[str]:
        return ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                "--exit-on-error", "--dbname", self.url, str(file)]  # fmt: skip


def postgres_target(url: URL) -> PostgresTarget:
    options = str(url.query.get("options", ""))
    found = re.search(r"-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)", options)
    plain = URL.create(  # without the password (URL.set cannot unset one)
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    schema = found.group(1) if found else None
    return PostgresTarget(plain.render_as_string(hide_password=False), url.password, schema)


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("This SQLite database is in memory: there is no file to back up.")
    return Path(url.database)


def backup(url_text: str | None, file: Path) -> str:
    """Write a backup of the database to `file`; returns what was done, for the operator."""
    url = database_url(url_text)
    if url.get_backend_name() == "sqlite":
        source = sqlite_path(url)
        if not source.exists():
            raise BackupError(f"There is no database at {source} yet (run `pathway db upgrade`).")
        if file.resolve() == source.resolve():
            raise BackupError("The backup file cannot be the database itself.")
        copy_sqlite(source, file)
        return f"backed up {source} to {file} (SQLite online backup)"
    target = postgres_target(url)
    run_tool(target.dump_command(file), target)
    return f"backed up the PostgreSQL database to {file} (pg_dump, custom format)"


def restore(url_text: str | None, file: Path) -> str:
    """Replace the database's contents with the backup in `file`."""
    if not file.is_file():
        raise BackupError(f"There is no backup file at {file}.")
    url = database_url(url_text)
    if url.get_backend_name() == "sqlite":
        check_sqlite_backup(file)
        copy_sqlite(file, sqlite_path(url))
        return f"restored {sqlite_path(url)} from {file}"
    target = postgres_target(url)
    run_tool(target.restore_command(file), target)
    return f"restored the PostgreSQL database from {file} (pg_restore)"


def copy_sqlite(source: Path, destination: Path) -> None:
    """Copy one SQLite database into another through the online backup API (readers and a writer on
    the source may carry on; the destination is replaced page by page in one step)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as reader, sqlite3.connect(destination) as writer:
        reader.backup(writer)
    reader.close()
    writer.close()


def check_sqlite_backup(file: Path) -> None:
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as probe:
            tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        probe.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file} is not a SQLite database ({exc}).") from exc
    if "alembic_version" not in tables:
        raise BackupError(f"{file} is a SQLite database but not a Pathway backup (no alembic_version table).")


def run_tool(command: list[str], target: PostgresTarget) -> None:
    if shutil.which(command[0]) is None:
        shown = " ".join(command).replace(target.url, f"'{target.url}'")
        raise BackupError(
            f"{command[0]} is not on the PATH. Install the PostgreSQL client tools of the server's version "
            f"(Debian: apt-get install postgresql-client), or run on a host that has them:\n  {shown}\n"
            "with the password in PGPASSWORD or ~/.pgpass."
        )
    done = subprocess.run(
        command, env=target.environment(), capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_SECONDS
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")
