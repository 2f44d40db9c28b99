"""One settings object, read once at the entry point from the environment (and an optional .env)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge import verified_packs
from knowledge.loader import DOCUMENTS_DIR, PACKS_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    pathway_database_url: str | None = None  # unset: a SQLite file in the working directory
    pathway_port: int = 3978
    pathway_host: str = "127.0.0.1"  # 0.0.0.0 behind a load balancer
    pathway_remind_after_days: int = 3
    pathway_escalate_after_days: int = 6
    # Where the policy packs and the documents they trace to are read from (default: those installed).
    pathway_packs_dir: Path | None = None
    pathway_documents_dir: Path | None = None
    # Where packs that loaded and traced are kept so the next start skips checking them again
    # (knowledge/verified_packs.py; default: the user's cache folder, ~/.cache/pathway/verified-packs).
    pathway_cache_dir: Path | None = None
    # The web chat has no login: `pathway demo` serves it; `pathway serve` only when this is set,
    # and then on loopback only (bot/loopback.py).
    pathway_web_chat: bool = False
    pathway_web_hosts: list[str] = ["localhost", "127.0.0.1", "::1"]  # Host names the web chat answers to
    pathway_log_format: Literal["text", "json"] = "text"  # json: one object a line, for a log collector
    # /metrics answers loopback; anything else (including through a proxy) needs this bearer token.
    pathway_metrics_token: str | None = None

    # Retention (bot/retention.py, docs/data-protection.md). Pathway's own working data, with our defaults:
    pathway_retain_handled_events_days: int = Field(default=7, ge=1)  # platform retries come within minutes
    # Answered Slack events in the inbox (storage/inbox.py): their text goes once answered, their ids then.
    pathway_retain_inbox_days: int = Field(default=7, ge=1)
    pathway_retain_sent_messages_weeks: int = Field(default=4, ge=1)  # the text of settled outbox messages
    pathway_retain_unanswered_months: int = Field(default=6, ge=1)  # questions the bot could not answer
    pathway_retain_drafts_months: int = Field(default=6, ge=1)  # withdrawn or untouched drafts' evidence
    # Periods each organisation's HR sets, in months, by organisation id, e.g. '{"medway": 24}'. No default:
    # an organisation without one keeps decided applications' evidence, and its leavers' data, until it sets one.
    pathway_retain_decided_evidence_months: dict[str, int] = Field(default_factory=dict)
    pathway_retain_leavers_months: dict[str, int] = Field(default_factory=dict)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    # OAuth, for several workspaces (bot/slack/installations.py): with both set, /slack/install and
    # /slack/oauth_redirect are served and each workspace's own bot token is used (SLACK_BOT_TOKEN is not).
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_scopes: str | None = None  # comma-separated; unset: the bot scopes of bot/slack/manifest.yaml
    slack_redirect_uri: str | None = None  # unset: the app's one Redirect URL (OAuth & Permissions)
    # With token rotation on, a workspace's token is refreshed this long before it expires (bolt's default).
    slack_token_rotation_expiration_minutes: int = Field(default=120, ge=1, le=600)
    slack_answer_processes: int = (
        1  # worker processes answering Slack events; 0: threads (bot/slack/workers.py, bot/workers.py)
    )

    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = None
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: str = "SingleTenant"  # Azure creates no new multi-tenant bots since 31 July 2025
    # Proactive install (bot/teams/graph.py); tests point them at a loopback fake.
    microsoft_graph_url: str = "https://graph.microsoft.com/v1.0/"
    microsoft_login_url: str = "https://login.microsoftonline.com/"
    # Where the Bot Framework's signing keys are published (unset: the public cloud's); tests: a fake.
    microsoft_openid_metadata_url: str | None = None
    # Worker processes running Teams turns' core; 0: threads in the server (bot/teams/workers.py).
    teams_answer_processes: int = Field(default=1, ge=0)

    @property
    def packs_dir(self) -> Path:
        return self.pathway_packs_dir or PACKS_DIR

    @property
    def documents_dir(self) -> Path:
        return self.pathway_documents_dir or DOCUMENTS_DIR

    @property
    def cache_dir(self) -> Path:
        return self.pathway_cache_dir or verified_packs.default_directory()

    # Teams with authentication off, for the Bot Framework Emulator: loopback only (bot/teams/mount.py).
    pathway_teams_emulator: bool = False
    # Where activities may say replies go (`serviceUrl`): the Bot Framework's hosts ("*." any subdomain).
    pathway_teams_service_hosts: list[str] = [
        "smba.trafficmanager.net",
        "*.botframework.com",
        "smba.infra.gcc.teams.microsoft.com",
        "smba.infra.gov.teams.microsoft.us",
        "smba.infra.dod.teams.microsoft.us",
    ]
