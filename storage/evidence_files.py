"""Files given as evidence, kept in the database with their application (see tables.EvidenceFile)."""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, defer

from storage.tables import EvidenceFile

__all__ = ["add_file", "drop_unplaced", "files_of", "get_file", "remove_file"]


def add_file(
    session: Session,
    application_id: int,
    *,
    filename: str,
    media_type: str,
    content: bytes,
    slot: str | None,
    added_by: int | None,
    held_because: str | None = None,
) -> EvidenceFile:
    row = EvidenceFile(application_id=application_id, slot=slot, filename=filename, media_type=media_type,
                       size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                       held_because=held_because, added_by=added_by)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def files_of(session: Session, application_id: int, *, placed_only: bool = True) -> list[EvidenceFile]:
    """An application's files, oldest first, without their content (loaded only when one is read).
    `placed_only`: those given an item and not held, i.e. the ones that count and deciders see."""
    query = (
        select(EvidenceFile)
        .options(defer(EvidenceFile.content))
        .where(EvidenceFile.application_id == application_id)
        .order_by(EvidenceFile.id)
    )
    if placed_only:
        query = query.where(EvidenceFile.slot.is_not(None), EvidenceFile.held_because.is_(None))
    return list(session.scalars(query))


def get_file(session: Session, file_id: int) -> EvidenceFile | None:
    return session.get(EvidenceFile, file_id)


def remove_file(session: Session, application_id: int, file_id: int) -> bool:
    """Remove one file; the application id guards against removing someone else's."""
    statement = (
        delete(EvidenceFile)
        .where(EvidenceFile.id == file_id, EvidenceFile.application_id == application_id)
        .returning(EvidenceFile.id)
        .execution_options(synchronize_session="fetch")
    )
    return session.execute(statement).first() is not None


def drop_unplaced(session: Session, application_id: int) -> int:
    """Files never given an item, or held and never kept: they go nowhere, so they are not kept."""
    statement = (
        delete(EvidenceFile)
        .where(
            EvidenceFile.application_id == application_id,
            (EvidenceFile.slot.is_(None)) | (EvidenceFile.held_because.is_not(None)),
        )
        .returning(EvidenceFile.id)
        .execution_options(synchronize_session="fetch")
    )
    return len(session.execute(statement).all())
