"""One turn of a conversation: who is talking, in which organisation, at what time, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from dialogs.messages import Platform, Reply
from knowledge.library import Library
from knowledge.models import Pack
from storage import outbox
from storage.directory import identities_of, platforms_of
from storage.tables import Identity, Person


@dataclass
class Turn:
    session: Session
    library: Library
    person: Person
    now: datetime
    # Where someone with no chat account on their organisation's platforms is reached when the
    # organisation has not said which platforms its staff use: the platform of this turn (console,
    # web, or a turn the system runs: None, and the message is recorded as undeliverable).
    channel: Platform | None
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
        where = reach(self.session, person, self.channel)
        row = outbox.enqueue(
            self.session,
            org_id=person.org_id,
            channel=where.channel,
            address=where.address,
            kind=kind,
            payload=reply.model_dump(mode="json"),
            idempotency_key=key,
            recipient_person_id=person.id,
            failed_because=where.problem,
        )
        self.notified.append(row.id)


@dataclass(frozen=True)
class Destination:
    """Where a person is messaged: a channel and the address there, or why they cannot be."""

    channel: Platform
    address: dict[str, object]
    problem: str | None = None


CHAT_PLATFORMS = ("slack", "teams")


def no_platform(org_id: str) -> str:
    return f"{org_id} has not said which platform its staff use (pathway org platforms {org_id} slack|teams)"


def elsewhere(session: Session, org_id: str, channel: str, address: dict[str, object]) -> Destination | None:
    """Where a message looked up by email goes when `channel` has nobody with that email: the
    organisation's next platform not tried yet (the address keeps where they were not found, for the
    reach report); None when every platform it uses has been tried, or it was not sent by email."""
    email = address.get("email")
    if not email:
        return None
    tried = [*_listed(address.get("not_on")), channel]
    for platform in platforms_of(session, org_id):
        if platform in CHAT_PLATFORMS and platform not in tried:
            return Destination(platform, {"email": email, "not_on": tried})
    return None


def _listed(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def reach(session: Session, person: Person, fallback: Platform | None) -> Destination:
    """Where to message a person (see reach_among)."""
    platforms = platforms_of(session, person.org_id)
    return reach_among(identities_of(session, person.id), person, platforms, fallback)


def reach_among(
    identities: Iterable[Identity], person: Person, platforms: Sequence[Platform], fallback: Platform | None
) -> Destination:
    """The chat account they last used on one of their organisation's platforms; else, by their roster
    email, the organisation's first platform (the sender finds them there: Slack's users.lookupByEmail,
    Teams' proactive install); else `fallback`. `reach`, choosing from identities already loaded (a
    broadcast loads them all at once)."""
    usable = platforms or CHAT_PLATFORMS
    for identity in sorted(identities, key=lambda i: i.id, reverse=True):
        if identity.platform in usable and identity.platform in CHAT_PLATFORMS and identity.address:
            return Destination(identity.platform, dict(identity.address))  # type: ignore[arg-type]
    by_email: dict[str, object] = {"email": person.email}
    if platforms:
        return Destination(platforms[0], by_email)
    if fallback is not None:
        return Destination(fallback, by_email)
    return Destination("web", by_email, no_platform(person.org_id))
