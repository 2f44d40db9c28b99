"""Initial schema: organisations, people, identities, dialog state, applications and their evidence,
decisions and reviews, panels, broadcasts, the outbox and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept literal here (not imported from storage.tables) so this migration never changes after release.
FINAL_STATUSES = "'approved', 'not_approved', 'withdrawn'"

POSTGRESQL_AUDIT_GUARD = [
    """
    CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()
    """,
]

SQLITE_AUDIT_GUARD = [
    f"""
    CREATE TRIGGER audit_log_no_{operation.lower()} BEFORE {operation} ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {operation} is not allowed'); END
    """
    for operation in ("UPDATE", "DELETE")
]


def json_type(*, none_as_null: bool = False) -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=none_as_null).with_variant(
        postgresql.JSONB(none_as_null=none_as_null), "postgresql"
    )


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_directory()
    create_applications()
    create_notifications()
    create_audit_log()


def create_directory() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slack_team_id", sa.String(64), nullable=True),
        sa.Column("teams_tenant_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("slack_team_id", name=op.f("uq_organisations_slack_team_id")),
        sa.UniqueConstraint("teams_tenant_id", name=op.f("uq_organisations_teams_tenant_id")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("line_manager_id", sa.Integer(), nullable=True),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("framework", sa.String(16), nullable=True),
        sa.Column("level", sa.String(64), nullable=True),
        sa.Column("grade", sa.String(64), nullable=True),
        sa.Column("spinal_point", sa.Integer(), nullable=True),
        sa.Column("qualified_on", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("muted_broadcasts", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.CheckConstraint(
            "role IN ('worker', 'manager', 'service_manager', 'hr', 'admin')", name=op.f("ck_people_role")
        ),
        sa.CheckConstraint("framework IN ('children', 'adults')", name=op.f("ck_people_framework")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_people_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["line_manager_id"], ["people.id"], name=op.f("fk_people_line_manager_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("org_id", "email", name=op.f("uq_people_org_id_email")),
    )
    op.create_index(op.f("ix_people_line_manager_id"), "people", ["line_manager_id"])
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("tenant", sa.String(128), server_default="", nullable=False),
        sa.Column("external_id", sa.String(256), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("address", json_type(none_as_null=True), nullable=True),
        sa.CheckConstraint(
            "platform IN ('slack', 'teams', 'web', 'console')", name=op.f("ck_identities_platform")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_identities_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
        sa.UniqueConstraint(
            "platform", "tenant", "external_id", name=op.f("uq_identities_platform_tenant_external_id")
        ),
    )
    op.create_index(op.f("ix_identities_person_id"), "identities", ["person_id"])
    op.create_table(
        "dialog_states",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("dialog", sa.String(64), nullable=False),
        sa.Column("state", json_type(none_as_null=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_dialog_states_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", "dialog", name=op.f("pk_dialog_states")),
    )


def create_applications() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_level", sa.String(64), nullable=False),
        sa.Column("from_level", sa.String(64), nullable=False),
        sa.Column("from_point", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("line_manager_id", sa.Integer(), nullable=True),
        sa.Column("authoriser_id", sa.Integer(), nullable=True),
        timestamp("submitted_at", nullable=True),
        timestamp("manager_signed_at", nullable=True),
        timestamp("decided_at", nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=True),
        timestamp("created_at"),
        timestamp("updated_at"),
        sa.Column("data", json_type(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_applications_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_applications_person_id_people")),
        sa.ForeignKeyConstraint(
            ["line_manager_id"], ["people.id"], name=op.f("fk_applications_line_manager_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["authoriser_id"], ["people.id"], name=op.f("fk_applications_authoriser_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_index(op.f("ix_applications_person_id"), "applications", ["person_id"])
    op.create_index(op.f("ix_applications_org_id_status"), "applications", ["org_id", "status"])
    active_only = sa.text(f"status NOT IN ({FINAL_STATUSES})")
    op.create_index(
        "uq_applications_one_active_per_person",
        "applications",
        ["person_id"],
        unique=True,
        sqlite_where=active_only,
        postgresql_where=active_only,
    )
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("competency", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        timestamp("created_at"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_evidence_items_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
    )
    op.create_index(op.f("ix_evidence_items_application_id"), "evidence_items", ["application_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reasons", sa.Text(), server_default="", nullable=False),
        sa.Column("agreed_actions", sa.Text(), server_default="", nullable=False),
        timestamp("decided_at"),
        sa.CheckConstraint(
            "stage IN ('recommend', 'authorise', 'panel', 'review')", name=op.f("ck_decisions_stage")
        ),
        sa.CheckConstraint(
            "outcome IN ('approved', 'not_approved', 'not_yet')", name=op.f("ck_decisions_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_decisions_application_id_applications")
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["people.id"], name=op.f("fk_decisions_decided_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("application_id", "stage", name=op.f("uq_decisions_application_id_stage")),
    )
    op.create_table(
        "review_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        timestamp("requested_at"),
        sa.Column("window_closes_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=True),
        timestamp("decided_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_review_requests_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["people.id"], name=op.f("fk_review_requests_requested_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["people.id"], name=op.f("fk_review_requests_decided_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_requests")),
    )
    op.create_index(op.f("ix_review_requests_application_id"), "review_requests", ["application_id"])


def create_notifications() -> None:
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        timestamp("asked_at"),
        sa.CheckConstraint(
            "reason IN ('declined', 'low_confidence', 'out_of_scope')",
            name=op.f("ck_unanswered_questions_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_unanswered_questions_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_unanswered_questions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_questions")),
    )
    op.create_index(
        op.f("ix_unanswered_questions_org_id_asked_at"), "unanswered_questions", ["org_id", "asked_at"]
    )
    op.create_table(
        "panels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("sits_on", sa.Date(), nullable=False),
        sa.Column("submission_deadline", sa.Date(), nullable=True),
        sa.Column("location", sa.Text(), server_default="", nullable=False),
        sa.Column("members", sa.Text(), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("cancelled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_panels_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["people.id"], name=op.f("fk_panels_created_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
    )
    op.create_index(op.f("ix_panels_org_id_sits_on"), "panels", ["org_id", "sits_on"])
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("audience", json_type(), nullable=False),
        timestamp("scheduled_for"),
        sa.Column("status", sa.String(32), nullable=False),
        timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_broadcasts_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["people.id"], name=op.f("fk_broadcasts_created_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    op.create_index(op.f("ix_broadcasts_org_id"), "broadcasts", ["org_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("recipient_person_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", json_type(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", json_type(), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        timestamp("due_at"),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(128), nullable=True),
        timestamp("claimed_until", nullable=True),
        timestamp("delivered_at", nullable=True),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        timestamp("created_at"),
        sa.CheckConstraint("channel IN ('slack', 'teams', 'web', 'console')", name=op.f("ck_outbox_channel")),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'delivered', 'failed')", name=op.f("ck_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_outbox_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_person_id"], ["people.id"], name=op.f("fk_outbox_recipient_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["broadcast_id"], ["broadcasts.id"], name=op.f("fk_outbox_broadcast_id_broadcasts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    op.create_index(op.f("ix_outbox_status_due_at"), "outbox", ["status", "due_at"])
    op.create_index(op.f("ix_outbox_broadcast_id"), "outbox", ["broadcast_id"])


def create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        timestamp("at"),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", json_type(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_audit_log_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["people.id"], name=op.f("fk_audit_log_actor_id_people")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_audit_log_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_application_id"), "audit_log", ["application_id"])
    op.create_index(op.f("ix_audit_log_org_id_at"), "audit_log", ["org_id", "at"])
    # Append-only is enforced by the database, not just by the code that happens to use it.
    guard = POSTGRESQL_AUDIT_GUARD if op.get_bind().dialect.name == "postgresql" else SQLITE_AUDIT_GUARD
    for statement in guard:
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "audit_log",
        "outbox",
        "broadcasts",
        "panels",
        "unanswered_questions",
        "review_requests",
        "decisions",
        "evidence_items",
        "applications",
        "dialog_states",
        "identities",
        "people",
        "organisations",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_reject_change()")
