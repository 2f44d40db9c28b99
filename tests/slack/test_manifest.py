"""The manifest is valid by Slack's published schemas and asks for exactly what the code uses: its events,
its command, and no stray scopes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.slack.listeners import COMMAND
from tests.official_schemas import SLACK_MANIFESTS, problems

MANIFEST = Path(__file__).resolve().parents[2] / "bot" / "slack" / "manifest.yaml"


def test_manifest_matches_the_listeners() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "app_uninstalled",
        "message.im",
        "tokens_revoked",
    }
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND]
    assert settings["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read", "chat:write", "commands", "files:read", "files:write", "im:history", "im:write", "users:read", "users:read.email",
    }  # fmt: skip
    urls = {settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]}
    assert all(url.endswith("/slack/events") for url in urls)


@pytest.mark.parametrize("schema", SLACK_MANIFESTS)
def test_manifest_is_valid_by_slacks_schema(schema: str) -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert problems(schema, manifest) == []
    manifest["display_information"]["name"] = "P" * 40  # Slack allows 35 characters
    assert problems(schema, manifest)
