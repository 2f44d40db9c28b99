"""Local procedures HR records in chat (validated by the caller against knowledge's model)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.tables import LocalProcedureRecord


def record_local_procedure(
    session: Session, org_id: str, recorded_by: int, procedure: dict[str, Any], recorded_at: datetime
) -> LocalProcedureRecord:
    row = LocalProcedureRecord(
        org_id=org_id, recorded_by=recorded_by, procedure=procedure, recorded_at=recorded_at
    )
    session.add(row)
    session.flush()
    return row


def latest_local_procedure(session: Session, org_id: str) -> LocalProcedureRecord | None:
    query = select(LocalProcedureRecord).where(LocalProcedureRecord.org_id == org_id)
    return session.scalars(query.order_by(LocalProcedureRecord.id.desc()).limit(1)).first()
