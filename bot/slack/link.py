"""`pathway slack link --org ORG --team T…`: which council a Slack workspace belongs to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from knowledge.library import Library

if TYPE_CHECKING:  # the database and core load only when the command runs: `pathway ask` starts fast
    from bot.runtime import Runtime

slack_app = typer.Typer(help="Slack.", no_args_is_help=True)


@slack_app.command("link")
def link(
    org: Annotated[str, typer.Option(help="Organisation id: medway, bcc, hertfordshire, coventry")],
    team: Annotated[str, typer.Option(help="The Slack workspace (team) id, T…")],
) -> None:
    """Answer people in this Slack workspace from this organisation's policy and roster."""
    library = Library.load()
    if org not in library.packs:
        typer.echo(f"Unknown organisation {org!r}; known: {', '.join(library.organisations)}", err=True)
        raise typer.Exit(2)
    if not team.startswith(("T", "E")) or not team.isalnum():
        typer.echo(f"{team!r} doesn't look like a Slack team id (T… or E…).", err=True)
        raise typer.Exit(2)
    from bot.runtime import Runtime
    from bot.settings import Settings

    runtime = Runtime.start(Settings(), library)
    link_team(runtime, org, team)
    typer.echo(f"Slack workspace {team} now answers for {library.packs[org].organisation.name} ({org}).")


def link_team(runtime: Runtime, org: str, team: str) -> None:
    from storage import directory
    from storage.db import transaction

    with transaction(runtime.sessions) as session:
        directory.ensure_organisation(session, org, runtime.library.packs[org].organisation.name)
        directory.link_slack_team(session, org, team)
