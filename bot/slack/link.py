"""`pathway slack link --org ORG --team T…`: which council a Slack workspace belongs to."""

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
