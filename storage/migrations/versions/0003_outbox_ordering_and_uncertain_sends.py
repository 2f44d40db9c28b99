"""Outbox: count failed sends apart from claims, remember sends whose outcome is unknown, and index
rows by recipient so a dispatcher can keep each person's messages in order; and the send pace the
dispatchers share per channel.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(
            sa.Column("may_have_arrived", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_index(
        op.f("ix_outbox_recipient_person_id_channel_id"), "outbox", ["recipient_person_id", "channel", "id"]
    )
    op.create_table(
        "channel_paces",
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("next_slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("limited_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_channel_paces")),
    )


def downgrade() -> None:
    op.drop_table("channel_paces")
    op.drop_index(op.f("ix_outbox_recipient_person_id_channel_id"), table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("may_have_arrived")
        batch.drop_column("failures")
