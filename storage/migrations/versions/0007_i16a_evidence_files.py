"""Files given as evidence (a portfolio, a certificate), stored with their application.

Revision ID: 0007_i16a
Revises: 0006_i14b
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_i16a"
down_revision: str | Sequence[str] | None = "0006_i14b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(128), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("held_because", sa.Text(), nullable=True),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_evidence_files_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["added_by"], ["people.id"], name=op.f("fk_evidence_files_added_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
    )
    op.create_index(op.f("ix_evidence_files_application_id"), "evidence_files", ["application_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_files_application_id"), table_name="evidence_files")
    op.drop_table("evidence_files")
