"""The page a person sees at the end of installing Pathway in a Slack workspace (bolt's OAuth callback at
/slack/oauth_redirect): installed, and whether the workspace answers for a council yet; or why nothing
was installed, and where to start again."""

from __future__ import annotations

import asyncio
import html

from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.response import BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from storage import directory
from storage.db import transaction

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

# Why bolt refused to finish an install (its `reason`), in the installer's words; nothing was installed.
REFUSED = {
    "access_denied": "The installation was cancelled in Slack.",
    "invalid_browser": "This page was opened without the cookie the install link set in your browser (a link "
    "copied to another browser, or one you did not start yourself).",
    "invalid_state": "This install link has expired or was already used.",
    "missing_code": "Slack did not say the installation was approved.",
    "invalid_code": "Slack did not confirm the installation (its code was refused or had expired).",
    "storage_error": "The installation could not be saved.",
}


def callbacks(sessions: sessionmaker[Session]) -> AsyncCallbackOptions:
    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        org_wide = bool(installation.is_enterprise_install)
        workspace = (installation.enterprise_id if org_wide else installation.team_id) or ""
        name = (installation.enterprise_name if org_wide else installation.team_name) or workspace

        def linked() -> str | None:
            with transaction(sessions) as session:
                found = directory.organisation_for_slack(
                    session, installation.team_id, installation.enterprise_id
                )
                return found.name if found is not None else None

        organisation = await asyncio.to_thread(linked)
        where = f"{name} ({workspace})"
        if organisation is not None:
            next_step = f"It answers for {organisation}: people there can message Pathway now."
        else:
            next_step = (
                "Before it answers anyone there, whoever runs Pathway for your council links the workspace "
                f"to the council: <code>pathway slack link --org ORG --team {html.escape(workspace)}</code>."
            )
        body = f"<p>Pathway is installed in {html.escape(where)}.</p><p>{next_step}</p>"
        return page(
            200, "Pathway is installed", body, args.settings.state_utils.build_set_cookie_for_deletion()
        )

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        why = REFUSED.get(args.reason, f"Slack did not complete the installation ({args.reason}).")
        again = f'<a href="{INSTALL_PATH}">{INSTALL_PATH}</a>'
        body = f"<p>{html.escape(why)} Nothing was installed.</p><p>To install Pathway, start again from {again}.</p>"
        cookie = args.settings.state_utils.build_set_cookie_for_deletion()
        return page(args.suggested_status_code, "Pathway was not installed", body, cookie)

    return AsyncCallbackOptions(success=success, failure=failure)


def page(status: int, title: str, body: str, cookie: str) -> BoltResponse:
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return BoltResponse(
        status=status,
        body=document,
        headers={"Content-Type": "text/html; charset=utf-8", "Set-Cookie": [cookie]},
    )
