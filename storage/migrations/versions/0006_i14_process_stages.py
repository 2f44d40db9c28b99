"""Each council's process as its pack states it: decisions per route stage (any stage id the pack
names, with what the decider recorded and a panel's sitting date), review hearings and response
deadlines, who holds the posts a policy names, and local procedures HR records in chat.

Revision ID: 0006_i14
Revises: 0006_i18
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006_i14"
down_revision: str | Sequence[str] | None = "0006_i18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
# Applications waiting at the old fixed stages now wait at the pack's route stage of the same id.
LEGACY_STATUSES = {"awaiting_manager": "awaiting:recommend", "awaiting_authoriser": "awaiting:authorise",
                   "awaiting_panel": "awaiting:panel"}  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint(op.f("ck_decisions_stage"), type_="check")
        batch.alter_column("stage", type_=sa.String(64), existing_type=sa.String(16), existing_nullable=False)
        batch.add_column(sa.Column("recorded", JSON, server_default=sa.text("'{}'"), nullable=False))
        batch.add_column(sa.Column("sat_on", sa.Date(), nullable=True))
    with op.batch_alter_table("review_requests") as batch:
        batch.add_column(sa.Column("respond_by", sa.Date(), nullable=True))
        batch.add_column(sa.Column("hearing_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("hearing_arranged_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_review_requests_hearing_arranged_by_people"), "people", ["hearing_arranged_by"], ["id"]
        )
    op.create_table(
        "post_holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("post", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_post_holders_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_post_holders_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["people.id"], name=op.f("fk_post_holders_assigned_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_holders")),
        sa.UniqueConstraint(
            "org_id", "post", "person_id", name=op.f("uq_post_holders_org_id_post_person_id")
        ),
    )
    op.create_table(
        "local_procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("procedure", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_local_procedures_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["people.id"], name=op.f("fk_local_procedures_recorded_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_procedures")),
    )
    op.create_index(op.f("ix_local_procedures_org_id"), "local_procedures", ["org_id"])
    for old, new in LEGACY_STATUSES.items():
        op.execute(
            sa.text("UPDATE applications SET status = :new WHERE status = :old").bindparams(old=old, new=new)
        )


def downgrade() -> None:
    for old, new in LEGACY_STATUSES.items():
        op.execute(
            sa.text("UPDATE applications SET status = :old WHERE status = :new").bindparams(old=old, new=new)
        )
    op.drop_index(op.f("ix_local_procedures_org_id"), table_name="local_procedures")
    op.drop_table("local_procedures")
    op.drop_table("post_holders")
    with op.batch_alter_table("review_requests") as batch:
        batch.drop_constraint(op.f("fk_review_requests_hearing_arranged_by_people"), type_="foreignkey")
        batch.drop_column("hearing_arranged_by")
        batch.drop_column("hearing_on")
        batch.drop_column("respond_by")
    op.execute(
        sa.text("DELETE FROM decisions WHERE stage NOT IN ('recommend', 'authorise', 'panel', 'review')")
    )
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("sat_on")
        batch.drop_column("recorded")
        batch.alter_column("stage", type_=sa.String(16), existing_type=sa.String(64), existing_nullable=False)
        batch.create_check_constraint("stage", "stage IN ('recommend', 'authorise', 'panel', 'review')")
