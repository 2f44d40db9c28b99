"""When a person was first found inactive (a leaver), and when their personal data was erased, for the
retention schedule (storage.retention) and erasure requests (storage.personal_data).

Revision ID: 0006_i18
Revises: 0006_i17
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_i18"
down_revision: str | Sequence[str] | None = "0006_i17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("inactive_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("inactive_since")
