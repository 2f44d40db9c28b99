"""Where cards were posted, so a reply that `replaces` a card can update every copy in place."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.tables import Platform, PostedMessage


def remember(
    session: Session, card_key: str, person_id: int, channel: Platform, reference: dict[str, Any]
) -> None:
    """Record (or move) the copy of card `card_key` that `person_id` sees on `channel`."""
    insert = dialect_insert(session, PostedMessage).values(
        card_key=card_key, person_id=person_id, channel=channel, reference=reference
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["card_key", "person_id", "channel"], set_={"reference": reference}
        )
    )


def copies(session: Session, card_key: str, channel: Platform | None = None) -> list[PostedMessage]:
    """Every posted copy of a card (optionally on one channel), oldest first."""
    query = select(PostedMessage).where(PostedMessage.card_key == card_key)
    if channel is not None:
        query = query.where(PostedMessage.channel == channel)
    return list(session.scalars(query.order_by(PostedMessage.id)))


def copy_for(session: Session, card_key: str, person_id: int, channel: Platform) -> PostedMessage | None:
    query = select(PostedMessage).where(
        PostedMessage.card_key == card_key,
        PostedMessage.person_id == person_id,
        PostedMessage.channel == channel,
    )
    return session.scalars(query).one_or_none()
