from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, Table, inspect

from storage.db import make_engine
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.tables import Base


def schema_differences(engine: Engine, metadata: MetaData) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    assert current_revision(database_url) is None
    upgrade(database_url)
    upgrade(database_url)  # already at head: nothing to do
    assert current_revision(database_url) == head_revision()
    assert head_revision() is not None
    engine = make_engine(database_url)
    try:
        assert schema_differences(engine, Base.metadata) == []
    finally:
        engine.dispose()


def test_the_comparison_would_notice_a_difference(engine: Engine) -> None:
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    Table("outbox", changed, Column("priority", Integer), extend_existing=True)
    assert [difference[0] for difference in schema_differences(engine, changed)] == ["add_column"]  # type: ignore[index]


def test_downgrade_to_base_and_back(database_url: str) -> None:
    upgrade(database_url)
    downgrade(database_url, "base")
    assert table_names(database_url) <= {"alembic_version"}
    assert current_revision(database_url) is None
    upgrade(database_url)
    assert table_names(database_url) == set(Base.metadata.tables) | {"alembic_version"}


def test_each_organisations_slack_workspace_moves_to_the_workspaces_table_and_back(database_url: str) -> None:
    upgrade(database_url, "0007_i16b")  # the revision before 0007_i17b
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO organisations (id, name, slack_team_id, platforms) VALUES "
                "('medway', 'Medway', 'T1', '[\"slack\"]'), ('bcc', 'BCC', NULL, '[]')"
            )
        upgrade(database_url)
        with engine.connect() as connection:
            linked = connection.exec_driver_sql("SELECT id, org_id FROM slack_workspaces").all()
        assert [tuple(row) for row in linked] == [("T1", "medway")]
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO slack_workspaces (id, org_id) VALUES ('T0', 'medway')")
        engine.dispose()
        downgrade(database_url, "0007_i16b")
        with engine.connect() as connection:
            teams = connection.exec_driver_sql(
                "SELECT id, slack_team_id FROM organisations ORDER BY id"
            ).all()
        assert [tuple(row) for row in teams] == [("bcc", None), ("medway", "T0")]  # one each: the first
    finally:
        engine.dispose()
