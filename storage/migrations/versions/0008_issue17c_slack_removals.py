"""Slack workspaces Pathway was removed from (app_uninstalled, tokens_revoked): when, how, and which
organisation each answered for, so what is still addressed there fails with that reason.

Revision ID: 0008_issue17c
Revises: 0008_i16d
Create Date: 2027-01-11
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_issue17c"
down_revision: str | Sequence[str] | None = "0008_i16d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_removals",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_slack_removals_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_slack_removals")),
    )
    op.create_index(op.f("ix_slack_removals_org_id"), "slack_removals", ["org_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_slack_removals_org_id"), table_name="slack_removals")
    op.drop_table("slack_removals")
