"""One turn of a conversation: who is talking, in which organisation, at what time, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from dialogs.messages import Platform, Reply
from knowledge.library import Library
from knowledge.models import Pack
from storage import outbox
from storage.directory import identities_of
from storage.tables import Identity, Person


@dataclass
class Turn:
    session: Session
    library: Library
    person: Person
    now: datetime
    channel: Platform  # where people with no chat identity yet are reached (console, web)
    notified: list[int] = field(default_factory=list)  # outbox ids written this turn

    @property
    def org(self) -> str:
        return self.person.org_id

    @property
    def pack(self) -> Pack:
        return self.library.packs[self.person.org_id]

    @property
    def today(self) -> date:
        return self.now.date()

    def notify(self, person: Person, reply: Reply, key: str, kind: str = "message") -> None:
        """Queue `reply` for `person` in this transaction; `key` makes the same notice go out once."""
        channel, address = reach(self.session, person, self.channel)
        row = outbox.enqueue(
            self.session,
            org_id=person.org_id,
            channel=channel,
            address=address,
            kind=kind,
            payload=reply.model_dump(mode="json"),
            idempotency_key=key,
            recipient_person_id=person.id,
        )
        self.notified.append(row.id)


def reach(session: Session, person: Person, fallback: Platform) -> tuple[Platform, dict[str, object]]:
    """The channel and address to message a person on: the chat account they last used, if any."""
    return reach_among(identities_of(session, person.id), person, fallback)


def reach_among(
    identities: Iterable[Identity], person: Person, fallback: Platform
) -> tuple[Platform, dict[str, object]]:
    """`reach`, choosing from the person's identities already loaded (a broadcast loads them all at once)."""
    for identity in sorted(identities, key=lambda i: i.id, reverse=True):
        if identity.platform in ("slack", "teams") and identity.address:
            return identity.platform, dict(identity.address)  # type: ignore[return-value]
    return fallback, {"email": person.email}
