"""Posted cards (to update them in place) and handled platform events (to ignore retries).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLATFORMS = "'slack', 'teams', 'web', 'console'"


def json_type() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def timestamp(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "posted_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_key", sa.String(255), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("reference", json_type(), nullable=False),
        timestamp("posted_at"),
        sa.CheckConstraint(f"channel IN ({PLATFORMS})", name=op.f("ck_posted_messages_channel")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_posted_messages_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posted_messages")),
        sa.UniqueConstraint(
            "card_key", "person_id", "channel", name=op.f("uq_posted_messages_card_key_person_id_channel")
        ),
    )
    op.create_index(op.f("ix_posted_messages_card_key"), "posted_messages", ["card_key"])
    op.create_table(
        "handled_events",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        timestamp("handled_at"),
        sa.CheckConstraint(f"platform IN ({PLATFORMS})", name=op.f("ck_handled_events_platform")),
        sa.PrimaryKeyConstraint("platform", "event_id", name=op.f("pk_handled_events")),
    )
    op.create_index(op.f("ix_handled_events_handled_at"), "handled_events", ["handled_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handled_events_handled_at"), table_name="handled_events")
    op.drop_table("handled_events")
    op.drop_index(op.f("ix_posted_messages_card_key"), table_name="posted_messages")
    op.drop_table("posted_messages")
