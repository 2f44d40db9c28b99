"""Questions the assistant could not answer, kept so HR can see where the policy packs fall short."""

from datetime import datetime

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from storage.columns import utc_now
from storage.tables import UnansweredQuestion, UnansweredReason

assert isinstance(UnansweredQuestion.__table__, Table)
# Built once and run as Core: a turn that declines a question writes this row and nothing else of the
# ORM's, and a unit-of-work flush for it cost more than the INSERT.
RECORDING = insert(UnansweredQuestion.__table__)


def record_unanswered(
    session: Session, org_id: str, question: str, reason: UnansweredReason, person_id: int | None = None
) -> None:
    values = {"org_id": org_id, "question": question, "reason": reason, "person_id": person_id,
              "asked_at": utc_now()}  # fmt: skip
    session.connection().execute(RECORDING, values)


def unanswered_since(
    session: Session, org_id: str, since: datetime | None = None
) -> list[UnansweredQuestion]:
    """The organisation's unanswered questions, oldest first."""
    query = select(UnansweredQuestion).where(UnansweredQuestion.org_id == org_id)
    if since is not None:
        query = query.where(UnansweredQuestion.asked_at >= since)
    return list(session.scalars(query.order_by(UnansweredQuestion.asked_at, UnansweredQuestion.id)))
