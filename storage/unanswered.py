"""Questions the assistant could not answer, kept so HR can see where the policy packs fall short."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.tables import UnansweredQuestion, UnansweredReason


def record_unanswered(
    session: Session, org_id: str, question: str, reason: UnansweredReason, person_id: int | None = None
) -> UnansweredQuestion:
    entry = UnansweredQuestion(org_id=org_id, question=question, reason=reason, person_id=person_id)
    session.add(entry)
    session.flush()
    return entry


def unanswered_since(
    session: Session, org_id: str, since: datetime | None = None
) -> list[UnansweredQuestion]:
    """The organisation's unanswered questions, oldest first."""
    query = select(UnansweredQuestion).where(UnansweredQuestion.org_id == org_id)
    if since is not None:
        query = query.where(UnansweredQuestion.asked_at >= since)
    return list(session.scalars(query.order_by(UnansweredQuestion.asked_at, UnansweredQuestion.id)))
