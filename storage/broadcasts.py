"""Broadcasts HR sends to a chosen audience; each recipient's copy is an outbox row."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.columns import utc_now
from storage.conditional_update import update_if
from storage.tables import Broadcast


def create_broadcast(
    session: Session,
    org_id: str,
    text: str,
    audience: dict[str, Any],
    *,
    created_by: int | None = None,
    scheduled_for: datetime | None = None,
    status: str = "scheduled",
    panel_id: int | None = None,
) -> Broadcast:
    broadcast = Broadcast(
        org_id=org_id,
        text=text,
        audience=audience,
        created_by=created_by,
        scheduled_for=scheduled_for or utc_now(),
        status=status,
        panel_id=panel_id,
    )
    session.add(broadcast)
    session.flush()
    return broadcast


def get_broadcast(session: Session, broadcast_id: int) -> Broadcast | None:
    return session.get(Broadcast, broadcast_id)


def broadcasts_due(session: Session, now: datetime, status: str = "scheduled") -> list[Broadcast]:
    """Broadcasts in `status` whose time has come, earliest first."""
    query = select(Broadcast).where(Broadcast.status == status, Broadcast.scheduled_for <= now)
    return list(session.scalars(query.order_by(Broadcast.scheduled_for, Broadcast.id)))


def lock_broadcast(session: Session, broadcast_id: int) -> Broadcast | None:
    """The broadcast, its row locked until the transaction ends (PostgreSQL), read afresh."""
    return session.get(Broadcast, broadcast_id, with_for_update=True, populate_existing=True)


def change_broadcast_status(session: Session, broadcast_id: int, from_status: str, to_status: str) -> bool:
    """Conditional, so two schedulers cannot both fan the same broadcast out."""
    return update_if(session, Broadcast, broadcast_id, Broadcast.status == from_status, {"status": to_status})


def set_audience(session: Session, broadcast_id: int, audience: dict[str, Any]) -> bool:
    """Choose who a draft goes to; False once it is no longer a draft."""
    return update_if(session, Broadcast, broadcast_id, Broadcast.status == "draft", {"audience": audience})


def schedule_broadcast(session: Session, broadcast_id: int, when: datetime) -> bool:
    """Turn a draft into a broadcast due at `when`; False if it is not a draft (sent, or a double click)."""
    values = {"status": "scheduled", "scheduled_for": when}
    return update_if(session, Broadcast, broadcast_id, Broadcast.status == "draft", values)


def recent_broadcasts(session: Session, org_id: str, limit: int = 10) -> list[Broadcast]:
    """The organisation's broadcasts other than drafts, newest first."""
    query = select(Broadcast).where(Broadcast.org_id == org_id, Broadcast.status != "draft")
    return list(
        session.scalars(query.order_by(Broadcast.created_at.desc(), Broadcast.id.desc()).limit(limit))
    )
