"""The `pathway` command: ask, policy check, chat, serve, dispatch, demo, remind, db and staff."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from aiohttp import web

from bot.app import build, platform_senders
from bot.console import read_lines, run_interactive, run_jsonl
from bot.delivery import Sender
from bot.demo import demo_roster
from bot.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.settings import Settings
from dialogs.reminders import ReminderPolicy, send_reminders
from knowledge.library import Library, UnknownOrganisation
from knowledge.loader import PackError, load_pack, load_packs
from knowledge.replies import Answer
from knowledge.tracing import trace
from storage import migrate
from storage.columns import utc_now
from storage.db import transaction
from storage.roster import RosterImport, import_roster
from storage.roster_rows import RosterRejected

app = typer.Typer(
    help="Pathway: career progression answers and applications for social workers.", no_args_is_help=True
)
policy_app = typer.Typer(help="Policy packs.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
staff_app = typer.Typer(help="The staff roster.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


def main() -> None:
    app()


def _library() -> Library:
    try:
        return Library.load()
    except PackError as exc:
        typer.echo(f"Cannot start: a policy pack is broken.\n{exc}", err=True)
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
    typer.echo(json.dumps(answer.model_dump(exclude={"topic", "confidence"})) if as_json else answer.text)


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
    return answer.model_dump(mode="json")


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
    problems: list[str] = []
    try:
        packs = [load_pack(f) for f in files] if files else list(load_packs().values())
    except PackError as exc:
        problems = [str(p) for p in exc.problems]
        packs = []
    for pack in packs:
        problems += [f"{pack.organisation.id}: {p}" for p in trace(pack)]
    if problems:
        typer.echo("\n".join(problems), err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {', '.join(p.organisation.id for p in packs)}")


def _runtime() -> Runtime:
    return Runtime.start(Settings(), _library())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (PATHWAY_DATABASE_URL; default: a SQLite file here)."""
    settings = Settings()
    migrate.upgrade(settings.pathway_database_url)
    typer.echo(f"database at revision {migrate.current_revision(settings.pathway_database_url)}")


@staff_app.command("import")
def staff_import(file: Annotated[Path, typer.Argument(help="CSV with the roster header")]) -> None:
    """Load or update the HR roster; a file with any bad row imports nothing and lists every problem."""
    runtime = _runtime()
    try:
        result = import_file(runtime, file.read_bytes())
    except OSError as exc:
        typer.echo(f"Cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    except RosterRejected as exc:
        typer.echo(f"{file}: nothing imported.\n" + "\n".join(f"{file}:{p}" for p in exc.problems), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")


def import_file(runtime: Runtime, data: bytes | str) -> RosterImport:
    library = runtime.library
    allowed = {org: [lv.id for lv in pack.levels] for org, pack in library.packs.items()}
    with transaction(runtime.sessions) as session:
        return import_roster(session, data, known_orgs=list(library.packs), allowed_levels=allowed)


@app.command()
def chat(
    org: Annotated[str | None, typer.Option(help="Organisation id")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="Your email on the roster")] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help='JSON lines {"as","org","text"|"action"} on stdin')
    ] = False,
) -> None:
    """Talk to Pathway in the terminal (every part can be played from one console)."""
    runtime = _runtime()
    if jsonl:
        run_jsonl(runtime, read_lines(), sys.stdout)
        return
    if org is None or as_ is None or org not in runtime.library.packs:
        typer.echo(f"Give --org ({', '.join(runtime.library.organisations)}) and --as EMAIL.", err=True)
        raise typer.Exit(2)
    run_interactive(runtime, org, as_)


@app.command()
def serve(
    dispatch: Annotated[bool, typer.Option(help="Run the outbox dispatcher in this process")] = True,
) -> None:
    """Serve Slack, Teams, the web chat and /healthz on PATHWAY_PORT."""
    runtime = _runtime()
    run_server(runtime, dispatch=dispatch)


def run_server(runtime: Runtime, *, dispatch: bool = True) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    application, notes = build(runtime, dispatch=dispatch)
    port = runtime.settings.pathway_port
    typer.echo("\n".join([f"Pathway on http://127.0.0.1:{port}/", *notes]))
    web.run_app(application, host=runtime.settings.pathway_host, port=port, print=None)


@app.command()
def demo() -> None:
    """Try Pathway with no workspace: a demo roster for every organisation and the web chat."""
    runtime = _runtime()
    import_file(runtime, demo_roster(runtime.library))
    typer.echo(
        "Demo roster loaded: worker@ORG.example, manager@ORG.example, service@ORG.example, hr@ORG.example"
    )
    run_server(runtime)


@app.command("dispatch")
def dispatch_command() -> None:
    """Run only the outbox dispatcher (scale-out: several of these beside `pathway serve --no-dispatch`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = _runtime()
    senders = platform_senders(runtime)
    typer.echo(f"dispatching for: {', '.join(sorted(senders)) or 'no platform senders configured'}")
    asyncio.run(run_dispatcher(runtime, senders))


async def run_dispatcher(runtime: Runtime, senders: dict[str, Sender]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await Dispatcher(runtime.sessions, senders).run(stop)


@app.command()
def remind() -> None:
    """Queue the reminders and escalations that are due now (serve does this every 15 minutes)."""
    runtime = _runtime()
    policy = ReminderPolicy(
        runtime.settings.pathway_remind_after_days, runtime.settings.pathway_escalate_after_days
    )
    with transaction(runtime.sessions) as session:
        queued = send_reminders(session, runtime.library, utc_now(), policy, channel="web")
    typer.echo(f"queued {queued} reminder(s)")


if __name__ == "__main__":
    main()
