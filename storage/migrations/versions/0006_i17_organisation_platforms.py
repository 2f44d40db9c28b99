"""Each organisation says which platform(s) its staff use: where someone who has never talked to
Pathway is reached. Filled in from the workspaces already linked (Slack team, Teams tenant).

Revision ID: 0006_i17
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006_i17"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column(
                "platforms",
                sa.JSON().with_variant(JSONB(), "postgresql"),
                server_default=sa.text("'[]'"),
                nullable=False,
            )
        )
    organisations = sa.table(
        "organisations",
        sa.column("id", sa.String),
        sa.column("slack_team_id", sa.String),
        sa.column("teams_tenant_id", sa.String),
        sa.column("platforms", sa.JSON().with_variant(JSONB(), "postgresql")),
    )
    connection = op.get_bind()
    for org_id, slack, teams in connection.execute(
        sa.select(organisations.c.id, organisations.c.slack_team_id, organisations.c.teams_tenant_id)
    ):
        linked = [name for name, workspace in (("slack", slack), ("teams", teams)) if workspace]
        if linked:
            connection.execute(
                organisations.update().where(organisations.c.id == org_id).values(platforms=linked)
            )


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("platforms")
