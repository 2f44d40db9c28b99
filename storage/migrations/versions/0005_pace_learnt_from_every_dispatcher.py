"""Learn the shared send pace from every dispatcher's report and from two bursts: when a pause ends,
when the one before it ended, the reports by worker, and the smallest estimate from how many bursts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A pace is a cache of what the platform allows, relearnt within seconds: start afresh.
    op.execute(sa.text("DELETE FROM channel_paces"))
    with op.batch_alter_table("channel_paces") as batch:
        batch.add_column(sa.Column("pause_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reports", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False))
        batch.add_column(sa.Column("estimate", sa.Float(), nullable=True))
        batch.add_column(sa.Column("bursts", sa.Integer(), server_default=sa.text("0"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("channel_paces") as batch:
        batch.drop_column("bursts")
        batch.drop_column("estimate")
        batch.drop_column("reports")
        batch.drop_column("resumed_at")
        batch.drop_column("pause_until")
