"""Slack events endpoint under load: bare bolt apps (one only acknowledges, one posts a fixed reply) vs
Pathway answering questions.

Each server runs in its own process (with the fake Slack Web API in a third), and this process drives
signed `message.im` event deliveries at POST /slack/events over loopback with a fixed number of requests
in flight, measuring each request's time to acknowledgement. For Pathway it then waits until every
answer has been posted to the fake Web API and reports that rate too, since the answers are written
after the acknowledgement. Answers are what people see, so Pathway's answers/s is set against a bare
bolt app that posts a fixed reply to each event through the same fake Web API (target >= 70%).

    python benchmarks/slack_bench.py [--requests 2000] [--concurrency 32] [--rounds 5] [--processes 1]

Columns: the bare bolt app that only acknowledges; the bare bolt app that posts; Pathway answering in
threads (SLACK_ANSWER_PROCESSES=0); Pathway answering in worker processes (the default, SLACK_ANSWER_PROCESSES=1).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
TEAM = "T0BENCH"
QUESTIONS = [
    "how much is SCP 39?",
    "what do I need for level 3?",
    "who signs off my progression?",
    "can I be backdated?",
    "what is the pay for level 2?",
    "how many examples do I need for each competency?",
    "I'm level 2 at point 37, can I jump?",
    "what happens if my manager says no?",
]
# Pathway gives an answer it has already worked out for the same question from the same record again
# (knowledge/remembered.py), so the eight questions above are mostly answered from memory.
# --distinct asks every event a different question, from the project's own evaluation batches, so each
# one is worked out: the figure for a stream of new questions.
BATCHES = ROOT / "docs" / "eval-batches"


def distinct_questions() -> list[str]:
    seen: dict[str, None] = {}
    for batch in sorted(BATCHES.glob("*.jsonl")):
        for line in batch.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.setdefault(json.loads(line)["question"], None)
    return list(seen)


# -- the servers (run in child processes) ---------------------------------------------------------


def serve(mode: str, port: int, api_url: str, database: str, users: int, processes: int) -> None:
    from aiohttp import web

    sys.path.insert(0, str(ROOT))
    from bot.settings import Settings

    settings = Settings(slack_bot_token="xoxb-bench", slack_signing_secret=SECRET, slack_api_url=api_url,
                        pathway_database_url=database, slack_app_token=None,
                        slack_answer_processes=processes)  # fmt: skip
    app = web.Application()
    if mode in ("bare", "bare-post"):
        from slack_bolt.async_app import AsyncApp
        from slack_sdk.web.async_client import AsyncWebClient

        from bot.slack.client import web_client
        from bot.slack.mount import events_handler

        bolt = AsyncApp(signing_secret=SECRET, client=web_client(settings, retries=False))

        @bolt.event("message")
        async def acknowledge_or_post(event: dict[str, str], client: AsyncWebClient) -> None:
            if mode == "bare-post":  # after the acknowledgement, as Pathway answers
                await client.chat_postMessage(channel=event["channel"], text="Thanks, noted.")

        app.router.add_post("/slack/events", events_handler(bolt))
    else:
        from bot.operations import link_workspace
        from bot.runtime import Runtime
        from bot.slack import mount
        from knowledge.library import Library
        from storage.db import transaction
        from storage.roster import import_roster

        runtime = Runtime.start(settings, Library.load())
        with transaction(runtime.sessions) as session:
            import_roster(session, roster(users), known_orgs=["medway"], levels={"medway": {"level-2": []}})
        link_workspace(runtime, "medway", "slack", TEAM)
        print(mount.mount(app, runtime), file=sys.stderr)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def roster(users: int) -> str:
    header = "org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on\n"
    rows = ["medway,boss@auto.example,Bea Boss,manager,,Assessment,children,,,,,"]
    rows += [
        f"medway,ubench{i}@auto.example,Worker {i},worker,boss@auto.example,Assessment,children,level-2,,37,2019-07-01,2019-09-01"
        for i in range(users)
    ]
    return header + "\n".join(rows) + "\n"


# -- the driver ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + digest,
    }


def event_body(n: int, users: int) -> str:
    user = f"UBENCH{n % users}"
    event = {"type": "message", "channel_type": "im", "channel": "D" + user[1:], "user": user, "team": TEAM,
             "text": QUESTIONS[n % len(QUESTIONS)], "ts": f"{time.time():.6f}"}  # fmt: skip
    return json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": f"Ev{n:010d}-{os.getpid()}",
                       "event_time": int(time.time()), "event": event})  # fmt: skip


async def drive(
    url: str, start: int, requests: int, concurrency: int, users: int
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(start, start + requests))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            nonlocal failures
            for n in counter:
                body = event_body(n, users)
                began = time.perf_counter()
                async with http.post(url, data=body.encode(), headers=signed(body)) as response:
                    await response.read()
                    failures += response.status != 200
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return elapsed, latencies, failures


async def wait_until_up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.post(url, data=b"{}") as response:
                    if response.status in (400, 401):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


async def posted(stats_url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(stats_url) as response:
        stats = await response.json()
    return int(stats["calls"].get("chat.postMessage", 0))


def cpu_seconds(pid: int, children: bool = True) -> float:
    """User + system CPU of a process and (`children`) its live children (the worker processes), from
    /proc: a cost per answer that a busy machine does not change the way it changes answers/s (Linux
    only; 0 else)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir() if children else ():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def median_round(results: list[dict[str, float]]) -> dict[str, float]:
    return sorted(results, key=lambda r: r["rps"])[len(results) // 2]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run_mode(
    mode: str, processes: int, args: argparse.Namespace, api_url: str, tmp: Path
) -> dict[str, float]:
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    database = fresh_postgres(args.postgres, tmp.name) if args.postgres else f"sqlite:///{tmp}/{mode}.sqlite3"
    server = subprocess.Popen(
        [sys.executable, __file__, "serve", mode, str(port), api_url, database, str(args.users), str(processes)],
        cwd=ROOT, stderr=subprocess.DEVNULL if mode == "bare" else None,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/slack/events"
    stats_url = api_url.replace("/api/", "/_fake/stats")
    try:
        await wait_until_up(url)
        before = await posted(stats_url)
        _, _, refused = await drive(url, 0, args.warmup, args.concurrency, args.users)  # caches, identities
        answering = mode in ("pathway", "bare-post")
        warm_posts = args.warmup - refused if answering else 0
        await wait_for_posts(stats_url, before + warm_posts, 120)
        before = await posted(stats_url)
        cpu_before, own_before = cpu_seconds(server.pid), cpu_seconds(server.pid, children=False)
        load_started = time.perf_counter()
        elapsed, latencies, failures = await drive(
            url, args.warmup, args.requests, args.concurrency, args.users
        )
        result = {"rps": args.requests / elapsed, "p50": percentile(latencies, 0.5) * 1000,
                  "p99": percentile(latencies, 0.99) * 1000, "max": max(latencies) * 1000,
                  "failures": failures}  # fmt: skip
        if answering:  # every event acknowledged is answered; refused ones (503) Slack would resend
            done = await wait_for_posts(stats_url, before + args.requests - failures, 300)
            result["answers_per_s"] = (args.requests - failures) / (done - load_started)
        result["cpu_ms"] = (cpu_seconds(server.pid) - cpu_before) * 1000 / (args.requests - failures)
        own = cpu_seconds(server.pid, children=False) - own_before
        result["own_cpu_ms"] = own * 1000 / (args.requests - failures)
        return result
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


async def wait_for_posts(stats_url: str, target: int, timeout: float) -> float:
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if await posted(stats_url) >= target:
            return time.perf_counter()
        await asyncio.sleep(0.05)
    raise RuntimeError(f"only {await posted(stats_url)} of {target} answers posted in {timeout}s")


def fresh_postgres(server_url: str, name: str) -> str:
    """An empty database on the PostgreSQL server at `server_url`, for one run (dropped first if left over)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    database = f"pathway_bench_{name}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    engine.dispose()
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


async def main(args: argparse.Namespace) -> None:
    fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.slack_api", "--port", "0", "--auto-users",
                             "--team", TEAM], cwd=ROOT, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert fake.stdout is not None
    api_url = fake.stdout.readline().strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            setups = {
                "bare": ("bare", 0),
                "bare-post": ("bare-post", 0),
                "threads": ("pathway", 0),
                "processes": ("pathway", args.processes),
            }
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in setups}
            for n in range(args.rounds):  # alternate, so a noisy neighbour hurts all alike
                for name, (mode, processes) in setups.items():
                    result = await run_mode(mode, processes, args, api_url, Path(tmp) / f"{name}{n}")
                    rounds[name].append(result)
                    print(f"round {n + 1} {name}: {result['rps']:.0f} req/s", file=sys.stderr)
            results = {name: median_round(rounds[name]) for name in setups}
            for name in setups:  # CPU per event: its own median, not the median round's
                for key in ("cpu_ms", "own_cpu_ms"):
                    cpu = sorted(r[key] for r in rounds[name])
                    results[name] = {**results[name], key: cpu[len(cpu) // 2]}
            ratios = {name: ratio_summary(rounds[name], rounds["bare"]) for name in ("threads", "processes")}
            answers = {name: ratio_summary(rounds[name], rounds["bare-post"], "answers_per_s")
                       for name in ("threads", "processes")}  # fmt: skip
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    report(args, results, ratios, answers)


def ratio_summary(pathway: list[dict[str, float]], bare: list[dict[str, float]], key: str = "rps") -> str:
    """Throughput against bare bolt, robust to a noisy machine: the median of each round's ratio (the two
    ran back to back) and the ratio of the best rounds (noise only ever slows a run down)."""
    per_round = sorted(p[key] / b[key] for p, b in zip(pathway, bare, strict=True))
    best = max(p[key] for p in pathway) / max(b[key] for b in bare)
    return f"median per-round {per_round[len(per_round) // 2]:.0%}, best-of-rounds {best:.0%}"


def report(
    args: argparse.Namespace,
    results: dict[str, dict[str, float]],
    ratios: dict[str, str],
    answers: dict[str, str],
) -> None:
    bare, posting = results["bare"], results["bare-post"]
    threads, processes = results["threads"], results["processes"]
    print(f"\nMedian of {args.rounds} alternating rounds (by requests/s), each {args.requests} signed "
          f"message.im events, {args.concurrency} in flight, {args.users} users, {os.cpu_count()} CPUs, loopback, "
          + ("every question different" if args.distinct else f"{len(QUESTIONS)} questions asked in turn"))  # fmt: skip
    columns = ["bare bolt (ack only)", "bare bolt (posts a reply)", "Pathway, threads",
               f"Pathway, {args.processes} worker process(es)"]  # fmt: skip
    print(f"{'':26}" + "".join(f"{c:>30}" for c in columns))
    rows = [("acknowledged requests/s", "rps", "{:.0f}"), ("ack latency p50 (ms)", "p50", "{:.1f}"),
            ("ack latency p99 (ms)", "p99", "{:.1f}"), ("ack latency max (ms)", "max", "{:.1f}"),
            ("refused (503: backlog full)", "failures", "{:.0f}"),
            ("server CPU ms per event", "cpu_ms", "{:.2f}"),
            ("  of which serving process", "own_cpu_ms", "{:.2f}")]  # fmt: skip
    for label, key, fmt in rows:
        print(
            f"{label:26}" + "".join(f"{fmt.format(r[key]):>30}" for r in (bare, posting, threads, processes))
        )
    print(f"{'answers posted/s':26}{'-':>30}"
          + "".join(f"{r['answers_per_s']:>30.0f}" for r in (posting, threads, processes)))  # fmt: skip
    for name, label in (("threads", "threads"), ("processes", "worker processes")):
        print(f"Pathway ({label}) answers/s vs a bare bolt app that posts: {answers[name]} (target >= 70%)")
        print(f"Pathway ({label}) acknowledgements/s vs bare bolt acknowledging: {ratios[name]}")
    print("Every acknowledged question was answered in each Pathway run (answers are posted after the ack).")
    print("Server CPU: the server process and its worker processes, per event (median of the rounds; the")
    print("  serving process alone on the next line, the rest being the worker's);")
    print(
        "  it does not count the driver or the fake Web API, and a busy machine changes it far less than req/s."
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7]))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--requests", type=int, default=2000, help="stay under MAX_BACKLOG to avoid 503s")
        parser.add_argument("--warmup", type=int, default=200)
        parser.add_argument("--concurrency", type=int, default=32)
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument(
            "--rounds", type=int, default=5, help="alternating runs of each; the median is shown"
        )
        parser.add_argument(
            "--processes", type=int, default=1, help="SLACK_ANSWER_PROCESSES for the third column"
        )
        parser.add_argument(
            "--distinct",
            action="store_true",
            help="a different question for every event (warm-up included), none answered from memory; "
            "warmup + requests must not exceed the questions in docs/eval-batches",
        )
        parser.add_argument(
            "--postgres",
            help="run on PostgreSQL instead of SQLite: a server URL, e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test (a fresh database per run)",
        )
        arguments = parser.parse_args()
        if arguments.distinct:
            QUESTIONS[:] = distinct_questions()
            if arguments.warmup + arguments.requests > len(QUESTIONS):
                parser.error(f"--distinct has {len(QUESTIONS)} questions: lower --warmup plus --requests")
        asyncio.run(main(arguments))
