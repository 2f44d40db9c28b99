"""Decisions on applications (recommend, authorise, panel, review) and requests for a review."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.columns import utc_now
from storage.conditional_update import update_if
from storage.db import dialect_insert
from storage.tables import Decision, DecisionOutcome, ReviewRequest


def record_decision(
    session: Session,
    application_id: int,
    stage: str,
    decided_by: int,
    outcome: DecisionOutcome,
    reasons: str = "",
    agreed_actions: str = "",
    decided_at: datetime | None = None,
    recorded: dict[str, Any] | None = None,
    sat_on: date | None = None,
) -> Decision | None:
    """Record the decision for this stage; None if the stage already has one (which is kept)."""
    insert = dialect_insert(session, Decision).values(
        application_id=application_id,
        stage=stage,
        decided_by=decided_by,
        outcome=outcome,
        reasons=reasons,
        agreed_actions=agreed_actions,
        decided_at=decided_at or utc_now(),
        recorded=recorded or {},
        sat_on=sat_on,
    )
    inserted = session.execute(
        insert.on_conflict_do_nothing(index_elements=["application_id", "stage"]).returning(Decision.id)
    ).first()
    return None if inserted is None else session.get(Decision, inserted.id)


def decision_for(session: Session, application_id: int, stage: str) -> Decision | None:
    query = select(Decision).where(Decision.application_id == application_id, Decision.stage == stage)
    return session.scalars(query).one_or_none()


def decisions_of(session: Session, application_id: int) -> list[Decision]:
    query = select(Decision).where(Decision.application_id == application_id)
    return list(session.scalars(query.order_by(Decision.decided_at, Decision.id)))


def decisions_by(session: Session, person_id: int, limit: int = 5) -> list[Decision]:
    """The decisions this person recorded, newest first."""
    query = select(Decision).where(Decision.decided_by == person_id)
    return list(session.scalars(query.order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(limit)))


def request_review(
    session: Session,
    application_id: int,
    requested_by: int,
    reasons: str,
    window_closes_on: date,
    respond_by: date | None = None,
    requested_at: datetime | None = None,
) -> ReviewRequest:
    request = ReviewRequest(
        application_id=application_id,
        requested_by=requested_by,
        reasons=reasons,
        window_closes_on=window_closes_on,
        respond_by=respond_by,
        requested_at=requested_at or utc_now(),
    )
    session.add(request)
    session.flush()
    return request


def review_requests_of(session: Session, application_id: int) -> list[ReviewRequest]:
    query = select(ReviewRequest).where(ReviewRequest.application_id == application_id)
    return list(session.scalars(query.order_by(ReviewRequest.requested_at, ReviewRequest.id)))


def decide_review(
    session: Session,
    request_id: int,
    decided_by: int,
    outcome: DecisionOutcome,
    reasons: str,
    decided_at: datetime | None = None,
) -> bool:
    """Settle an undecided review request; False if it was already decided (first decision stands)."""
    return update_if(
        session,
        ReviewRequest,
        request_id,
        ReviewRequest.outcome.is_(None),
        {
            "decided_by": decided_by,
            "outcome": outcome,
            "decision_reasons": reasons,
            "decided_at": decided_at or utc_now(),
        },
    )


def get_review_request(session: Session, request_id: int) -> ReviewRequest | None:
    return session.get(ReviewRequest, request_id)


def undecided_reviews(session: Session) -> list[ReviewRequest]:
    """Review requests still waiting for their decision (what the reminder job chases)."""
    query = select(ReviewRequest).where(ReviewRequest.outcome.is_(None))
    return list(session.scalars(query.order_by(ReviewRequest.requested_at, ReviewRequest.id)))


def arrange_hearing(session: Session, request_id: int, arranged_by: int, hearing_on: date) -> bool:
    """Set the hearing date of an undecided review (it may be moved until the review is decided)."""
    return update_if(
        session,
        ReviewRequest,
        request_id,
        ReviewRequest.outcome.is_(None),
        {"hearing_on": hearing_on, "hearing_arranged_by": arranged_by},
    )
