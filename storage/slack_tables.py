"""Slack's tables: which organisation each workspace answers for, and the tables of slack_sdk's
SQLAlchemy installation and OAuth state stores (bot/slack/installations.py reads and writes those).

The stores' tables are slack_sdk's own shape (slack_sdk 3.48: `SQLAlchemyInstallationStore.
build_installations_table`, `build_bots_table`, `SQLAlchemyOAuthStateStore.build_oauth_states_table`),
declared here so Pathway's migrations create them on its own database and its schema check covers them;
tests/slack/test_installations.py fails if slack_sdk's definition drifts from this copy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.tables import Base


class SlackWorkspace(Base):
    """A Slack workspace (T…), or an Enterprise Grid organisation (E…) installed org-wide, whose people
    are answered from one organisation's policy and roster. An organisation may have several."""

    __tablename__ = "slack_workspaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)


class SlackRemoval(Base):
    """A workspace (or Grid organisation) Pathway was removed from: uninstalled, or its bot token
    revoked (Slack's app_uninstalled and tokens_revoked events). Its link to the organisation it
    answered for is gone; this says why, for whatever is still addressed to it. Linking it again
    (after a reinstall) clears it."""

    __tablename__ = "slack_removals"

    workspace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event: Mapped[str] = mapped_column(String(32))  # app_uninstalled | tokens_revoked


class InboxEvent(Base):
    """A Slack message or mention acknowledged and not yet answered (storage.inbox): kept before Slack is
    told 200, so the serving process may crash without losing it (Slack will not send it again); done
    once answered, its payload then emptied, the row kept a while longer to know a late retry."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(primary_key=True)  # arrival order
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    team: Mapped[str] = mapped_column(String(32))
    kept_by: Mapped[str] = mapped_column(String(255))  # the server answering it (host:port)
    # The request body as Slack sent it (JSON text): not JSONB, which cannot hold the \u0000 a message may.
    payload: Mapped[str] = mapped_column(Text)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when kept_by took it: at arrival, or taking over
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


metadata = Base.metadata


def _workspace_and_bot() -> list[Column[object]]:
    """The columns the two tables share, in slack_sdk's order: the workspace and its bot."""
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
    ]


def _bot() -> list[Column[object]]:
    return [
        Column("bot_token", String(200)),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", String(200)),
        Column("bot_token_expires_at", DateTime),
    ]


slack_installations = Table(
    "slack_installations",
    metadata,
    *_workspace_and_bot(),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    *_bot(),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)

slack_bots = Table(
    "slack_bots",
    metadata,
    *_workspace_and_bot(),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    *_bot(),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
