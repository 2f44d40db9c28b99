"""Who is talking: a platform account linked to someone on the organisation's roster."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dialogs.messages import Incoming
from storage import directory
from storage.dialog_states import Saved, load_states
from storage.tables import Person
from storage.turn_start import known_sender


@dataclass(frozen=True)
class Identified:
    """The roster person behind a message, and the dialogs of theirs the turn asked for."""

    person: Person
    dialogs: dict[str, Saved]


def identify(session: Session, incoming: Incoming, dialogs: tuple[str, ...] = ()) -> Identified | None:
    """The roster person behind this message, linking their chat account on first contact by email,
    with their `dialogs` (read with the account when it is linked already: one statement)."""
    sender = incoming.sender
    known = known_sender(session, sender.platform, sender.tenant, sender.user_id, dialogs)
    if known is not None and known.person.org_id == incoming.org:
        # Where to reach them, kept up to date; not rewritten on every message when it has not changed.
        if sender.address and known.address != dict(sender.address):
            directory.link_identity(
                session, known.person.id, sender.platform, sender.tenant, sender.user_id, dict(sender.address)
            )
        return Identified(known.person, known.dialogs)
    email = sender.email or (sender.user_id if sender.platform in ("console", "web") else None)
    if not email:
        return None
    person = directory.find_person_by_email(session, incoming.org, email)
    if person is None or not person.active:
        return None
    address = dict(sender.address) if sender.address else None
    directory.link_identity(session, person.id, sender.platform, sender.tenant, sender.user_id, address)
    return Identified(person, load_states(session, person.id, dialogs) if dialogs else {})
