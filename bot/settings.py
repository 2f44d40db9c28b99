"""One settings object, read once at the entry point from the environment (and an optional .env)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    pathway_database_url: str | None = None  # unset: a SQLite file in the working directory
    pathway_port: int = 3978
    pathway_host: str = "127.0.0.1"  # 0.0.0.0 behind a load balancer
    pathway_remind_after_days: int = 3
    pathway_escalate_after_days: int = 6
    # The web chat has no login: `pathway demo` serves it; `pathway serve` only when this is set,
    # and then on loopback only (bot/loopback.py).
    pathway_web_chat: bool = False
    pathway_web_hosts: list[str] = ["localhost", "127.0.0.1", "::1"]  # Host names the web chat answers to

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_answer_processes: int = (
        1  # worker processes answering Slack events; 0: threads (bot/slack/workers.py)
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
