"""What a turn reads before it routes, in one statement: the active person behind a chat account, where
that account was last reached, and the person's dialogs. A question from someone already linked is then
two statements in all (the delivery mark and this), where it was three round trips before."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import Session, aliased

from storage.dialog_states import NEW, Saved
from storage.tables import DialogState, Identity, Person, Platform


@dataclass(frozen=True)
class Known:
    """A linked chat account's person, the address stored for the account, and the person's dialogs."""

    person: Person
    address: dict[str, Any] | None
    dialogs: dict[str, Saved]


@cache
def _known(dialogs: tuple[str, ...]) -> Select[Any]:
    """The account's person and each dialog's (state, version) as columns of one row (an outer join per
    dialog: a dialog never saved is NULLs), built once per set of dialogs with its values as parameters."""
    saved = [aliased(DialogState, name=f"dialog_{n}") for n in range(len(dialogs))]
    query = (
        select(Person, Identity.address, *[column for s in saved for column in (s.state, s.version)])
        .select_from(Identity)
        .join(Person, Identity.person_id == Person.id)
    )
    for state, dialog in zip(saved, dialogs, strict=True):
        query = query.outerjoin(state, and_(state.person_id == Person.id, state.dialog == dialog))
    return query.where(
        Identity.platform == bindparam("platform"),
        Identity.tenant == bindparam("tenant"),
        Identity.external_id == bindparam("external_id"),
        Person.active.is_(True),
    )


def known_sender(
    session: Session, platform: Platform, tenant: str, external_id: str, dialogs: tuple[str, ...]
) -> Known | None:
    """The active person behind this chat account with their `dialogs` (see storage.dialog_states);
    None when the account is not linked, or its person has left."""
    values = {"platform": platform, "tenant": tenant, "external_id": external_id}
    row = session.execute(_known(dialogs), values).one_or_none()
    if row is None:
        return None
    person, address, *states = row
    found: dict[str, Saved] = {
        dialog: (states[2 * n], states[2 * n + 1]) if states[2 * n + 1] is not None else (None, NEW)
        for n, dialog in enumerate(dialogs)
    }
    return Known(person, dict(address) if address is not None else None, found)
