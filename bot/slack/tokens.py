"""Which bot token reaches a workspace, for the outbox sender: SLACK_BOT_TOKEN in a one-workspace
deployment, or each installed workspace's own in OAuth mode (bot/slack/installations.py).

A workspace is named as addresses and message references name it: {"team": "T…"} and, in an
Enterprise Grid, {"enterprise": "E…"}; {"enterprise": "E…"} alone is a Grid organisation where Pathway
is installed org-wide.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import SendFailed, Undeliverable
from bot.slack.installations import Installations
from storage import directory
from storage.db import transaction

CACHE_SECONDS = 60.0  # a token is read again at least this often (a reinstall replaces it)


class Tokens(Protocol):
    async def token_for(self, workspace: dict[str, Any]) -> str:
        """The bot token for this workspace; Undeliverable when Pathway is not installed there."""
        ...

    async def workspaces_of(self, org_id: str) -> list[dict[str, str]]:
        """Where someone of this organisation is looked for by email, in order."""
        ...

    async def close(self) -> None: ...


class OneToken:
    """SLACK_BOT_TOKEN: one workspace, whatever an address names."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def token_for(self, workspace: dict[str, Any]) -> str:
        return self.token

    async def workspaces_of(self, org_id: str) -> list[dict[str, str]]:
        return [{}]

    async def close(self) -> None:
        return None


class InstalledTokens:
    """Each installed workspace's bot token, refreshed before it expires; the organisation's
    workspaces are those linked to it (`pathway slack link`)."""

    def __init__(self, installations: Installations, sessions: sessionmaker[Session]) -> None:
        self.installations = installations
        self.sessions = sessions
        self._cache: dict[tuple[str | None, str | None], tuple[float, str]] = {}

    async def close(self) -> None:
        await self.installations.close()

    async def token_for(self, workspace: dict[str, Any]) -> str:
        team, enterprise = workspace.get("team") or None, workspace.get("enterprise") or None
        cached = self._cache.get((team, enterprise))
        if cached is not None and cached[0] > time.time():
            return cached[1]
        try:
            bot = await self.installations.bot_for(team, enterprise)
        except (SlackTokenRotationError, SlackApiError, OSError, TimeoutError) as exc:
            raise SendFailed(
                f"slack: could not refresh the bot token of {team or enterprise}: {exc}"
            ) from exc
        if bot is None:
            raise Undeliverable(
                f"slack: Pathway is not installed in the Slack workspace {team or enterprise}"
            )
        # Kept no longer than until the store would refresh it.
        refresh_at = (bot.bot_token_expires_at or float("inf")) - self.installations.minutes * 60
        self._cache[(team, enterprise)] = (min(time.time() + CACHE_SECONDS, refresh_at), bot.bot_token)
        return bot.bot_token

    async def workspaces_of(self, org_id: str) -> list[dict[str, str]]:
        def linked() -> list[str]:
            with transaction(self.sessions) as session:
                return directory.slack_workspaces_of(session, org_id)

        return [
            {"enterprise": w} if w.startswith("E") else {"team": w} for w in await asyncio.to_thread(linked)
        ]
