"""`pathway db backup FILE` and `pathway db restore FILE` (storage.backups does the work)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from bot.settings import Settings
from storage import backups


def backup(file: Path) -> None:
    _report(lambda: backups.backup(Settings().pathway_database_url, file))


def restore(file: Path) -> None:
    _report(lambda: backups.restore(Settings().pathway_database_url, file))


def _report(action: Callable[[], str]) -> None:
    try:
        typer.echo(action())
    except backups.BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
