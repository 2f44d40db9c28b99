"""Pathway removed from a Slack workspace: Slack's `app_uninstalled` event, and `tokens_revoked` naming
the bot's token (Pathway has no user tokens; a revoked bot token is as final as an uninstall).

Bolt accepts both events without authorising them (the token is already dead). In OAuth mode the
workspace's installation and bot are deleted through slack_sdk's installation store (bolt's own
revocation listeners); in either mode the workspace is unlinked from the organisation it answered for,
the removal recorded (`slack_removals`) and audited. Whatever is still addressed to people there then
fails at once with the reason, into the reach report, and HR is told (the dispatcher's undeliverable
path), instead of being retried with a dead token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.installations import Installations
from storage import audit, directory
from storage.columns import utc_now
from storage.db import transaction
from storage.slack_tables import SlackRemoval

log = logging.getLogger(__name__)
HOW = {"app_uninstalled": "Pathway was removed from", "tokens_revoked": "Pathway's bot token was revoked in"}


def removed_text(removal: SlackRemoval) -> str:
    """Why nothing reaches people in this workspace, for the reach report and HR."""
    how = HOW.get(removal.event, HOW["app_uninstalled"])
    return (f"{how} Slack workspace {removal.workspace_id} on {removal.removed_at.day} {removal.removed_at:%B %Y}: it must be "
            "reinstalled and linked again (pathway slack link) before people there can be reached")  # fmt: skip


def removed_from(sessions: sessionmaker[Session], workspace: dict[str, Any]) -> str | None:
    """Why this workspace ({"team"}, and {"enterprise"} in a Grid) can no longer be reached, or None.
    A workspace linked in its own right is reachable whatever its Grid organisation's install did."""
    team, enterprise = workspace.get("team"), workspace.get("enterprise")
    with transaction(sessions) as session:
        removal = directory.slack_removal(session, str(team)) if team else None
        if (
            removal is None
            and enterprise
            and not (team and directory.organisation_for_slack(session, str(team)))
        ):
            removal = directory.slack_removal(session, str(enterprise))
        return removed_text(removal) if removal is not None else None


def removed_for(sessions: sessionmaker[Session], org_id: str) -> str | None:
    """Why nobody of this organisation can be looked up on Slack: every workspace that answered for it
    has removed Pathway (None while one is still linked, or none ever was)."""
    with transaction(sessions) as session:
        if directory.slack_workspaces_of(session, org_id):
            return None
        removals = directory.slack_removals_of(session, org_id)
        return removed_text(removals[0]) if removals else None


class Revocation:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        installations: Installations | None,
        forget: Callable[[str], None],
    ) -> None:
        self.sessions = sessions
        self.store = AsyncTokenRevocationListeners(installations) if installations is not None else None
        self.forget = forget  # drops what the turns keep about the workspace (its organisation)

    def register(self, app: AsyncApp) -> None:
        app.event("app_uninstalled")(self.uninstalled)
        app.event("tokens_revoked")(self.revoked)

    async def uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        if self.store is not None:
            await self.store.handle_app_uninstalled_events(context)
        await self._removed(body, context, "app_uninstalled")

    async def revoked(self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        if self.store is not None:
            await self.store.handle_tokens_revoked_events(event, context)
        tokens = event.get("tokens")
        if isinstance(tokens, dict) and tokens.get(
            "bot"
        ):  # only user tokens revoked: Pathway's bot still works there
            await self._removed(body, context, "tokens_revoked")

    async def _removed(self, body: dict[str, Any], context: AsyncBoltContext, event: str) -> None:
        org_wide = bool(context.is_enterprise_install) and context.enterprise_id
        workspace = str(context.enterprise_id if org_wide else (context.team_id or body.get("team_id") or ""))
        if not workspace:
            log.warning("Slack %s event without a workspace: nothing to unlink", event)
            return
        org = await asyncio.to_thread(self._record, workspace, event)
        self.forget(workspace)
        log.warning("Slack %s: workspace %s unlinked%s", event, workspace, f" from {org}" if org else "")

    def _record(self, workspace: str, event: str) -> str | None:
        with transaction(self.sessions) as session:
            removal, first = directory.remove_slack_workspace(session, workspace, event, utc_now())
            if first and removal.org_id is not None:
                audit.record(session, removal.org_id, "slack_workspace_removed",
                             detail={"workspace": workspace, "event": event})  # fmt: skip
            return removal.org_id
