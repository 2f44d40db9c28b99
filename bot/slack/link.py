"""`pathway slack link --org ORG --team T…`: which council a Slack workspace (or, installed org-wide,
an Enterprise Grid organisation E…) answers for; a council may have several. `pathway slack workspaces`:
where Pathway is installed (OAuth mode) and which council each answers for."""

from __future__ import annotations

from typing import Annotated

import typer

from knowledge.library import Library

slack_app = typer.Typer(help="Slack.", no_args_is_help=True)


@slack_app.command("link")
def link(
    org: Annotated[str, typer.Option(help="Organisation id: medway, bcc, hertfordshire, coventry")],
    team: Annotated[str, typer.Option(help="The Slack workspace (team) id, T…")],
) -> None:
    """Answer people in this Slack workspace from this organisation's policy and roster."""
    if not team.startswith(("T", "E")) or not team.isalnum():
        typer.echo(f"{team!r} doesn't look like a Slack team id (T… or E…).", err=True)
        raise typer.Exit(2)
    from bot import operations  # the database and core load only now: `pathway ask` starts fast

    operations.link_command(Library.load(), org, "slack", team)


@slack_app.command("workspaces")
def workspaces() -> None:
    """OAuth mode: the workspaces Pathway is installed in, and the council each answers for."""
    from bot.settings import Settings
    from bot.slack.checks import workspaces as installed

    settings = Settings()
    if not (settings.slack_client_id and settings.slack_client_secret):
        typer.echo(
            "OAuth is not set up (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET): Pathway uses SLACK_BOT_TOKEN's one workspace."
        )
        return
    lines = installed(settings)
    typer.echo(
        "\n".join(lines)
        if lines
        else "Pathway is not installed in any workspace yet: open https://YOUR-HOST/slack/install"
    )
