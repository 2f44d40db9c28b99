"""The panel a broadcast announces (HR's "Broadcast it" on a panel), so the deadline reminder offered
after it is that panel's, not whichever panel comes next.

Revision ID: 0007_i16c
Revises: 0007_i16a
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_i16c"
down_revision: str | Sequence[str] | None = "0007_i16a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("panel_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_broadcasts_panel_id_panels"), "panels", ["panel_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_constraint(op.f("fk_broadcasts_panel_id_panels"), type_="foreignkey")
        batch.drop_column("panel_id")
