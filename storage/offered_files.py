"""Documents offered in Teams as files: kept under a random token until the person accepts the offer."""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.tables import OfferedFile


def offer(session: Session, person_id: int | None, filename: str, media_type: str, content: str) -> str:
    """Keep a document to be uploaded once accepted; returns the token the offer carries."""
    token = secrets.token_urlsafe(24)
    session.add(OfferedFile(token=token, person_id=person_id, filename=filename, media_type=media_type,
                            content=content))  # fmt: skip
    session.flush()
    return token


def offered(session: Session, token: str) -> OfferedFile | None:
    return session.scalars(select(OfferedFile).where(OfferedFile.token == token)).one_or_none()
