"""Who is talking: a platform account linked to someone on the organisation's roster."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dialogs.messages import Incoming
from storage import directory
from storage.tables import Person


def identify(session: Session, incoming: Incoming) -> Person | None:
    """The roster person behind this message, linking their chat account on first contact by email."""
    sender = incoming.sender
    found = directory.find_identity_and_person(session, sender.platform, sender.tenant, sender.user_id)
    person = found[1] if found is not None else None
    if found is not None and person is not None and person.org_id == incoming.org and person.active:
        # Where to reach them, kept up to date; not rewritten on every message when it has not changed.
        if sender.address and found[0].address != dict(sender.address):
            directory.link_identity(
                session, person.id, sender.platform, sender.tenant, sender.user_id, dict(sender.address)
            )
        return person
    email = sender.email or (sender.user_id if sender.platform in ("console", "web") else None)
    if not email:
        return None
    person = directory.find_person_by_email(session, incoming.org, email)
    if person is None or not person.active:
        return None
    address = dict(sender.address) if sender.address else None
    directory.link_identity(session, person.id, sender.platform, sender.tenant, sender.user_id, address)
    return person
