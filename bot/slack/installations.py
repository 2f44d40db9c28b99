"""Pathway installed in many Slack workspaces (OAuth): slack_sdk's SQLAlchemy installation and OAuth
state stores on Pathway's own database engine, for bolt's OAuth flow and for the outbox sender, each
workspace's bot token refreshed before it expires (token rotation).

bolt's AsyncApp takes async stores; slack_sdk's SQLAlchemy stores are synchronous on an Engine, which is
what Pathway has (its core is sync, its edge async: DESIGN.md §4), so they run in worker threads here.
Their tables are made by Pathway's migrations (storage/slack_tables.py).

Refreshing: with token rotation on, an access token lives 12 hours and its refresh token can be used
once. bolt refreshes a token it finds about to expire while authorising a request; two requests (or a
request and the dispatcher, or two hosts) doing so together would spend the refresh token twice, and the
loser's request would be dropped. So this store hands out bots already refreshed: the first to find a
token within SLACK_TOKEN_ROTATION_EXPIRATION_MINUTES of expiring refreshes it, holding a lock (this
process's, and on PostgreSQL one every process shares), and the others wait and read the new one; bolt's
own check then finds nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.slack import install_pages
from bot.slack.client import release_connections, web_client
from storage import slack_installs
from storage.db import transaction
from storage.locks import SharedLock

log = logging.getLogger(__name__)
MANIFEST = Path(__file__).with_name("manifest.yaml")
STATE_SECONDS = 600  # an install link is good for 10 minutes (bolt's default)
Key = tuple[str | None, str | None, bool]  # enterprise_id, team_id, is_enterprise_install


def oauth_configured(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)


class States(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store, for bolt: each install link's `state`, used once."""

    def __init__(self, engine: Engine) -> None:
        self.store = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine, logger=log)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


class Installations(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store, for bolt and the outbox sender (bots only: Pathway
    asks for no user scopes), handing out each bot with a token that is not about to expire."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        assert settings.slack_client_id and settings.slack_client_secret, (
            "OAuth needs the client id and secret"
        )
        self.client_id = settings.slack_client_id
        self.sessions = sessions
        self.engine: Engine = sessions.kw["bind"]
        engine = self.engine
        self.store = SQLAlchemyInstallationStore(client_id=self.client_id, engine=engine, logger=log)
        self.minutes = settings.slack_token_rotation_expiration_minutes
        self.api = web_client(settings, retries=False)  # oauth.v2.access, at SLACK_API_URL
        self.rotator = AsyncTokenRotator(
            client_id=self.client_id, client_secret=settings.slack_client_secret, client=self.api
        )
        self._refreshing: defaultdict[Key, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def close(self) -> None:
        await release_connections(self.api)

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            lambda: self.store.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        key: Key = (enterprise_id, None if is_enterprise_install else team_id, bool(is_enterprise_install))
        bot = await self._read(key)
        if bot is None or not self._expiring(bot):
            return bot
        return await self._refreshed(key)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(lambda: self.store.delete_bot(enterprise_id=enterprise_id, team_id=team_id))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            lambda: self.store.delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )
        )

    async def bot_for(self, team: str | None, enterprise: str | None) -> Bot | None:
        """The bot serving this workspace (T…, in a Grid or not) or Grid organisation (E…): its own
        installation, else its Grid's org-wide one; None when Pathway is not installed there."""
        keys = await asyncio.to_thread(self._keys, team, enterprise)
        if keys is None:
            return None
        return await self.async_find_bot(enterprise_id=keys.enterprise_id, team_id=keys.team_id,
                                         is_enterprise_install=keys.is_enterprise_install)  # fmt: skip

    # -- refreshing ----------------------------------------------------------------------------------

    def _expiring(self, bot: Bot) -> bool:
        expires = bot.bot_token_expires_at
        return (
            bool(bot.bot_refresh_token) and expires is not None and expires <= time.time() + self.minutes * 60
        )

    async def _read(self, key: Key) -> Bot | None:
        enterprise_id, team_id, org_wide = key
        return await asyncio.to_thread(
            lambda: self.store.find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=org_wide
            )
        )

    async def _refreshed(self, key: Key) -> Bot | None:
        """Refresh the bot's token, once however many ask at once; read again under the lock, since
        whoever held it before may have refreshed it already."""
        async with self._refreshing[key]:
            lock = SharedLock(self.engine, f"slack-token:{self.client_id}:{key}")
            await asyncio.to_thread(lock.acquire)
            try:
                bot = await self._read(key)
                if bot is None or not self._expiring(bot):
                    return bot
                return await self._refresh(bot)
            finally:
                await asyncio.to_thread(lock.release)

    async def _refresh(self, bot: Bot) -> Bot:
        try:
            refreshed = await self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self.minutes
            )
        except (SlackTokenRotationError, SlackApiError, OSError, TimeoutError) as exc:
            if bot.bot_token_expires_at is not None and bot.bot_token_expires_at > time.time():
                log.warning("could not refresh the bot token of Slack workspace %s yet (%s); the current "
                            "one is still valid", bot.team_id or bot.enterprise_id, exc)  # fmt: skip
                return bot
            raise
        if refreshed is None:
            return bot
        await asyncio.to_thread(self.store.save_bot, refreshed)
        log.info("refreshed the bot token of Slack workspace %s", bot.team_id or bot.enterprise_id)
        return refreshed

    def _keys(self, team: str | None, enterprise: str | None) -> slack_installs.InstallationKeys | None:
        with transaction(self.sessions) as session:
            return slack_installs.keys_for(session, self.client_id, team, enterprise)


def manifest_scopes() -> list[str]:
    """The bot scopes the app's manifest asks for: what an install asks for unless SLACK_SCOPES says."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return [str(scope) for scope in manifest["oauth_config"]["scopes"]["bot"]]


def authorize_url(settings: Settings) -> str:
    """Slack's install page beside its Web API (https://slack.com/oauth/v2/authorize; tests: the fake's)."""
    return settings.slack_api_url.rstrip("/").removesuffix("/api") + "/oauth/v2/authorize"


def oauth_arguments(
    settings: Settings, installations: Installations, sessions: sessionmaker[Session]
) -> dict[str, Any]:
    """bolt's OAuth flow (install and redirect pages, state checked against the installer's browser and
    used once, the installation saved), and its authorising each request by the bot of the workspace it
    came from: auth.test once per token, not for every request."""
    assert settings.slack_client_id and settings.slack_client_secret
    scopes = [s.strip() for s in (settings.slack_scopes or "").split(",") if s.strip()] or manifest_scopes()
    flow = AsyncOAuthSettings(
        client_id=settings.slack_client_id, client_secret=settings.slack_client_secret, scopes=scopes,
        user_scopes=[], redirect_uri=settings.slack_redirect_uri, install_path=install_pages.INSTALL_PATH,
        install_page_rendering_enabled=False,  # the install link goes straight to Slack
        redirect_uri_path=install_pages.REDIRECT_PATH, authorization_url=authorize_url(settings),
        callback_options=install_pages.callbacks(sessions), installation_store=installations,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=settings.slack_token_rotation_expiration_minutes,
        state_store=States(installations.engine), state_expiration_seconds=STATE_SECONDS, logger=log,
    )  # fmt: skip
    authorize = AsyncInstallationStoreAuthorize(
        logger=log, installation_store=installations, client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret, bot_only=True, cache_enabled=True, client=installations.api,
        token_rotation_expiration_minutes=settings.slack_token_rotation_expiration_minutes,
    )  # fmt: skip
    return {"oauth_settings": flow, "authorize": authorize, "installation_store": installations}
