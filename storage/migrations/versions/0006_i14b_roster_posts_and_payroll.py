"""The roster's post details (ERN, job title, post number) and the payroll contact's role.

Medway's Manager Authorisation form asks for the employee's ERN, job title and post number, and is sent
to Payroll Services: HR records those on the roster, the payroll contact as a person with role payroll.

Revision ID: 0006_i14b
Revises: 0006_i18
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_i14b"
down_revision: str | Sequence[str] | None = "0006_i14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_BEFORE = "role IN ('worker', 'manager', 'service_manager', 'hr', 'admin')"
ROLES_AFTER = "role IN ('worker', 'manager', 'service_manager', 'hr', 'admin', 'payroll')"


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("ern", sa.String(64), nullable=True))
        batch.add_column(sa.Column("job_title", sa.Text(), nullable=True))
        batch.add_column(sa.Column("post_number", sa.String(64), nullable=True))
        batch.drop_constraint(op.f("ck_people_role"), type_="check")
        batch.create_check_constraint("role", ROLES_AFTER)


def downgrade() -> None:
    op.execute(sa.text("UPDATE people SET role = 'worker', active = false WHERE role = 'payroll'"))
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint(op.f("ck_people_role"), type_="check")
        batch.create_check_constraint("role", ROLES_BEFORE)
        batch.drop_column("post_number")
        batch.drop_column("job_title")
        batch.drop_column("ern")
