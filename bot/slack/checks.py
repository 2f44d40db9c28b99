"""`pathway doctor`'s Slack checks: the bot token works (auth.test against SLACK_API_URL), and the
settings HTTP mode and Socket Mode need are there."""

from __future__ import annotations

import asyncio

from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from bot.slack.client import release_connections, web_client

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
