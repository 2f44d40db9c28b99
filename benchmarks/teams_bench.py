"""Teams endpoint benchmark: a bare botbuilder ActivityHandler that only replies vs Pathway, side by side.

Run: .venv/bin/python benchmarks/teams_bench.py [--requests 2000] [--concurrency 16] [--rounds 4]

Three columns: the bare handler; Pathway with its core in the server's threads (TEAMS_ANSWER_PROCESSES=0);
Pathway as deployed, its core in a worker process (TEAMS_ANSWER_PROCESSES=1).

Both bots run in this process on loopback behind the real aiohttp endpoint and CloudAdapter (auth off,
as with the Emulator). A second process plays Teams: it posts message activities to /api/messages and
hosts the fake Bot Connector the replies go to, and times each POST (which returns once the bot's reply
has been accepted by the connector). The columns take turns: each round sends every bot its share of
the requests, in a rotating order, so a neighbour's load on a shared machine falls on all three rather
than on whichever ran at the time, and the ratio between them holds. Pathway answers a policy question from four people of four
councils on a SQLite database, so every turn also identifies the person and records the activity id.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, TCPConnector, web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build
from bot.demo import demo_roster
from bot.runtime import Runtime
from bot.settings import Settings
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import directory
from storage.db import transaction
from tests.fakes.bot_connector import BotConnector

ORGS = ["medway", "bcc", "hertfordshire", "coventry"]
# Four people in each council: each person's turns run one after another (as Pathway keeps them in
# order), so 16 in flight are mostly 16 people, as in a tenant, not four people sending four at once.
ROLES = ["worker", "manager", "service", "hr"]
PEOPLE = [(org, role) for role in ROLES for org in ORGS]  # the i-th activity is from PEOPLE[i % 16]


def add_people(connector: BotConnector) -> None:
    for org, role in PEOPLE:
        connector.add_member(f"29:{role}-{org}", f"aad-{role}-{org}", role.title(), f"{role}@{org}.example")


QUESTIONS = ["how much is SCP 39?", "who signs off progression?", "what do I need for level 3?"]


class EchoBot(ActivityHandler):  # type: ignore[misc]
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity("ok")


class NoAuth:
    APP_ID = ""
    APP_PASSWORD = ""


def bare_app() -> web.Application:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(NoAuth()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        response = await adapter.process(request, bot)
        return response or web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def pathway_app(database_url: str, processes: int = 1, seed: bool = True) -> web.Application:
    """Pathway's app; `processes`: TEAMS_ANSWER_PROCESSES (0: the core in the server's threads);
    `seed`: the database is new (import the roster, link the tenants)."""
    settings = Settings(_env_file=None, pathway_database_url=database_url, pathway_teams_emulator=True,
                        teams_answer_processes=processes)  # fmt: skip
    library = Library.load()
    runtime = Runtime.start(settings, library)
    with transaction(runtime.sessions) as session:
        if not seed:
            return build(runtime, dispatch=False, reminders=False)[0]
        import_staff(session, library, demo_roster(library))
        for org in ORGS:
            directory.link_teams_tenant(session, org, f"tenant-{org}")
    app, _notes = build(runtime, dispatch=False, reminders=False)
    return app


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


# --- the load process (plays Teams and hosts the Bot Connector) ---


def activity(i: int, service_url: str, prefix: str = "load") -> dict[str, Any]:
    org, role = PEOPLE[i % len(PEOPLE)]
    user = f"29:{role}-{org}"
    return {
        "type": "message", "id": f"{prefix}-{i}", "serviceUrl": service_url, "channelId": "msteams",
        "from": {"id": user, "name": role.title(), "aadObjectId": f"aad-{role}-{org}"},
        "conversation": {"conversationType": "personal", "tenantId": f"tenant-{org}", "id": f"a:{user}"},
        "recipient": {"id": "28:bot", "name": "Pathway"}, "channelData": {"tenant": {"id": f"tenant-{org}"}},
        "text": QUESTIONS[i % len(QUESTIONS)],
    }  # fmt: skip


async def load(url: str, requests: int, concurrency: int, warmup: int, prefix: str) -> dict[str, Any]:
    connector = BotConnector()
    add_people(connector)
    runner, service_url = await serve(connector.app())
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(warmup, warmup + requests))  # shared by the workers: each request sent once
    async with ClientSession(connector=TCPConnector(limit=concurrency)) as client:

        async def worker() -> None:
            for i in counter:
                started = time.perf_counter()
                async with client.post(url, json=activity(i, service_url, prefix)) as response:
                    await response.read()
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[response.status] = statuses.get(response.status, 0) + 1

        for i in range(warmup):  # first contact (member lookups, identity links) happens here
            async with client.post(url, json=activity(i, service_url, prefix)) as response:
                await response.read()
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    await runner.cleanup()
    return {
        "elapsed": elapsed,
        "latencies": latencies,
        "statuses": statuses,
        "replies": len(connector.log),
        # An apology is quick to send: the figures count answers only if there are none.
        "apologies": sum(r.body.get("text", "").startswith("Sorry") for r in connector.log),
    }


def combined(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One column's figures over its rounds: requests/s over the time spent sending, percentiles over
    every request."""
    ordered = sorted(latency for r in rounds for latency in r["latencies"])
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, count in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "rps": len(ordered) / sum(r["elapsed"] for r in rounds),
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "statuses": statuses,
        "apologies": sum(r["apologies"] for r in rounds),
    }


def run_load(url: str, requests: int, concurrency: int, prefix: str) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--load",
        url,
        "--requests",
        str(requests),
        "--concurrency",
        str(concurrency),
        "--prefix",
        prefix,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    return dict(json.loads(result.stdout))


async def main(requests: int, concurrency: int, rounds: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database_url = database_url or f"sqlite:///{folder}/bench.sqlite3"
        bare, bare_url = await serve(bare_app())
        # The core in the server's threads (before issue 17), then in a worker process (the default).
        # One database: the second app finds the roster imported; activity ids differ per column.
        threads, threads_url = await serve(pathway_app(database_url, processes=0))
        pathway, pathway_url = await serve(pathway_app(database_url, processes=1, seed=False))
        columns = [
            ("bare ActivityHandler", bare_url),
            ("Pathway, threads", threads_url),
            ("Pathway", pathway_url),
        ]
        measured: dict[str, list[dict[str, Any]]] = {name: [] for name, _url in columns}
        for round_ in range(rounds):
            order = columns[round_ % len(columns) :] + columns[: round_ % len(columns)]
            for name, url in order:
                prefix = f"load{columns.index((name, url))}-{round_}"  # activity ids never repeat
                measured[name].append(await asyncio.to_thread(
                    run_load, f"{url}/api/messages", requests // rounds, concurrency, prefix))  # fmt: skip
        results = {name: combined(column) for name, column in measured.items()}
        for runner in (bare, threads, pathway):
            await runner.cleanup()
    database = database_url.split(":", 1)[0] if database_url else "sqlite"
    print(f"{requests // rounds * rounds} message activities per bot in {rounds} rounds taken in turn, "
          f"{concurrency} concurrent, loopback, auth off, {database}")  # fmt: skip
    print(f"{'bot':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for name, r in results.items():
        print(f"{name:<22} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f}  {r['statuses']}, "
              f"{r['apologies']} apologies")  # fmt: skip
    ours, bare_bot = results["Pathway"], results["bare ActivityHandler"]
    print(f"Pathway: {ours['rps'] / bare_bot['rps']:.0%} of the bare handler's requests/s (target >= 90%), "
          f"p99 {ours['p99']:.0f} ms at {concurrency} in flight (target < 500 ms)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4, help="the columns take turns this many times")
    parser.add_argument(
        "--database-url", help="Pathway's database (default: a fresh SQLite file); must be empty"
    )
    parser.add_argument("--load", help=argparse.SUPPRESS)  # internal: run as the load process
    parser.add_argument("--prefix", default="load", help=argparse.SUPPRESS)  # internal: activity ids
    args = parser.parse_args()
    if args.load:
        print(
            json.dumps(
                asyncio.run(load(args.load, args.requests, args.concurrency, len(PEOPLE), args.prefix))
            )
        )
    else:
        asyncio.run(main(args.requests, args.concurrency, args.rounds, args.database_url))
