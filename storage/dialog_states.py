"""Dialog state per person and dialog, saved at the end of every turn with optimistic locking.

A turn loads (state, version), computes, then saves with that version; if another turn (a double
click, a second server) saved in between, the save returns False and the caller re-runs or gives up.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from storage.columns import utc_now
from storage.db import dialect_insert
from storage.tables import DialogState

# The version of a dialog that has never been saved.
NEW = 0


Saved = tuple[dict[str, Any] | None, int]  # a dialog's state and the version to pass to save_state


def load_state(session: Session, person_id: int, dialog: str) -> Saved:
    """The saved state (None if never saved, or ended) and the version to pass to save_state."""
    return load_states(session, person_id, (dialog,))[dialog]


# Built once, with its values as parameters (a turn runs it every time).
STATES = select(DialogState.dialog, DialogState.state, DialogState.version).where(
    DialogState.person_id == bindparam("person_id"),
    DialogState.dialog.in_(bindparam("dialogs", expanding=True)),
)


def load_states(session: Session, person_id: int, dialogs: Iterable[str]) -> dict[str, Saved]:
    """Several of the person's dialogs at once (one query: a turn reads them all before it starts)."""
    wanted = list(dialogs)
    rows = session.execute(STATES, {"person_id": person_id, "dialogs": wanted})
    found = {row.dialog: (row.state, row.version) for row in rows}
    return {dialog: found.get(dialog, (None, NEW)) for dialog in wanted}


def save_state(
    session: Session, person_id: int, dialog: str, state: dict[str, Any] | None, expected_version: int
) -> bool:
    """Save `state` (None ends the dialog) if nobody saved since `expected_version` was loaded."""
    if expected_version == NEW:
        return insert_first_state(session, person_id, dialog, state)
    statement = (
        update(DialogState)
        .where(
            DialogState.person_id == person_id,
            DialogState.dialog == dialog,
            DialogState.version == expected_version,
        )
        .values(state=state, version=expected_version + 1, updated_at=utc_now())
        .returning(DialogState.version)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).first() is not None


def insert_first_state(session: Session, person_id: int, dialog: str, state: dict[str, Any] | None) -> bool:
    insert = dialect_insert(session, DialogState).values(
        person_id=person_id, dialog=dialog, state=state, version=NEW + 1, updated_at=utc_now()
    )
    inserted = insert.on_conflict_do_nothing(index_elements=["person_id", "dialog"]).returning(
        DialogState.version
    )
    return session.execute(inserted).first() is not None
