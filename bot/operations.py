"""What the service commands of `pathway` do: the database, the roster, the console, the server and
the dispatcher. Imported only when one of those commands runs (see bot/cli.py); the server stack (the
front-ends, the dispatcher, the metrics app) only when `serve`, `demo` or `dispatch` runs it, so
`pathway chat` and `pathway staff import` start in about half the CPU time."""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from bot.console import read_lines, run_interactive, run_jsonl
from bot.demo import load_demo
from bot.logs import configure_logging
from bot.loopback import is_loopback_host
from bot.runtime import Runtime
from bot.settings import Settings
from dialogs.leavers import Handover, mark_leavers
from dialogs.reminders import ReminderPolicy, send_reminders
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import directory, migrate
from storage.columns import utc_now
from storage.db import transaction
from storage.roster import RosterImport
from storage.roster_rows import RosterRejected

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher


def start(library: Library) -> Runtime:
    return Runtime.start(Settings(), library)


def db_upgrade() -> None:
    settings = Settings()
    migrate.upgrade(settings.pathway_database_url)
    typer.echo(f"database at revision {migrate.current_revision(settings.pathway_database_url)}")


def staff_import(library: Library, file: Path, full: bool = False, accept_as_of: date | None = None) -> None:
    runtime = start(library)
    try:
        result, handovers = import_file(runtime, file.read_bytes(), full=full, accept_as_of=accept_as_of)
    except OSError as exc:
        typer.echo(f"Cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    except RosterRejected as exc:
        typer.echo(f"{file}: nothing imported.\n" + "\n".join(f"{file}:{p}" for p in exc.problems), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
    for conflict in result.conflicts:
        typer.echo(f"{file}:{conflict}")
    if any(conflict.kept == "pathway" for conflict in result.conflicts):
        typer.echo(
            "Levels and points recorded by approved applications were kept. If this file is newer and right,"
            " import it again with --accept-roster-levels DATE (the day HR's file was correct)."
        )
    if full:
        typer.echo(
            f"leavers: {len(result.absent)} marked inactive, {len(handovers)} pending decision(s) handed over"
        )
    _print_handovers(handovers)


def staff_deactivate(library: Library, org: str, email: str) -> None:
    runtime = start(library)
    with transaction(runtime.sessions) as session:
        person = directory.find_person_by_email(session, org, email, include_inactive=True)
        if person is None or not person.active:
            typer.echo(
                f"{email} is {'already inactive' if person else 'not on the roster'} in {org}.", err=True
            )
            raise typer.Exit(1)
        handovers = mark_leavers(session, runtime.library, [person], utc_now(), None, "deactivated by HR")
    typer.echo(
        f"{person.name} ({person.email}) is now inactive; {len(handovers)} pending decision(s) handed over"
    )
    _print_handovers(handovers)


def _print_handovers(handovers: list[Handover]) -> None:
    for handover in handovers:
        typer.echo(
            f"  {handover.applicant}'s application #{handover.application_id} ({handover.stage}) was with "
            f"{handover.leaver}, now with {', '.join(handover.now_with) or 'nobody'}"
        )


def import_file(
    runtime: Runtime, data: bytes | str, *, full: bool = False, accept_as_of: date | None = None
) -> tuple[RosterImport, list[Handover]]:
    with transaction(runtime.sessions) as session:
        return import_staff(
            session, runtime.library, data, now=utc_now(), full=full, accept_levels_as_of=accept_as_of
        )


def chat(library: Library, org: str | None, who: str | None, jsonl: bool) -> None:
    runtime = start(library)
    if jsonl:
        run_jsonl(runtime, read_lines(), sys.stdout)
        return
    if org is None or who is None or org not in runtime.library.packs:
        typer.echo(f"Give --org ({', '.join(runtime.library.organisations)}) and --as EMAIL.", err=True)
        raise typer.Exit(2)
    run_interactive(runtime, org, who)


def serve(library: Library, dispatch: bool) -> None:
    run_server(start(library), dispatch=dispatch)


def demo(library: Library) -> None:
    runtime = start(library)
    typer.echo(load_demo_people(runtime))
    run_server(runtime, web_chat=True)


def load_demo_people(runtime: Runtime) -> str:
    """The demo roster goes only to organisations with nobody on their staff list yet: a restart keeps
    what was done in the demo (re-importing would put an approved worker back on her old level)."""
    with transaction(runtime.sessions) as session:
        staffed = directory.organisations_with_people(session)
    empty = [org for org in runtime.library.organisations if org not in staffed]
    if empty:
        with transaction(runtime.sessions) as session:
            load_demo(session, runtime.library, empty)
    with transaction(runtime.sessions) as session:  # the demo's staff are reached in the web chat
        for org in runtime.library.organisations:
            if not directory.platforms_of(session, org):
                directory.set_platforms(session, org, ["web"])
    people = ("worker@ORG.example, manager@ORG.example, service@ORG.example, hr@ORG.example, and "
              "panel@ORG.example / panel2@ORG.example holding the posts the policy names")  # fmt: skip
    if not staffed:
        return f"Demo roster loaded: {people}"
    kept = f"Kept the demo data already in the database for {', '.join(sorted(staffed))}"
    loaded = f"; demo roster loaded for {', '.join(empty)}" if empty else ""
    return f"{kept}{loaded} ({people}). To start afresh, stop the demo and delete the database file."


def run_server(runtime: Runtime, *, dispatch: bool = True, web_chat: bool | None = None) -> None:
    from aiohttp import web

    from bot.app import build
    from bot.logs import ShortAccessLogger
    from bot.loopback import LOOPBACK_ONLY

    configure_logging(runtime.settings.pathway_log_format)
    application, notes = build(runtime, dispatch=dispatch, web_chat=web_chat)
    host = listening_host(runtime.settings.pathway_host, application.get(LOOPBACK_ONLY, []), notes)
    freeze_startup_heap()
    port = runtime.settings.pathway_port
    typer.echo("\n".join([f"Pathway on http://{host}:{port}/", *notes]))
    web.run_app(application, host=host, port=port, print=None, access_log_class=ShortAccessLogger)


def listening_host(configured: str, loopback_only: list[str], notes: list[str]) -> str:
    """PATHWAY_HOST, unless a front-end with no login is on: then loopback, and the banner says why."""
    if not loopback_only or is_loopback_host(configured):
        return configured
    notes.append(
        f"listening on 127.0.0.1 only, not PATHWAY_HOST={configured}: {' and '.join(loopback_only)} "
        "has no login"
    )
    return "127.0.0.1"


def dispatch(library: Library, concurrency: int, batch: int, lease: float, metrics_port: int | None) -> None:
    from bot.app import platform_senders
    from bot.dispatch import Dispatcher

    runtime = start(library)
    configure_logging(runtime.settings.pathway_log_format)
    senders = platform_senders(runtime)
    freeze_startup_heap()
    typer.echo(f"dispatching for: {', '.join(sorted(senders)) or 'no platform senders configured'}", err=True)
    dispatcher = Dispatcher(
        runtime.sessions, senders, batch=batch, concurrency=concurrency, lease_seconds=lease
    )
    metrics = None if metrics_port is None else (runtime.settings.pathway_host, metrics_port)
    asyncio.run(run_dispatcher(dispatcher, runtime, metrics))


def freeze_startup_heap() -> None:
    """What start-up loaded (modules, the policy packs and their indexes) lives as long as the process:
    frozen, the full collections a busy process runs now and then need not walk it. Unfrozen, each took
    over 100 ms, a stall in which a paced dispatcher misses its send slots."""
    gc.collect()
    gc.freeze()


async def run_dispatcher(
    dispatcher: Dispatcher, runtime: Runtime, metrics: tuple[str, int] | None = None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if metrics is None:
        await dispatcher.run(stop)
        return
    from aiohttp import web

    from bot.metrics import metrics_application

    runner = web.AppRunner(metrics_application(runtime), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, *metrics).start()
    typer.echo(f"metrics on http://{metrics[0]}:{metrics[1]}/metrics", err=True)
    try:
        await dispatcher.run(stop)
    finally:
        await runner.cleanup()


def remind(library: Library) -> None:
    runtime = start(library)
    settings = runtime.settings
    policy = ReminderPolicy(settings.pathway_remind_after_days, settings.pathway_escalate_after_days)
    with transaction(runtime.sessions) as session:
        queued = send_reminders(session, runtime.library, utc_now(), policy, channel=None)
    typer.echo(f"queued {queued} reminder(s)")


def link_workspace(runtime: Runtime, org: str, platform: Literal["slack", "teams"], workspace: str) -> None:
    """Answer people in a Slack workspace or Microsoft 365 tenant from this organisation's policy and roster."""
    with transaction(runtime.sessions) as session:
        directory.ensure_organisation(session, org, runtime.library.packs[org].organisation.name)
        link = directory.link_slack_workspace if platform == "slack" else directory.link_teams_tenant
        link(session, org, workspace)


def link_command(library: Library, org: str, platform: Literal["slack", "teams"], workspace: str) -> None:
    """`pathway slack link` / `pathway teams link`, once the workspace id's form has been checked."""
    if org not in library.packs:
        typer.echo(f"Unknown organisation {org!r}; known: {', '.join(library.organisations)}", err=True)
        raise typer.Exit(2)
    link_workspace(start(library), org, platform, workspace)
    place = "Slack workspace" if platform == "slack" else "Teams tenant"
    typer.echo(f"{place} {workspace} now answers for {library.packs[org].organisation.name} ({org}).")


def org_platforms(library: Library, org: str, platforms: list[str]) -> None:
    """`pathway org platforms ORG [PLATFORM...]`: set them when given, then say what they are."""
    if org not in library.packs:
        typer.echo(f"Unknown organisation {org!r}; known: {', '.join(library.organisations)}", err=True)
        raise typer.Exit(2)
    runtime = start(library)
    with transaction(runtime.sessions) as session:
        directory.ensure_organisation(session, org, library.packs[org].organisation.name)
        try:
            if platforms:
                directory.set_platforms(session, org, platforms)
        except directory.NotAPlatform as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc
        chosen = directory.platforms_of(session, org)
    if chosen:
        typer.echo(f"{org} staff are reached on: {', '.join(chosen)} (people new to Pathway on {chosen[0]})")
    else:
        typer.echo(f"{org} has not said which platform its staff use: messages to people new to Pathway fail")
