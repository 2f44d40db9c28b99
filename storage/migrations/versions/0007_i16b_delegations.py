"""Delegations: a decider away until a date, whose decisions go to another eligible person meanwhile.

Revision ID: 0007_i16b
Revises: 0007_i16c
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_i16b"
down_revision: str | Sequence[str] | None = "0007_i16c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("from_person_id", sa.Integer(), nullable=False),
        sa.Column("to_person_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_delegations_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["from_person_id"], ["people.id"], name=op.f("fk_delegations_from_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["to_person_id"], ["people.id"], name=op.f("fk_delegations_to_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index(op.f("ix_delegations_to_person_id"), "delegations", ["to_person_id"])
    op.create_index(
        "uq_delegations_one_open_per_person",
        "delegations",
        ["from_person_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_delegations_one_open_per_person", table_name="delegations")
    op.drop_index(op.f("ix_delegations_to_person_id"), table_name="delegations")
    op.drop_table("delegations")
