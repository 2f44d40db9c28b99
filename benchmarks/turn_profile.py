"""Where a chat turn's CPU goes: one Slack turn and one Teams turn, run one after another in this
process's own thread (no event-loop contention, no thread hops), so a profiler or an instruction counter
sees the whole turn: finding the person, the core's transaction, the knowledge answer, and posting the
reply to a loopback fake (Slack Web API or Bot Connector, each in a child process).

    python benchmarks/turn_profile.py slack|slack-bare|slack-server|slack-core|teams|teams-threads|teams-bare [--turns 300]
        [--profile cprofile|callgrind|none] [--top 40]

slack: signed events through bolt at POST /slack/events, answered (in threads: here inline) and posted;
slack-bare: a bare bolt app posting a fixed reply to each; slack-server: the server's own share with
the turns answered in one worker process (the worker's CPU is not counted; slack-core is most of it); slack-core: SlackTurns called directly (no
bolt); teams: activities at POST /api/messages, the core run in one worker process (TEAMS_ANSWER_PROCESSES=1:
its CPU is not counted, so this is the event loop's share); teams-threads: the same with the core run here
(TEAMS_ANSWER_PROCESSES=0, as before issue 17); teams-bare: a bare ActivityHandler replying "ok".

It prints CPU per turn (process time) and how much of it the knowledge answer took (Library.ask, timed
around the call), so what is not the answer is a figure. For instruction counts, which stay the same on
a busy machine, run it under callgrind with instrumentation off until the warm-up is done
(`--profile callgrind` switches it on for the measured turns only) and compare two checkouts' totals:

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.out \
        .venv/bin/python benchmarks/turn_profile.py slack --turns 100 --profile callgrind
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library
from storage.db import transaction

ROOT = Path(__file__).resolve().parent.parent
TEAM = "T0BENCH"
QUESTIONS = ["how much is SCP 39?", "who signs off my progression?", "what do I need for level 3?"]
USERS = 8


class AnswerClock:
    """Process time spent inside Library.ask (the answer itself), by wrapping the method."""

    def __init__(self) -> None:
        self.seconds = 0.0
        ask = Library.ask

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return ask(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - began

        Library.ask = timed  # type: ignore[method-assign]


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """asyncio.to_thread's work done at once in the calling thread, so the profiler sees it."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def callgrind(switch: str) -> None:
    """Instrumentation on or off for this process (run under valgrind --tool=callgrind)."""
    subprocess.run(["callgrind_control", "-i", switch, str(os.getpid())], check=True, capture_output=True)


def child(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


# -- Slack ----------------------------------------------------------------------------------------


async def slack_turns(database: str, library: Library) -> tuple[Callable[[int], Awaitable[None]], Any]:
    from benchmarks.slack_bench import roster
    from bot.operations import link_workspace
    from bot.slack.client import Clients, keep_connections
    from bot.slack.turns import Place, SlackTurns, TurnInput, Workspace
    from storage.roster import import_roster

    fake, api_url = child([sys.executable, "-m", "tests.fakes.slack_api", "--port", "0", "--auto-users",
                           "--team", TEAM])  # fmt: skip
    settings = Settings(_env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="s",
                        slack_api_url=api_url, pathway_database_url=database)  # fmt: skip
    runtime = Runtime.start(settings, library)
    with transaction(runtime.sessions) as session:
        import_roster(session, roster(USERS), known_orgs=["medway"], levels={"medway": {"level-2": []}})
    link_workspace(runtime, "medway", "slack", TEAM)
    clients = Clients(settings, retries=True)
    keep_connections(clients.shared)
    turns = SlackTurns(runtime.conversation("slack"), clients)
    workspace = Workspace(team=TEAM)

    async def one(n: int) -> None:
        user = f"UBENCH{n % USERS}"
        place = Place(channel="D" + user[1:], direct=True)
        question = QUESTIONS[n % len(QUESTIONS)]
        await turns.answer_now(TurnInput(workspace, user, place, text=question, event_id=f"Ev{n}"))

    return one, fake


async def slack_http(
    database: str, library: Library, bare: bool, processes: int = 0
) -> tuple[Callable[[int], Awaitable[None]], Any]:
    """The whole HTTP path: signed events into bolt at POST /slack/events (Pathway's app answering in
    threads, here inline, or in `processes` worker processes, whose CPU is not this process's; or a
    bare bolt app posting a fixed reply), each answer posted to the fake."""
    import aiohttp
    from aiohttp import web

    from benchmarks.slack_bench import SECRET, event_body, posted, roster, signed
    from benchmarks.teams_bench import serve
    from bot.operations import link_workspace
    from bot.slack import mount
    from storage.roster import import_roster

    fake, api_url = child([sys.executable, "-m", "tests.fakes.slack_api", "--port", "0", "--auto-users",
                           "--team", TEAM])  # fmt: skip
    settings = Settings(_env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret=SECRET,
                        slack_api_url=api_url, pathway_database_url=database, slack_answer_processes=processes)  # fmt: skip
    app = web.Application()
    if bare:
        from slack_bolt.async_app import AsyncApp
        from slack_sdk.web.async_client import AsyncWebClient

        from bot.slack.client import keep_connections, web_client

        client = web_client(settings, retries=False)
        bolt = AsyncApp(signing_secret=SECRET, client=client)

        @bolt.event("message")
        async def post(event: dict[str, str], client: AsyncWebClient) -> None:
            await client.chat_postMessage(channel=event["channel"], text="Thanks, noted.")

        app.router.add_post("/slack/events", mount.events_handler(bolt))
        app.on_startup.append(lambda _app: asyncio.sleep(0, keep_connections(client)))
    else:
        runtime = Runtime.start(settings, library)
        with transaction(runtime.sessions) as session:
            import_roster(session, roster(USERS), known_orgs=["medway"], levels={"medway": {"level-2": []}})
        link_workspace(runtime, "medway", "slack", TEAM)
        mount.mount(app, runtime)
    runner, url = await serve(app)
    http = aiohttp.ClientSession()
    stats = api_url.replace("/api/", "/_fake/stats")
    sent = 0

    async def one(n: int) -> None:
        nonlocal sent
        body = event_body(n, USERS)
        async with http.post(f"{url}/slack/events", data=body.encode(), headers=signed(body)) as response:
            assert response.status == 200, response.status
        sent += 1
        if n % 50 == 49 and not processes:
            await flush()

    async def flush() -> None:
        # Every answer posted (they are posted after the ack). Answered in a worker they lag behind the
        # acks, so this process asks rarely: its asking is not the server's cost.
        while await posted(stats) < sent:
            await asyncio.sleep(0.05 if processes else 0.01)

    async def close() -> None:
        await http.close()
        await runner.cleanup()  # stops the worker process, which ignores the SIGTERM exit would send it

    one.flush = flush  # type: ignore[attr-defined]
    one.close = close  # type: ignore[attr-defined]
    return one, fake


# -- Teams ----------------------------------------------------------------------------------------


async def teams_turns(
    database: str, bare: bool, processes: int = 1
) -> tuple[Callable[[int], Awaitable[None]], Any]:
    """Activities into POST /api/messages (Pathway's app, or a bare ActivityHandler replying "ok"),
    each reply sent to the fake Bot Connector before the request returns."""
    import aiohttp
    from aiohttp import web

    from benchmarks.teams_bench import ORGS, activity, bare_app, pathway_app, serve
    from bot.teams.retry_codes import make_retry_codes_cheap

    make_retry_codes_cheap()  # as in teams_bench.py, where the bare bot shares Pathway's process
    connector, service_url = child([sys.executable, __file__, "connector"])
    app = bare_app() if bare else pathway_app(database, processes)
    runner, url = await serve(app)
    http = aiohttp.ClientSession()

    async def one(n: int) -> None:
        async with http.post(f"{url}/api/messages", json=activity(n, service_url)) as response:
            await response.read()
            assert response.status < 300, response.status

    class Stop:
        def terminate(self) -> None:
            connector.terminate()

        def wait(self, timeout: float) -> None:
            connector.wait(timeout)

    async def close() -> None:
        await http.close()
        await runner.cleanup()  # stops the worker process, which ignores the SIGTERM exit would send it

    one.close = close  # type: ignore[attr-defined]
    _ = (ORGS, web)
    return one, Stop()


def connector_process() -> None:
    from benchmarks.teams_bench import add_people, serve
    from tests.fakes.bot_connector import BotConnector

    async def run() -> None:
        connector = BotConnector()
        add_people(connector)
        _runner, service_url = await serve(connector.app())
        print(service_url, flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


# -- the run --------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    asyncio.get_running_loop().set_default_executor(InlineExecutor())
    clock = AnswerClock()
    library = Library.load()
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/profile.sqlite3"
        builds = {
            "slack-core": lambda: slack_turns(database, library),
            "slack": lambda: slack_http(database, library, bare=False),
            "slack-bare": lambda: slack_http(database, library, bare=True),
            "slack-server": lambda: slack_http(database, library, bare=False, processes=1),
            "teams": lambda: teams_turns(database, bare=False),
            "teams-threads": lambda: teams_turns(database, bare=False, processes=0),
            "teams-bare": lambda: teams_turns(database, bare=True),
        }
        one, fake = await builds[args.platform]()
        try:
            for n in range(args.warmup):  # first contact: identities linked, caches filled
                await one(n)
            if hasattr(one, "flush"):
                await one.flush()
            clock.seconds = 0.0
            # Process time by default: a write that wakes the worker (and is then preempted by it on a busy
            # machine) is not this process's cost. --clock wall shows waiting too.
            timer = time.process_time if args.clock == "cpu" else time.perf_counter
            profiler = cProfile.Profile(timer) if args.profile == "cprofile" else None
            began_cpu, began = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            if args.profile == "callgrind":
                callgrind("on")
            for n in range(args.warmup, args.warmup + args.turns):
                await one(n)
            if hasattr(one, "flush"):
                await one.flush()
            if args.profile == "callgrind":
                callgrind("off")
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - began_cpu, time.perf_counter() - began
        finally:
            if hasattr(one, "close"):  # a worker process left running would keep this one from exiting
                await one.close()
            fake.terminate()
            fake.wait(timeout=10)
    per_turn = cpu / args.turns * 1000
    answer = clock.seconds / args.turns * 1000
    print(f"{args.platform}: {args.turns} turns, CPU {per_turn:.2f} ms a turn (this process), wall "
          f"{wall / args.turns * 1000:.2f} ms; the answer (Library.ask) {answer:.2f} ms = "
          f"{answer / per_turn:.0%}; the rest {per_turn - answer:.2f} ms")  # fmt: skip
    if profiler:
        if args.save:  # for comparing two modes' profiles function by function
            profiler.dump_stats(args.save)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
        stats.print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
        print(out.getvalue())


if __name__ == "__main__":
    if sys.argv[1:2] == ["connector"]:
        connector_process()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "platform",
        choices=["slack", "slack-bare", "slack-server", "slack-core", "teams", "teams-threads", "teams-bare"],
    )
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--profile", choices=["cprofile", "callgrind", "none"], default="cprofile")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu", help="what cProfile times")
    parser.add_argument("--callers", help="also print the callers of the functions matching this")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--save", help="also write the cProfile statistics to this file (pstats format)")
    asyncio.run(main(parser.parse_args()))
