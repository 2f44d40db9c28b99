"""Who a Slack user is: their profile email (to find them on the roster), cached for an hour."""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

CACHE_SECONDS = 3600
MAX_CACHED = 50_000


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    team: str | None = None
    email: str | None = None
    name: str | None = None


class ProfileUnavailable(Exception):
    """Slack could not be asked just now (rate limit, outage); the person is told to try again."""


class Profiles:
    """Slack user ids are unique across workspaces, so one cache serves every workspace; each look-up
    goes through the client (token) of the workspace the user wrote in."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, Profile | None]] = {}

    async def get(self, user_id: str, client: AsyncWebClient) -> Profile | None:
        """The user's profile, or None when Slack has no such user."""
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        profile = await self._fetch(user_id, client)
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[user_id] = (time.monotonic() + CACHE_SECONDS, profile)
        return profile

    @staticmethod
    async def _fetch(user_id: str, client: AsyncWebClient) -> Profile | None:
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as exc:
            if exc.response.get("error") == "user_not_found":
                return None
            raise ProfileUnavailable(str(exc.response.get("error"))) from exc
        except (OSError, TimeoutError) as exc:
            raise ProfileUnavailable(str(exc)) from exc
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        return Profile(
            id=user_id,
            team=user.get("team_id"),
            email=profile.get("email"),
            name=profile.get("real_name") or user.get("real_name") or user.get("name"),
        )
