"""`pathway doctor`: checks a deployment's configuration end to end and prints one line per check,
with what to fix. Exit status 1 when any check failed. It changes nothing (it never migrates)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import typer
from pydantic import ValidationError
from sqlalchemy import text

from bot.settings import Settings
from knowledge.loader import PackError, load_packs
from knowledge.tracing import trace
from storage import db, migrate

Check = tuple[bool, str]
APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


def run() -> int:
    try:
        settings = Settings()
    except ValidationError as exc:
        typer.echo(f"FAIL  settings: {exc.error_count()} problem(s):\n{exc}")
        return 1
    results = [(name, check()) for name, check in checks(settings)]
    for name, (passed, line) in results:
        typer.echo(f"{'ok  ' if passed else 'FAIL'}  {name}: {line}")
    failed = sum(1 for _name, (passed, _line) in results if not passed)
    typer.echo(
        f"{len(results) - failed} passed, {failed} failed" if failed else f"all {len(results)} checks passed"
    )
    return 1 if failed else 0


def checks(settings: Settings) -> list[tuple[str, Callable[[], Check]]]:
    found: list[tuple[str, Callable[[], Check]]] = [
        ("database", lambda: database_check(settings)),
        ("migrations", lambda: migrations_check(settings)),
        ("policy packs", packs_check),
        ("retention", lambda: retention_check(settings)),
    ]
    found += slack_checks(settings)
    found += [("teams", lambda: teams_check(settings))]
    return found


def database_check(settings: Settings) -> Check:
    url = db.database_url(settings.pathway_database_url)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return (
            False,
            f"there is no database file at {url.database} (connecting would create an empty one): run `pathway db upgrade`, or check PATHWAY_DATABASE_URL",
        )
    engine = db.make_engine(settings.pathway_database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        reason = str(exc).splitlines()[0]
        return (
            False,
            f"cannot connect to {shown} ({reason}): check PATHWAY_DATABASE_URL and that the server is up",
        )
    finally:
        engine.dispose()
    return True, f"reachable at {shown}"


def migrations_check(settings: Settings) -> Check:
    if not database_check(settings)[0]:
        return False, "not checked: the database cannot be reached (see above)"
    head = migrate.head_revision()
    try:
        current = migrate.current_revision(settings.pathway_database_url)
    except Exception as exc:
        return False, f"cannot read the schema's revision ({exc.__class__.__name__}): fix the database first"
    if current == head:
        return True, f"at {head}, the latest"
    return (
        False,
        f"the database is at {current or 'no revision (empty)'}, this release needs {head}: run `pathway db upgrade`",
    )


def packs_check() -> Check:
    try:
        packs = load_packs()
    except PackError as exc:
        return False, f"{len(exc.problems)} problem(s), first: {exc.problems[0]}: run `pathway policy check`"
    problems = [f"{org}: {problem}" for org, pack in packs.items() for problem in trace(pack)]
    if problems:
        return (
            False,
            f"{len(problems)} fact(s) not traced to their document, first: {problems[0]}: run `pathway policy check`",
        )
    return True, f"valid and traced: {', '.join(sorted(packs))}"


def retention_check(settings: Settings) -> Check:
    try:
        known = set(load_packs())
    except PackError:
        known = set()
    periods = {"PATHWAY_RETAIN_DECIDED_EVIDENCE_MONTHS": settings.pathway_retain_decided_evidence_months,
               "PATHWAY_RETAIN_LEAVERS_MONTHS": settings.pathway_retain_leavers_months}  # fmt: skip
    for variable, by_org in periods.items():
        unknown = sorted(set(by_org) - known) if known else []
        if unknown:
            return (
                False,
                f"{variable} names unknown organisation(s) {', '.join(unknown)}: use the ids {', '.join(sorted(known))}",
            )
        if any(months < 1 for months in by_org.values()):
            return False, f"{variable} has a period under one month: give whole months"
    unset = sorted(known - set(settings.pathway_retain_leavers_months)) if known else []
    if unset:
        return True, (f"no leavers' period set by HR for {', '.join(unset)}: their leavers' data is kept "
                      "(set PATHWAY_RETAIN_LEAVERS_MONTHS from HR's retention schedule)")  # fmt: skip
    return True, "every organisation has HR's periods"


def slack_checks(settings: Settings) -> list[tuple[str, Callable[[], Check]]]:
    oauth = bool(settings.slack_client_id or settings.slack_client_secret)
    if not (settings.slack_bot_token or settings.slack_signing_secret or settings.slack_app_token or oauth):
        return [("slack", lambda: (True, "not configured (SLACK_BOT_TOKEN unset): Slack is off"))]
    from bot.slack import checks as slack  # slack_sdk only when Slack is configured

    found: list[tuple[str, Callable[[], Check]]]
    if oauth and not (settings.slack_client_id and settings.slack_client_secret):
        found = [("slack oauth", lambda: (False, "set both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                                                 "(Basic Information → App Credentials)"))]  # fmt: skip
    elif oauth:  # several workspaces, each with its own token
        found = [("slack workspaces", lambda: slack.installs_check(settings))]
    elif not settings.slack_bot_token:
        found = [
            (
                "slack token",
                lambda: (False, "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…)"),
            )
        ]
    else:
        found = [("slack token", lambda: slack.token_check(settings))]
    return found + [(name, lambda result=result: result) for name, result in slack.mode_checks(settings)]


def teams_check(settings: Settings) -> Check:
    app_id, app_type = settings.microsoft_app_id, settings.microsoft_app_type
    if not app_id:
        if settings.microsoft_app_password or settings.microsoft_app_tenant_id:
            return (
                False,
                "MICROSOFT_APP_PASSWORD or MICROSOFT_APP_TENANT_ID is set without MICROSOFT_APP_ID: set the bot's app id too",
            )
        return True, "not configured (MICROSOFT_APP_ID unset)"
    problems = []
    if not is_guid(app_id):
        problems.append("MICROSOFT_APP_ID is not an app id (a GUID, from the Azure Bot's Configuration page)")
    if app_type not in APP_TYPES:
        problems.append(f"MICROSOFT_APP_TYPE {app_type!r} is not one of {', '.join(APP_TYPES)}")
    if app_type != "UserAssignedMSI" and not settings.microsoft_app_password:
        problems.append(
            "MICROSOFT_APP_PASSWORD is not set: create a client secret (Configuration → Manage password)"
        )
    if app_type in ("SingleTenant", "UserAssignedMSI") and not settings.microsoft_app_tenant_id:
        problems.append(f"MICROSOFT_APP_TENANT_ID is not set, and a {app_type} bot needs its tenant id")
    if app_type == "MultiTenant" and settings.microsoft_app_tenant_id:
        problems.append("MICROSOFT_APP_TENANT_ID is set for a MultiTenant bot: set MICROSOFT_APP_TYPE=SingleTenant "
                        "if the Azure Bot is single tenant, or unset the tenant id")  # fmt: skip
    if app_id and settings.microsoft_app_tenant_id and not is_guid(settings.microsoft_app_tenant_id):
        problems.append("MICROSOFT_APP_TENANT_ID is not a tenant id (a GUID)")
    if problems:
        return False, "; ".join(problems)
    return (
        True,
        f"{app_type} app {app_id} with its secret{' and tenant' if settings.microsoft_app_tenant_id else ''}",
    )


def is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
