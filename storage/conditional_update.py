"""The one-row conditional UPDATE behind every race-safe state change in storage."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, inspect, update
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql import ClauseElement


def update_if(
    session: Session,
    entity: type[DeclarativeBase],
    key: Any,
    condition: ColumnElement[bool],
    values: Mapping[str, Any],
    *,
    instance: object | None = None,
) -> bool:
    """UPDATE entity SET values WHERE primary key = key AND condition, as one statement.

    True if the row changed. Under concurrency the database decides: of two callers with the same
    condition exactly one sees True. An instance of the row already loaded in the session (or passed
    as `instance`, e.g. one from an earlier, closed session) is brought up to date as well.
    """
    primary_key = inspect(entity).primary_key[0]
    statement = (
        update(entity)
        .where(primary_key == key, condition)
        .values(**values)
        .returning(primary_key)
        .execution_options(synchronize_session=False)
    )
    if session.execute(statement).first() is None:
        return False
    loaded = session.identity_map.get(identity_key(entity, key))
    for target in {id(item): item for item in (loaded, instance) if item is not None}.values():
        refresh_values(session, target, values)
    return True


def refresh_values(session: Session, target: object, values: Mapping[str, Any]) -> None:
    computed = [name for name, value in values.items() if isinstance(value, ClauseElement)]
    for name, value in values.items():
        if name not in computed:
            set_committed_value(target, name, value)
    if computed and inspect(target).session is session:
        session.expire(target, computed)  # worked out by the database: read it back on next access
