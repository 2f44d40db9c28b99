"""Web chat benchmark: turn latency over HTTP, and how soon a message for someone reaches their page.

Run: .venv/bin/python benchmarks/web_chat_bench.py
The real server application on a free loopback port with a fresh SQLite database and the demo roster:
- question turns (POST /api/web/turns), one after another and 200 sent together;
- a Medway application (60 evidence turns) to the manager's card, timed from the submit's answer to the
  card's arrival on the manager's open event stream, and the confirm that marks it delivered.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import build
from bot.demo import demo_roster
from bot.operations import import_file
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library

QUESTIONS = ["how much is SCP 39?", "what do I need for level 3?", "who signs off progression?", "help"]
WORKER, MANAGER = "worker@medway.example", "manager@medway.example"
EXAMPLE = "In a complex case I led the assessment work myself, example {}, and the plan was agreed at review."


def figures(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"{name:<46} n={len(ms):<4} median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms")


async def turn(http: aiohttp.ClientSession, base: str, who: str, **body: Any) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    async with http.post(f"{base}/api/web/turns", json={"org": "medway", "as": who, **body}) as response:
        answer = await response.json()
    return time.perf_counter() - started, answer


def action(answer: dict[str, Any], label: str) -> dict[str, Any]:
    for reply in answer["replies"]:
        for button in [*reply["buttons"], *(reply["card"]["buttons"] if reply["card"] else [])]:
            if label in button["label"]:
                return button["action"]  # type: ignore[no-any-return]
    raise LookupError(label)


async def next_message(stream: aiohttp.ClientResponse) -> dict[str, Any]:
    event = ""
    while True:
        line = (await stream.content.readline()).decode().strip()
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "message":
            return json.loads(line[6:])  # type: ignore[no-any-return]


async def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(pathway_database_url=f"sqlite:///{Path(home) / 'bench.sqlite3'}")
        runtime = Runtime.start(settings, Library.load())
        import_file(runtime, demo_roster(runtime.library))
        app, _notes = build(runtime, dispatch=False, reminders=False, web_chat=True)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as http:
                await measure(http, base)
        finally:
            await runner.cleanup()


async def measure(http: aiohttp.ClientSession, base: str) -> None:
    sequential = [(await turn(http, base, WORKER, text=QUESTIONS[n % 4]))[0] for n in range(200)]
    figures("question turn, one page", sequential)
    started = time.perf_counter()
    together = await asyncio.gather(*(turn(http, base, WORKER, text=QUESTIONS[n % 4]) for n in range(200)))
    wall = time.perf_counter() - started
    figures("question turn, 200 sent together (latency)", [t for t, _ in together])
    print(f"{'question turns, 200 sent together':<46} {200 / wall:6.0f} turns/s")

    stream = await http.get(f"{base}/api/web/inbox", params={"org": "medway", "as": MANAGER})
    _, answer = await turn(http, base, WORKER, text="I want to go for level 3")
    _, answer = await turn(http, base, WORKER, action=action(answer, "Continue"))
    evidence = []
    for n in range(60):
        took, answer = await turn(http, base, WORKER, text=EXAMPLE.format(n))
        evidence.append(took)
    figures("evidence turn", evidence)
    _, answer = await turn(http, base, WORKER, action=action(answer, "Yes, send to"))
    took, answer = await turn(http, base, WORKER, action=action(answer, "Submit"))
    answered = time.perf_counter()
    item = await next_message(stream)
    arrived = time.perf_counter()
    async with http.post(
        f"{base}/api/web/inbox/received", json={"org": "medway", "as": MANAGER, "ids": [item["id"]]}
    ) as confirmed:
        assert (await confirmed.json())["delivered"] == 1
    print(f"{'submit turn (queues the manager card)':<46} {took * 1000:6.1f} ms")
    print(f"{'card on the manager page after the submit':<46} {(arrived - answered) * 1000:6.1f} ms")
    print(f"{'confirm marks it delivered':<46} {(time.perf_counter() - arrived) * 1000:6.1f} ms")
    stream.close()


if __name__ == "__main__":
    asyncio.run(main())
