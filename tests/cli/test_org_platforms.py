"""Which platforms an organisation's staff use: set and shown with `pathway org platforms`, added when a
workspace is linked, and filled in from the links by the migration that introduced it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.migrate import downgrade, upgrade

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PATHWAY_DATABASE_URL": f"sqlite:///{tmp_path}/pathway.sqlite3"}


def pathway(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def test_platforms_are_set_shown_and_checked(env: dict[str, str]) -> None:
    shown = pathway(env, "org", "platforms", "medway")
    assert shown.exit_code == 0 and "medway has not said which platform" in shown.output
    linked = pathway(env, "teams", "link", "--org", "medway", "--tenant", TENANT)
    assert linked.exit_code == 0, linked.output
    assert "reached on: teams" in pathway(env, "org", "platforms", "medway").output
    chosen = pathway(env, "org", "platforms", "medway", "slack", "teams")
    assert (
        chosen.exit_code == 0 and "reached on: slack, teams (people new to Pathway on slack)" in chosen.output
    )
    refused = pathway(env, "org", "platforms", "medway", "email")
    assert refused.exit_code == 2 and "email: staff can be reached on slack, teams, web" in refused.output
    assert "reached on: slack, teams" in pathway(env, "org", "platforms", "medway").output  # unchanged
    assert pathway(env, "org", "platforms", "nowhere", "slack").exit_code == 2


def test_the_migration_fills_platforms_in_from_linked_workspaces(env: dict[str, str]) -> None:
    url = env["PATHWAY_DATABASE_URL"]
    upgrade(url)
    downgrade(url, "0005")
    with create_engine(url).begin() as connection:
        connection.execute(text("INSERT INTO organisations (id, name, slack_team_id, teams_tenant_id) VALUES "
                                "('medway', 'Medway', 'T1', NULL), ('bcc', 'BCC', 'T2', 'tenant'), "
                                "('coventry', 'Coventry', NULL, NULL)"))  # fmt: skip
    upgrade(url)
    with create_engine(url).connect() as connection:
        rows = dict(connection.execute(text("SELECT id, platforms FROM organisations")).all())
    assert rows == {"medway": '["slack"]', "bcc": '["slack", "teams"]', "coventry": "[]"}
