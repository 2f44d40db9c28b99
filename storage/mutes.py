"""People who muted broadcasts. Only broadcasts are held back: decisions addressed to them still go."""

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.tables import Person


def mute(session: Session, person_id: int) -> None:
    session.execute(update(Person).where(Person.id == person_id).values(muted_broadcasts=True))


def unmute(session: Session, person_id: int) -> bool:
    """False if the person had not muted broadcasts."""
    query = update(Person).where(Person.id == person_id, Person.muted_broadcasts.is_(True))
    changed = session.execute(query.values(muted_broadcasts=False).returning(Person.id)).first()
    return changed is not None


def is_muted(session: Session, person_id: int) -> bool:
    return bool(session.scalar(select(Person.muted_broadcasts).where(Person.id == person_id)))


def muted_among(session: Session, person_ids: Collection[int]) -> set[int]:
    if not person_ids:
        return set()
    query = select(Person.id).where(Person.id.in_(list(person_ids)), Person.muted_broadcasts.is_(True))
    return set(session.scalars(query))
