"""The retention schedule from settings, run daily by `pathway serve` and on demand by `pathway data
retain`; and the person look-ups behind `pathway data export | erase` and `pathway audit export`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatch import every
from bot.settings import Settings
from storage import audit, db, migrate, personal_data
from storage.columns import utc_now
from storage.db import transaction
from storage.retention import RetentionSchedule, apply_schedule
from storage.tables import Person

log = logging.getLogger(__name__)
RETENTION_INTERVAL_SECONDS = 24 * 60 * 60


def schedule(settings: Settings) -> RetentionSchedule:
    return RetentionSchedule(
        handled_events_days=settings.pathway_retain_handled_events_days,
        sent_messages_weeks=settings.pathway_retain_sent_messages_weeks,
        unanswered_months=settings.pathway_retain_unanswered_months,
        drafts_months=settings.pathway_retain_drafts_months,
        decided_evidence_months=dict(settings.pathway_retain_decided_evidence_months),
        leavers_months=dict(settings.pathway_retain_leavers_months),
    )


def retain(
    sessions: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    with transaction(sessions) as session:
        return apply_schedule(session, schedule(settings), now or utc_now())


async def retain_daily(sessions: sessionmaker[Session], settings: Settings, stop: asyncio.Event) -> None:
    """Once at start-up, then every day. Safe on several servers at once: a rule run twice finds
    nothing left to do."""

    def once() -> None:
        done = retain(sessions, settings)
        log.info("retention: %s", ", ".join(f"{rule} {count}" for rule, count in done.items()))

    await every(RETENTION_INTERVAL_SECONDS, once, stop, "retention")


@contextmanager
def database(settings: Settings) -> Iterator[Session]:
    migrate.upgrade(settings.pathway_database_url)
    engine = db.make_engine(settings.pathway_database_url)
    try:
        with transaction(db.session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def retain_now(settings: Settings) -> dict[str, int]:
    migrate.upgrade(settings.pathway_database_url)
    engine = db.make_engine(settings.pathway_database_url)
    try:
        return retain(db.session_factory(engine), settings)
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
