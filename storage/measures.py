"""Figures for the metrics endpoint that the database holds, so every process reports the same:
the outbox's backlog per channel and the decisions recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.tables import Application, Decision, OutboxMessage, ReviewRequest


@dataclass(frozen=True)
class Backlog:
    channel: str
    status: str  # pending or sending
    count: int
    oldest: datetime  # when the oldest of them was queued


def outbox_backlog(session: Session) -> list[Backlog]:
    """Messages not yet settled (pending or being sent), per channel and status."""
    query = (
        select(OutboxMessage.channel, OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status.in_(("pending", "sending")))
        .group_by(OutboxMessage.channel, OutboxMessage.status)
    )
    return [
        Backlog(channel, status, count, oldest) for channel, status, count, oldest in session.execute(query)
    ]


def decision_counts(session: Session) -> list[tuple[str, str, str, int]]:
    """(organisation, stage, outcome, how many) over every decision recorded; reviews as stage "review"."""
    decisions = (
        select(Application.org_id, Decision.stage, Decision.outcome, func.count())
        .join(Application, Application.id == Decision.application_id)
        .group_by(Application.org_id, Decision.stage, Decision.outcome)
    )
    reviews = (
        select(Application.org_id, ReviewRequest.outcome, func.count())
        .join(Application, Application.id == ReviewRequest.application_id)
        .where(ReviewRequest.outcome.is_not(None))
        .group_by(Application.org_id, ReviewRequest.outcome)
    )
    counts = [(org, stage, outcome, n) for org, stage, outcome, n in session.execute(decisions)]
    return counts + [(org, "review", str(outcome), n) for org, outcome, n in session.execute(reviews)]
