"""The database tables (SQLAlchemy 2.0 declarative). The schema itself is created by the migrations."""

from datetime import date, datetime
from typing import Any, Final, Literal, get_args

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from storage.columns import JsonDocument, NullableJsonDocument, UTCDateTime, utc_now

# "payroll": the organisation's payroll contact (Medway's Payroll Services), sent the payroll paperwork.
Role = Literal["worker", "manager", "service_manager", "hr", "admin", "payroll"]
Framework = Literal["children", "adults"]
Platform = Literal["slack", "teams", "web", "console"]
DecisionOutcome = Literal["approved", "not_approved", "not_yet"]
UnansweredReason = Literal["declined", "low_confidence", "out_of_scope"]
# withdrawn: never sent, because what it asked of its recipient no longer does (HR reassigned the decision).
OutboxStatus = Literal["pending", "sending", "delivered", "failed", "withdrawn"]
SETTLED_STATUSES: Final = ("delivered", "failed", "withdrawn")  # an outbox row that will not be sent again

ROLES: Final = get_args(Role)
FRAMEWORKS: Final = get_args(Framework)
PLATFORMS: Final = get_args(Platform)
# An application in one of these states is over; anything else counts as the person's active one.
FINAL_APPLICATION_STATUSES: Final = ("approved", "not_approved", "withdrawn")

# Stable constraint names, so later migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({sql_list(values)})", name=column)


FINAL_LIST: Final = sql_list(FINAL_APPLICATION_STATUSES)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    teams_tenant_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Its Slack workspaces are rows of slack_workspaces (storage.slack_tables): it may have several.
    # Where staff who have never talked to Pathway are reached, in order of preference ("slack",
    # "teams"; "web" only in the demo). Linking a workspace adds its platform; HR can see and set it.
    platforms: Mapped[list[str]] = mapped_column(JsonDocument, default=list, server_default=text("'[]'"))


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("org_id", "email"),
        one_of("role", ROLES),
        one_of("framework", FRAMEWORKS),
        Index(None, "line_manager_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(32))
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    team: Mapped[str | None] = mapped_column(Text)
    framework: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(64))
    grade: Mapped[str | None] = mapped_column(String(64))
    spinal_point: Mapped[int | None] = mapped_column(Integer)
    qualified_on: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    # What HR's systems call the person and their post (Medway's Manager Authorisation asks for them).
    ern: Mapped[str | None] = mapped_column(String(64))
    job_title: Mapped[str | None] = mapped_column(Text)
    post_number: Mapped[str | None] = mapped_column(String(64))
    muted_broadcasts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Set by the retention job when it first finds the person inactive (a leaver), cleared if they are
    # active again: a leaver's data is kept for the period HR sets from then (storage.retention).
    inactive_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When their personal data was erased or pseudonymised; the row stays for the decisions it made.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @validates("email")
    def lower_case_email(self, _key: str, email: str) -> str:
        return email.strip().lower()


class Identity(Base):
    """One chat account (Slack user in a workspace, Teams user in a tenant, ...) of a person."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "tenant", "external_id"), one_of("platform", PLATFORMS))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(128), default="", server_default="")
    external_id: Mapped[str] = mapped_column(String(256))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The platform's conversation reference, kept so the bot can message the person unprompted.
    address: Mapped[dict[str, Any] | None] = mapped_column(NullableJsonDocument)


class DialogState(Base):
    __tablename__ = "dialog_states"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    dialog: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict[str, Any] | None] = mapped_column(NullableJsonDocument)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index(None, "org_id", "status"),
        # At most one unfinished application per person, even when a "start" button is clicked twice.
        Index(
            "uq_applications_one_active_per_person",
            "person_id",
            unique=True,
            sqlite_where=text(f"status NOT IN ({FINAL_LIST})"),
            postgresql_where=text(f"status NOT IN ({FINAL_LIST})"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    target_level: Mapped[str] = mapped_column(String(64))
    from_level: Mapped[str] = mapped_column(String(64))
    from_point: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    authoriser_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manager_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effective_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # Moved on by every change of status and of whom a decision waits on (storage.applications.claim):
    # buttons that act on a decision carry the version they were drawn at.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Checklist answers and summary; JSON is not change-tracked in place, so assign a new dict.
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)


class EvidenceItem(Base):
    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    competency: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    position: Mapped[int] = mapped_column(Integer)


class EvidenceFile(Base):
    """A file given as evidence (a portfolio, a certificate), kept with its application. `slot` is the
    evidence item it belongs to (None until the worker says which); a file whose name looked as if it
    identified someone is `held_because` that, counted and shown to nobody until the worker keeps it."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str | None] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    held_because: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("application_id", "stage"),
        one_of("outcome", get_args(DecisionOutcome)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    stage: Mapped[str] = mapped_column(String(64))  # the pack's route stage id, or "review"
    decided_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text, default="", server_default="")
    agreed_actions: Mapped[str] = mapped_column(Text, default="", server_default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # What the decider recorded, keyed by the pack's field ids (Medway: {"competencies": "met", ...}).
    recorded: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict, server_default=text("'{}'"))
    sat_on: Mapped[date | None] = mapped_column(Date)  # a panel's sitting date


class ReviewRequest(Base):
    __tablename__ = "review_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reasons: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    window_closes_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respond_by: Mapped[date | None] = mapped_column(Date)  # the policy's response deadline, in working days
    hearing_on: Mapped[date | None] = mapped_column(Date)
    hearing_arranged_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class PostHolder(Base):
    """Who holds a post the organisation's pack names (a panel member, "Assistant Director, ...")."""

    __tablename__ = "post_holders"
    __table_args__ = (UniqueConstraint("org_id", "post", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    post: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Delegation(Base):
    """A decider away (out of office): until the end of `until` (a UK date), decisions that would go
    to them go to `to_person_id`, and those waiting on them when it was set moved there. Open while
    `ended_at` is unset; the reminders pass ends it once its last day is over, or they end it early."""

    __tablename__ = "delegations"
    __table_args__ = (
        # One open delegation per person: a new one replaces the last (storage.delegations).
        Index(
            "uq_delegations_one_open_per_person",
            "from_person_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    from_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    to_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    until: Mapped[date] = mapped_column(Date)  # the last day it is in force, UK time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LocalProcedureRecord(Base):
    """A local procedure HR recorded in chat for an organisation whose policy states no route;
    the latest one is in force. `procedure` validates as knowledge.models.LocalProcedure."""

    __tablename__ = "local_procedures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    procedure: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


class AuditEntry(Base):
    """Append-only: the migrations install triggers that reject UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "org_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_questions"
    __table_args__ = (Index(None, "org_id", "asked_at"), one_of("reason", get_args(UnansweredReason)))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    question: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(32))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Panel(Base):
    __tablename__ = "panels"
    __table_args__ = (Index(None, "org_id", "sits_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    sits_on: Mapped[date] = mapped_column(Date)
    submission_deadline: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(Text, default="", server_default="")
    members: Mapped[str] = mapped_column(Text, default="", server_default="")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    # Who it is for, e.g. {"roles": ["worker"], "frameworks": ["adults"], "teams": [...]}.
    audience: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # The panel it announces (HR's "Broadcast it" on a panel), whose deadline a reminder is offered for.
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"))


class OutboxMessage(Base):
    """A message waiting to be sent, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(None, "status", "due_at"),
        Index(None, "broadcast_id"),
        Index(
            None, "recipient_person_id", "channel", "id"
        ),  # each person's messages go out in order, per channel
        one_of("channel", PLATFORMS),
        one_of("status", get_args(OutboxStatus)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    recipient_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))  # claims
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))  # failed sends
    # A send began and its outcome is unknown (its dispatcher died, or the platform answered 5xx), so
    # the platform may already have the message: the next attempt checks before posting again.
    may_have_arrived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class PostedMessage(Base):
    """Where a card was posted on a chat platform, so a later reply with `replaces` can update it in place."""

    __tablename__ = "posted_messages"
    __table_args__ = (UniqueConstraint("card_key", "person_id", "channel"), one_of("channel", PLATFORMS))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_key: Mapped[str] = mapped_column(String(255), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    # The platform's handle on the posted message: Slack {channel, ts}; Teams {conversation, activity_id, ...}.
    reference: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class HandledEvent(Base):
    """Platform deliveries already handled (Slack event_id, Teams activity id): a retry is not handled twice."""

    __tablename__ = "handled_events"
    __table_args__ = (one_of("platform", PLATFORMS),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


class OfferedFile(Base):
    """A document offered in Teams as a file (a file consent card): kept until the person accepts, when
    it is uploaded to their OneDrive. The token travels in the card; the content never does."""

    __tablename__ = "offered_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(128))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class ChannelPace(Base):
    """The send pace every dispatcher shares on one channel, learnt from the platform's 429s
    (see storage.paces): one row per channel, locked briefly by each claim that reserves send slots."""

    __tablename__ = "channel_paces"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    rate: Mapped[float | None] = mapped_column(Float)  # sends a second; NULL: not paced
    next_slot: Mapped[datetime] = mapped_column(UTCDateTime)  # the first free send slot (or a pause's end)
    limited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the 429 that began the last pause
    pause_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when that pause ends
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the pause before it ended
    # True while the last pause's reports are gathered: it ended a stretch of sending that was not paced.
    learning: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Each dispatcher's sends that got through in that stretch, by worker id.
    reports: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    # The smallest estimate of what the platform allows, from how many unpaced bursts (it sets the pace
    # from the second on).
    estimate: Mapped[float | None] = mapped_column(Float)
    bursts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


# Slack's tables, on the same metadata (imported last: they build on Base).
from storage import slack_tables  # noqa: E402, F401
