"""`pathway teams link --org ORG --tenant T` and `pathway teams package`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings
from bot.teams.package import BadPackageSetting, NotAnAppId, Publisher, write_package
from knowledge.library import Library

teams_app = typer.Typer(help="Microsoft Teams.", no_args_is_help=True)


@teams_app.command("link")
def link(
    org: Annotated[str, typer.Option(help="Organisation id: medway, bcc, hertfordshire, coventry")],
    tenant: Annotated[str, typer.Option(help="The Microsoft 365 tenant id (a GUID)")],
) -> None:
    """Answer people in this Microsoft 365 tenant from this organisation's policy and roster."""
    try:
        tenant = str(uuid.UUID(tenant))
    except ValueError as exc:
        typer.echo(f"{tenant!r} doesn't look like a tenant id (a GUID).", err=True)
        raise typer.Exit(2) from exc
    from bot import operations  # the database and core load only now: `pathway ask` starts fast

    operations.link_command(Library.load(), org, "teams", tenant)


@teams_app.command("package")
def package(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the zip")] = Path(
        "pathway-teams.zip"
    ),
    app_id: Annotated[
        str | None, typer.Option(help="The bot's Microsoft app id; default MICROSOFT_APP_ID")
    ] = None,
    version: Annotated[str | None, typer.Option(help="App version (semver), e.g. 1.0.1")] = None,
    host: Annotated[
        str | None,
        typer.Option(help="Where `pathway serve` is reached, e.g. pathway.example.org (validDomains)"),
    ] = None,
    website_url: Annotated[str | None, typer.Option(help="Developer website; default https://HOST")] = None,
    privacy_url: Annotated[
        str | None, typer.Option(help="Privacy statement; default https://HOST/privacy")
    ] = None,
    terms_url: Annotated[str | None, typer.Option(help="Terms of use; default https://HOST/terms")] = None,
) -> None:
    """Zip the Teams app manifest and icons, with the app id, host and URLs filled in, for upload to Teams."""
    app_id = app_id or Settings().microsoft_app_id
    if not app_id:
        typer.echo("Set MICROSOFT_APP_ID (or pass --app-id): the bot registration's app id.", err=True)
        raise typer.Exit(2)
    try:
        publisher = Publisher(host, website_url, privacy_url, terms_url)
        written = write_package(app_id, output, version, publisher)
    except (NotAnAppId, BadPackageSetting) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"wrote {written}: upload it in Teams (Apps > Manage your apps > Upload an app).")
