"""The retention schedule from settings, run daily by `pathway serve` and on demand by `pathway data
retain` (storage.retention holds the rules)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.dispatch import every
from bot.settings import Settings
from storage import db, migrate
from storage.columns import utc_now
from storage.db import transaction
from storage.retention import RetentionSchedule, apply_schedule

log = logging.getLogger(__name__)
RETENTION_INTERVAL_SECONDS = 24 * 60 * 60


def schedule(settings: Settings) -> RetentionSchedule:
    return RetentionSchedule(
        handled_events_days=settings.pathway_retain_handled_events_days,
        inbox_days=settings.pathway_retain_inbox_days,
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


def retain_now(settings: Settings) -> dict[str, int]:
    migrate.upgrade(settings.pathway_database_url)
    engine = db.make_engine(settings.pathway_database_url)
    try:
        return retain(db.session_factory(engine), settings)
    finally:
        engine.dispose()
