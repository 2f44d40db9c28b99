"""The `pathway` command: ask, policy check, chat, serve, dispatch, demo, remind, db and staff.

`pathway ask` must start fast (the question set is scored with process start included), so this
module imports only the knowledge layer; the commands that run the service import `bot.operations`
(the database, the core and the server) when they are called.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.data_commands import audit_app, data_app
from bot.metrics_processes import share_counts_between_processes
from bot.settings import Settings
from bot.slack.link import slack_app
from bot.teams.commands import teams_app
from knowledge.coverage import facts_answering_nothing
from knowledge.library import Library, UnknownOrganisation
from knowledge.loader import PackError, PackProblem, load_pack
from knowledge.models import Pack
from knowledge.replies import Answer
from knowledge.tracing import load_traced_packs, trace_problems
from knowledge.verified_packs import VerifiedPacks

app = typer.Typer(
    help="Pathway: career progression answers and applications for social workers.", no_args_is_help=True
)
policy_app = typer.Typer(help="Policy packs.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
staff_app = typer.Typer(help="The staff roster.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(slack_app, name="slack")
app.add_typer(teams_app, name="teams")
app.add_typer(data_app, name="data")
app.add_typer(audit_app, name="audit")


def main() -> None:
    try:
        app()
    except Exception as exc:
        from storage.availability import is_outage

        if not is_outage(exc):
            raise
        typer.echo(database_trouble(exc), err=True)
        raise SystemExit(3) from None


def database_trouble(exc: BaseException) -> str:
    """One line naming the database (password hidden) and why it cannot be used."""
    from bot.settings import Settings
    from storage.availability import describe, reason

    return f"Cannot use the database {describe(Settings().pathway_database_url)}: {reason(exc)}"


def _library() -> Library:
    """The packs every command serves from, refused unless each loads and traces to its document
    (the check `pathway policy check` runs), so an edited figure is never stated with a citation.
    Commands load it before importing the service stack, so a refused pack stops them at once."""
    settings = Settings()
    try:
        verdicts = VerifiedPacks(settings.cache_dir, settings.documents_dir)
        return Library(load_traced_packs(settings.packs_dir, settings.documents_dir, verdicts), traced=True)
    except PackError as exc:
        typer.echo(
            f"Cannot start: a policy pack is broken or does not trace to its document.\n{exc}", err=True
        )
        raise typer.Exit(2) from exc


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question; leave out for an interactive session")
    ] = None,
    org: Annotated[
        str | None, typer.Option(help="Organisation id: medway, bcc, hertfordshire, coventry")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Read JSON lines {id, org, question} on stdin")
    ] = False,
) -> None:
    """Answer a career-progression question from an organisation's policy."""
    library = _library()
    if jsonl:
        _answer_lines(library)
        return
    if org is None:
        typer.echo(f"Choose an organisation with --org: {', '.join(library.organisations)}", err=True)
        raise typer.Exit(2)
    if org not in library.packs:
        typer.echo(f"Unknown organisation {org!r}; known: {', '.join(library.organisations)}", err=True)
        raise typer.Exit(2)
    if question is None:
        _interactive(library, org)
        return
    answer = library.ask(org, question)
    shown = {k: v for k, v in _public(answer).items() if k not in ("topic", "confidence")}
    typer.echo(json.dumps(shown) if as_json else answer.text)


def _answer_lines(library: Library) -> None:
    """One JSON line out for every line in, in order, whatever the line holds."""
    for line in sys.stdin:
        if not line.strip():
            continue
        reply = _answer_line(library, line)
        sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _answer_line(library: Library, line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return _error(None, "That line is not valid JSON.")
    if not isinstance(item, dict):
        return _error(None, "Each line must be a JSON object with id, org and question.")
    ident, org, question = item.get("id"), item.get("org"), item.get("question")
    if not isinstance(question, str) or not question.strip():
        return _error(ident, "There is no question to answer.")
    try:
        answer = library.ask(str(org), question)
    except UnknownOrganisation:
        return _error(ident, f"Unknown organisation {org!r}; known: {', '.join(library.organisations)}.")
    return {"id": ident, **_public(answer)}


def _public(answer: Answer) -> dict[str, Any]:
    """The answer as the `pathway ask` contract gives it: `clarify` only when there are readings to choose."""
    shown = answer.model_dump(mode="json")
    if not answer.clarify:
        del shown["clarify"]
    return shown


def _error(ident: object, text: str) -> dict[str, Any]:
    return {"id": ident, "answered": False, "text": text, "sources": [], "error": True}


def _interactive(library: Library, org: str) -> None:
    name = library.packs[org].organisation.name
    typer.echo(f"Pathway, answering from {name}'s policy. Ask a question; an empty line or Ctrl-D ends.")
    while True:
        try:
            question = input("> ")
        except EOFError:
            break
        if not question.strip():
            break
        typer.echo(library.ask(org, question).text + "\n")


@policy_app.command("check")
def policy_check(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Pack files; default: every installed pack")
    ] = None,
) -> None:
    """Validate packs and trace every fact to its document; report problems by file, line and field."""
    settings = Settings()
    packs: list[Pack] = []
    problems: list[PackProblem] = []
    for file in files or []:
        try:
            packs.append(load_pack(file))
        except PackError as exc:
            problems += exc.problems
            continue
        problems += trace_problems(file, packs[-1], settings.documents_dir)
    if not files:
        try:
            packs = list(load_traced_packs(settings.packs_dir, settings.documents_dir).values())
        except PackError as exc:
            problems += exc.problems
    found = [str(p) for p in problems]
    found += [f"{pack.organisation.id}: {p}" for pack in packs for p in facts_answering_nothing(pack)]
    if found:
        typer.echo("\n".join(found), err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {', '.join(p.organisation.id for p in packs)}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (PATHWAY_DATABASE_URL; default: a SQLite file here)."""
    from bot import operations

    operations.db_upgrade()


@db_app.command("backup")
def db_backup(file: Annotated[Path, typer.Argument(help="The backup file to write")]) -> None:
    """Copy the database safely while it runs (SQLite: online backup; PostgreSQL: pg_dump)."""
    from bot import backups

    backups.backup(file)


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A file `pathway db backup` wrote")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace the database with a backup (stop `pathway serve` and `pathway dispatch` first)."""
    from bot import backups

    if not yes:
        typer.confirm("Replace everything in the database with the backup?", abort=True)

    backups.restore(file)


@app.command()
def doctor() -> None:
    """Check this deployment's configuration end to end; one line per check, with what to fix."""
    from bot.doctor import run as run_checks

    raise typer.Exit(run_checks())


@staff_app.command("import")
def staff_import(
    file: Annotated[Path, typer.Argument(help="CSV with the roster header")],
    full: Annotated[
        bool,
        typer.Option(help="The file is everyone in its organisations: those it leaves out are leavers"),
    ] = False,
    accept_roster_levels: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="HR confirms the file's levels and points were right on this date (YYYY-MM-DD): they "
            "replace those recorded by applications approved on or before it",
        ),
    ] = None,
) -> None:
    """Load or update the HR roster; a file with any bad row imports nothing and lists every problem."""
    library = _library()
    from bot import operations

    accept = accept_roster_levels.date() if accept_roster_levels else None
    operations.staff_import(library, file, full=full, accept_as_of=accept)


@staff_app.command("deactivate")
def staff_deactivate(
    email: Annotated[str, typer.Argument(help="The leaver's email on the roster")],
    org: Annotated[str, typer.Option(help="Organisation id")],
) -> None:
    """Mark one person as a leaver: inactive, their pending decisions handed on, HR told."""
    library = _library()
    from bot import operations

    operations.staff_deactivate(library, org, email)


@org_app.command("platforms")
def org_platforms(
    org: Annotated[str, typer.Argument(help="Organisation id")],
    platforms: Annotated[
        list[str] | None, typer.Argument(help="slack, teams (web: the demo); leave out to show them")
    ] = None,
) -> None:
    """Show or say which platforms an organisation's staff use (the first reaches those new to Pathway)."""
    from bot import operations

    operations.org_platforms(_library(), org, platforms or [])


@app.command()
def chat(
    org: Annotated[str | None, typer.Option(help="Organisation id")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="Your email on the roster")] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help='JSON lines {"as","org","text"|"action"} on stdin')
    ] = False,
) -> None:
    """Talk to Pathway in the terminal (every part can be played from one console)."""
    library = _library()
    from bot import operations

    operations.chat(library, org, as_, jsonl)


@app.command()
def serve(
    dispatch: Annotated[bool, typer.Option(help="Run the outbox dispatcher in this process")] = True,
) -> None:
    """Serve Slack and Teams (those configured), /healthz, /readyz and /metrics on PATHWAY_PORT; the web
    chat only with PATHWAY_WEB_CHAT=1, on loopback."""
    library = _library()
    share_counts_between_processes()
    from bot import operations

    operations.serve(library, dispatch)


@app.command()
def demo() -> None:
    """Try Pathway with no workspace: a demo roster for every organisation and the web chat."""
    library = _library()
    share_counts_between_processes()
    from bot import operations

    operations.demo(library)


@app.command("dispatch")
def dispatch_command(
    concurrency: Annotated[
        int, typer.Option(min=1, help="Sends in flight at once (different recipients)")
    ] = 32,
    batch: Annotated[int, typer.Option(min=1, help="Messages claimed per pass")] = 100,
    lease: Annotated[
        float, typer.Option(min=1, help="Seconds before a dead dispatcher's claims are retaken")
    ] = 60,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve /metrics on this port (PATHWAY_HOST) for Prometheus")
    ] = None,
) -> None:
    """Run only the outbox dispatcher (scale-out: several of these beside `pathway serve --no-dispatch`)."""
    library = _library()
    from bot import operations

    operations.dispatch(library, concurrency, batch, lease, metrics_port)


@app.command()
def remind() -> None:
    """Queue the reminders and escalations that are due now (serve does this every 15 minutes)."""
    library = _library()
    from bot import operations

    operations.remind(library)


if __name__ == "__main__":
    main()
