"""`pathway doctor`'s Slack checks: the bot token works (auth.test against SLACK_API_URL), or in OAuth
mode which workspaces Pathway is installed in and whether each is linked to a council; and the settings
HTTP mode and Socket Mode need are there. `pathway slack workspaces` lists the same."""

from __future__ import annotations

import asyncio

from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from bot.slack.client import release_connections, web_client
from storage import db, directory, slack_installs

Check = tuple[bool, str]  # passed, and the line to print (with what to fix when it did not pass)


def token_check(settings: Settings) -> Check:
    async def auth_test() -> Check:
        client = web_client(settings, retries=False)
        try:
            answer = await client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error", "error")
            return False, (f"auth.test at {settings.slack_api_url} says {error}: set SLACK_BOT_TOKEN to the app's "
                           "Bot User OAuth Token (OAuth & Permissions, xoxb-…)")  # fmt: skip
        except Exception as exc:  # the API could not be reached at all
            return (
                False,
                f"could not reach {settings.slack_api_url} ({exc.__class__.__name__}: {exc}): check SLACK_API_URL and the network",
            )
        finally:
            await release_connections(client)
        return (
            True,
            f"token valid: workspace {answer.get('team')} ({answer.get('team_id')}), bot user {answer.get('user')}",
        )

    return asyncio.run(auth_test())


def mode_checks(settings: Settings) -> list[tuple[str, Check]]:
    checks: list[tuple[str, Check]] = [
        ("slack signing secret", (True, "present") if settings.slack_signing_secret else
         (False, "SLACK_SIGNING_SECRET is not set: copy it from the app's Basic Information page "
                 "(without it Slack is not mounted)")),
    ]  # fmt: skip
    app_token = settings.slack_app_token
    if app_token is not None:
        checks.append(("slack socket mode", (True, "SLACK_APP_TOKEN is an app-level token") if app_token.startswith("xapp-")
                       else (False, "SLACK_APP_TOKEN is not an app-level token (xapp-…): create one with "
                                    "connections:write under Basic Information, or unset it for HTTP mode")))  # fmt: skip
    return checks


def workspaces(settings: Settings) -> list[str]:
    """One line per workspace (or Grid organisation) Pathway is installed in, with the council it
    answers for or how to link it."""
    assert settings.slack_client_id
    engine = db.make_engine(settings.pathway_database_url)
    try:
        with db.session_factory(engine)() as session:
            installed = slack_installs.installed(session, settings.slack_client_id)
            links = directory.slack_workspace_links(session)
    finally:
        engine.dispose()
    lines = []
    for found in installed:
        org = links.get(found.workspace_id) or (
            links.get(found.enterprise_id) if found.enterprise_id else None
        )
        where = f"{found.workspace_id} ({found.name or 'unnamed'}), installed {found.installed_at:%Y-%m-%d}"
        lines.append(f"{where}: answers for {org}" if org else
                     f"{where}: not linked (pathway slack link --org ORG --team {found.workspace_id})")  # fmt: skip
    return lines


def installs_check(settings: Settings) -> Check:
    try:
        lines = workspaces(settings)
    except Exception as exc:  # the database check says what is wrong with the database
        return False, f"cannot read the installations ({exc.__class__.__name__}); see the database check"
    if not lines:
        return (
            False,
            "OAuth is set up but Pathway is not installed in any workspace yet: open https://YOUR-HOST/slack/install",
        )
    return True, f"installed in {len(lines)}: " + "; ".join(lines)
