"""Each organisation says which platform(s) its staff use: where someone who has never talked to
Pathway is reached. Filled in from the workspaces already linked (Slack team, Teams tenant). And the
documents offered in Teams as files, kept until the person accepts them.

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

    op.create_table(
        "offered_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_offered_files_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offered_files")),
        sa.UniqueConstraint("token", name=op.f("uq_offered_files_token")),
    )


def downgrade() -> None:
    op.drop_table("offered_files")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("platforms")
