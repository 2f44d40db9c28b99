"""Where Pathway is installed in Slack (the installation store's tables, storage.slack_tables): which
installation serves a workspace, and the list of installed workspaces. The store itself (slack_sdk's,
in bot/slack/installations.py) reads and writes the rows; these queries only find them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.slack_tables import slack_bots


@dataclass(frozen=True)
class InstallationKeys:
    """What slack_sdk's store finds an installation by."""

    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool


@dataclass(frozen=True)
class Installed:
    workspace_id: str  # the team (T…), or the Grid organisation (E…) for an org-wide install
    name: str
    enterprise_id: str | None
    installed_at: datetime


def keys_for(
    session: Session, client_id: str, team: str | None, enterprise: str | None
) -> InstallationKeys | None:
    """The installation that serves this workspace: its own (in a Grid or not), else its Grid
    organisation's org-wide one; None when the app is not installed there."""
    c = slack_bots.c
    latest = select(c.enterprise_id, c.team_id).order_by(c.installed_at.desc()).limit(1)
    if team:
        own = session.execute(latest.where(c.client_id == client_id, c.team_id == team)).first()
        if own is not None:
            return InstallationKeys(own.enterprise_id, own.team_id, False)
    if enterprise:
        org_wide = latest.where(
            c.client_id == client_id, c.enterprise_id == enterprise, c.is_enterprise_install
        )
        if session.execute(org_wide).first() is not None:
            return InstallationKeys(enterprise, None, True)
    return None


def installed(session: Session, client_id: str) -> list[Installed]:
    """Every workspace (or Grid organisation) Pathway is installed in, its latest installation each."""
    c = slack_bots.c
    rows = session.execute(
        select(
            c.team_id,
            c.team_name,
            c.enterprise_id,
            c.enterprise_name,
            c.is_enterprise_install,
            c.installed_at,
        )
        .where(c.client_id == client_id)
        .order_by(c.installed_at)
    )
    found: dict[str, Installed] = {}
    for row in rows:
        workspace = row.enterprise_id if row.is_enterprise_install else row.team_id
        name = row.enterprise_name if row.is_enterprise_install else row.team_name
        if workspace:
            found[workspace] = Installed(workspace, name or "", row.enterprise_id, row.installed_at)
    return sorted(found.values(), key=lambda i: i.workspace_id)
