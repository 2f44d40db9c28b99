"""`pathway data retain | export | erase` and `pathway audit export`: the data-protection duties
(docs/data-protection.md). The database work is in storage.retention and storage.personal_data."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

data_app = typer.Typer(help="Personal data: retention, subject access, erasure.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such a cell
# is written with a leading apostrophe, which the spreadsheet shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Person = Annotated[str, typer.Option("--person", help="The person's email, as on the roster")]
Yes = Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")]
Org = Annotated[str | None, typer.Option(help="Organisation id (needed if the email is on two rosters)")]


@data_app.command("retain")
def retain() -> None:
    """Apply the retention schedule now (`pathway serve` does it daily)."""
    from bot.retention import retain_now
    from bot.settings import Settings

    for rule, count in retain_now(Settings()).items():
        typer.echo(f"{rule}: {count}")


@data_app.command("export")
def export(
    person: Person,
    org: Org = None,
    out: Annotated[Path, typer.Option(help="Folder for the two files")] = Path("."),
) -> None:
    """Write everything held about a person (JSON, and a readable summary) for a subject access request."""
    from bot.personal_data_requests import find_and_export

    found = find_and_export(person, org)
    stem = out / f"{found['person']['org_id']}-person-{found['person']['id']}"
    out.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".txt").write_text(summary(found))
    typer.echo(f"wrote {stem}.json and {stem}.txt")


@data_app.command("erase")
def erase(person: Person, org: Org = None, yes: Yes = False) -> None:
    """Erase a person's data where that is lawful; say what was kept and why."""
    from bot.personal_data_requests import find_and_erase

    if not yes:
        typer.confirm(f"Erase what Pathway holds about {person}? This cannot be undone", abort=True)

    done = find_and_erase(person, org)
    typer.echo("Erased:\n" + "\n".join(f"- {line}" for line in done.erased))
    typer.echo("Kept:\n" + "\n".join(f"- {line}" for line in done.kept))


@audit_app.command("export")
def audit_export(
    org: Annotated[str, typer.Option(help="Organisation id")],
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (UTC)")] = None,
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (UTC), included")] = None,
    out: Annotated[Path | None, typer.Option(help="CSV file; default: standard output")] = None,
) -> None:
    """Write the organisation's audit log as CSV for HR."""
    from bot.personal_data_requests import audit_rows

    start, end = day_start(from_, "--from"), day_start(to, "--to", next_day=True)
    text = csv_text(audit_rows(org, start, end))
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)
        typer.echo(f"wrote {out}", err=True)


def day_start(value: str | None, option: str, *, next_day: bool = False) -> datetime | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        typer.echo(f"{option} {value!r}: give a date as YYYY-MM-DD", err=True)
        raise typer.Exit(2) from exc
    moment = datetime.combine(day, time(), UTC)
    return moment + timedelta(days=1) if next_day else moment


def neutralised(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return buffer.getvalue()


def summary(found: dict[str, Any]) -> str:
    """The JSON export told as a person would read it."""
    person = found["person"]
    lines = [
        f"Everything Pathway holds about {person['name']} ({person['email']}), organisation {person['org_id']}.",
        "",
        "Roster details: "
        + ", ".join(
            f"{key} {value}" for key, value in person.items() if value not in (None, "") and key != "id"
        ),
        f"Chat accounts: {len(found['chat_accounts'])}",
    ]
    for app in found["applications"]:
        lines.append(
            f"Application {app['id']} ({app['from_level']} to {app['target_level']}): {app['status']}, "
            f"{len(app['evidence'])} piece(s) of evidence, "
            f"{len(app['decisions'])} decision(s), {len(app['reviews'])} review(s)"
        )
        lines += [
            f"  - {d['stage']}: {d['outcome']} by {d['decided_by']} on {d['decided_at']}"
            for d in app["decisions"]
        ]
        lines += [
            f"  - review: {r['outcome'] or 'waiting'} (asked {r['requested_at']})" for r in app["reviews"]
        ]
    lines += [
        f"Decisions they made on others' applications: {len(found['decisions_made_by_them'])}",
        f"Questions the assistant could not answer: {len(found['unanswered_questions'])}",
        f"Messages sent to them: {len(found['messages_sent_to_them'])}",
        f"Broadcasts they wrote: {len(found['broadcasts_they_wrote'])}; panels they recorded: "
        f"{len(found['panels_they_recorded'])}",
        f"Audit log entries: {len(found['audit_log'])}",
        "",
        "The JSON file beside this one holds every detail.",
    ]
    return "\n".join(lines) + "\n"
