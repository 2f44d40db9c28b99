"""The look-ups behind `pathway data export | erase` and `pathway audit export`: a person found by
email, in a transaction on the configured database (storage.personal_data does the work)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.settings import Settings
from storage import audit, db, migrate, personal_data
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import Person


@contextmanager
def database(settings: Settings) -> Iterator[Session]:
    migrate.upgrade(settings.pathway_database_url)
    engine = db.make_engine(settings.pathway_database_url)
    try:
        with transaction(db.session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def find_person(session: Session, email: str, org: str | None) -> Person:
    """The one person with this email (on `org`'s roster), or a clear message and exit code 2."""
    query = select(Person).where(Person.email == email.strip().lower())
    if org is not None:
        query = query.where(Person.org_id == org)
    found = list(session.scalars(query))
    if not found:
        typer.echo(f"No one with the email {email}{f' in {org}' if org else ''} is on the roster.", err=True)
        raise typer.Exit(2)
    if len(found) > 1:
        orgs = ", ".join(sorted(p.org_id for p in found))
        typer.echo(f"{email} is on more than one roster ({orgs}): give --org.", err=True)
        raise typer.Exit(2)
    return found[0]


def find_and_export(email: str, org: str | None) -> dict[str, Any]:
    with database(Settings()) as session:
        return personal_data.everything_about(session, find_person(session, email, org))


def find_and_erase(email: str, org: str | None) -> personal_data.Erasure:
    with database(Settings()) as session:
        return personal_data.erase(session, find_person(session, email, org), utc_now())


AUDIT_HEADER = ["at", "organisation", "action", "actor_id", "actor", "application_id", "detail"]


def audit_rows(org: str, start: datetime | None, end: datetime | None) -> list[list[Any]]:
    with database(Settings()) as session:
        entries = audit.between(session, org, start, end)
        return [AUDIT_HEADER] + [
            [entry.at.isoformat(), entry.org_id, entry.action, entry.actor_id, name, entry.application_id,
             "; ".join(f"{key}={value}" for key, value in sorted(entry.detail.items()))]
            for entry, name in entries
        ]  # fmt: skip
