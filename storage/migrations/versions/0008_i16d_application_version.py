"""An application's version: every change to whom its decision waits on, and every change of status,
moves it on by one in a single conditional UPDATE, so of two people acting on the same version (two
reassignments, or a reassignment and a decision, on any number of servers) exactly one wins.

Revision ID: 0008_i16d
Revises: 0007_i17b
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_i16d"
down_revision: str | Sequence[str] | None = "0007_i17b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("version")
