"""`pathway db backup FILE` and `pathway db restore FILE`, round trip, on SQLite (online backup API,
taken while the database is open in WAL mode) and on PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from bot.cli import app
from storage import db, migrate
from storage.db import transaction
from storage.directory import ensure_organisation
from storage.tables import Organisation

PATHWAY = [sys.executable, "-m", "bot.cli"]


def pathway(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"PATHWAY_DATABASE_URL": url})


def organisations(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(Organisation.id)))


def test_backup_and_restore_round_trip(database_url: str, tmp_path: Path, backend: str) -> None:
    if backend == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not on the PATH")
    migrate.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        with transaction(db.session_factory(engine)) as session:
            ensure_organisation(session, "medway", "Medway")
        # Held open while the backup runs, as `pathway serve` would: on SQLite the last commit may still
        # be in the -wal file only, which a copy of the main file would miss.
        with engine.connect() as reader:
            reader.execute(select(func.count()).select_from(Organisation))
            backup = tmp_path / "pathway.backup"
            made = pathway(database_url, "db", "backup", str(backup))
            assert made.exit_code == 0, made.stderr
        with transaction(db.session_factory(engine)) as session:
            ensure_organisation(session, "bcc", "BCC")  # after the backup: the restore takes it away
            session.execute(Organisation.__table__.delete().where(Organisation.id == "medway"))
        assert organisations(engine) == {"bcc"}
        engine.dispose()
        restored = pathway(database_url, "db", "restore", "--yes", str(backup))
        assert restored.exit_code == 0, restored.stderr
        assert organisations(engine) == {"medway"}
        assert migrate.current_revision(database_url) == migrate.head_revision()
    finally:
        engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/pathway.sqlite3"
    migrate.upgrade(url)
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    refused = pathway(url, "db", "restore", "--yes", str(junk))
    assert refused.exit_code == 1 and "not a SQLite database" in refused.stderr
    assert migrate.current_revision(url) == migrate.head_revision()  # untouched


def test_without_pg_dump_the_command_to_run_is_printed(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PATH": str(tmp_path),
        "PATHWAY_DATABASE_URL": "postgresql://pathway:s3cret@db.internal/pathway",
    }
    done = subprocess.run(
        [*PATHWAY, "db", "backup", str(tmp_path / "x.backup")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert (
        "pg_dump --format=custom" in done.stderr and "postgresql://pathway@db.internal/pathway" in done.stderr
    )
    assert "s3cret" not in done.stderr  # the password goes in PGPASSWORD, never on a command line
