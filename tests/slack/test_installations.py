"""The installation and OAuth state stores' tables, as Pathway's migrations make them, are the ones
slack_sdk's SQLAlchemy stores define (a slack_sdk upgrade that changes them fails here, before the
stores meet a table they do not expect); and the lock that makes a token refresh happen once."""

from __future__ import annotations

import threading

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, Table, text

from storage.locks import SharedLock
from storage.slack_tables import slack_bots, slack_installations, slack_oauth_states


def shape(table: Table) -> list[tuple[str, str, bool, bool]]:
    columns = [(c.name, repr(c.type), bool(c.nullable), bool(c.primary_key)) for c in table.columns]
    indexes = sorted((i.name or "", ",".join(c.name for c in i.columns)) for i in table.indexes)
    return [*columns, *((name, cols, False, False) for name, cols in indexes)]


def test_the_stores_tables_are_slack_sdks_own() -> None:
    theirs = MetaData()
    assert shape(slack_installations) == shape(
        SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations")
    )
    assert shape(slack_bots) == shape(SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots"))
    assert shape(slack_oauth_states) == shape(
        SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")
    )


def test_the_refresh_lock_is_held_by_one_thread_at_a_time(engine: Engine) -> None:
    first, second = SharedLock(engine, "slack-token:test"), SharedLock(engine, "slack-token:test")
    first.acquire()
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: (second.acquire(), got.append(True)))
    waiter.start()
    waiter.join(0.3)
    assert got == []  # waits while the first holds it
    first.release()
    waiter.join(5)
    assert got == [True]
    second.release()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_on_postgresql_every_process_shares_the_refresh_lock(engine: Engine) -> None:
    lock = SharedLock(engine, "slack-token:shared")
    lock.acquire()
    try:
        with engine.connect() as other_session:  # as another process would ask
            taken = other_session.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": lock.key}
            ).scalar()
        assert taken is False
    finally:
        lock.release()
    with engine.connect() as other_session:
        assert other_session.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": lock.key}).scalar()
        other_session.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock.key})
