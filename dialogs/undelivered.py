"""Telling HR what Pathway could not deliver (no such user on the platform, the app blocked by policy,
given up after repeated failures), so a person is never left out silently.

One notice per failed message, to each of the organisation's HR people; for a broadcast, one notice
per broadcast (its reach report lists every copy and why). A notice that itself fails is not chased.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from dialogs.messages import Reply, button
from dialogs.turn import reach
from storage import directory, outbox
from storage.tables import OutboxMessage, Person

KIND = "undelivered"
WHAT = {"broadcast": "broadcast", "reminder": "reminder", "card_update": "card update"}


def tell_hr(session: Session, failed: Sequence[tuple[OutboxMessage, str]]) -> int:
    """Queue HR's notices about these failed messages (each with why); returns how many were queued."""
    queued, told = 0, set()
    for message, reason in failed:
        if message.kind == KIND or (message.broadcast_id is not None and message.broadcast_id in told):
            continue
        if message.broadcast_id is not None:
            told.add(message.broadcast_id)
        recipient = (
            directory.get_person(session, message.recipient_person_id)
            if message.recipient_person_id
            else None
        )
        for hr in directory.list_people(session, message.org_id, roles=["hr"]):
            queued += _notify(session, hr, message, _notice(message, recipient, reason))
    return queued


def _notice(message: OutboxMessage, recipient: Person | None, reason: str) -> Reply:
    who = f"{recipient.name} ({recipient.email})" if recipient else "someone"
    headline = str((message.payload or {}).get("text") or "").splitlines()[0:1]
    quoted = f" “{headline[0][:80]}”" if headline else ""
    if message.broadcast_id is not None:
        text = (f"Some copies of your broadcast{quoted} could not be delivered: to {who} on {message.channel}, "
                f"because {reason}. The reach report lists everyone it missed and why.")  # fmt: skip
        return Reply(
            text=text, buttons=[button("Reach report", "broadcast_report", broadcast=message.broadcast_id)]
        )
    what = WHAT.get(message.kind, "message")
    return Reply(text=f"Pathway could not deliver a {what}{quoted} to {who} on {message.channel}, because "
                      f"{reason}. Please let them know another way, or fix their account and ask them to "
                      "message Pathway.")  # fmt: skip


def _notify(session: Session, hr: Person, message: OutboxMessage, notice: Reply) -> int:
    where = reach(session, hr, None)
    if where.problem is not None:  # nowhere to tell them either: the reach report still shows it
        return 0
    about = f"broadcast:{message.broadcast_id}" if message.broadcast_id is not None else str(message.id)
    outbox.enqueue(session, org_id=hr.org_id, channel=where.channel, address=where.address, kind=KIND,
                   payload=notice.model_dump(mode="json"), idempotency_key=f"{KIND}:{about}:{hr.id}",
                   recipient_person_id=hr.id)  # fmt: skip
    return 1
