"""The inbox: Slack messages and mentions kept before they are acknowledged, until answered, so a crash
of the serving process after the 200 loses none of them.

Revision ID: 0009_issue17d
Revises: 0008_issue17c
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_issue17d"
down_revision: str | Sequence[str] | None = "0008_issue17c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("kept_by", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_inbox_event_id")),
    )
    op.create_index(op.f("ix_inbox_done_at"), "inbox", ["done_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_done_at"), table_name="inbox")
    op.drop_table("inbox")
