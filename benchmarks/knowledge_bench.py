"""Knowledge benchmark: pack load time and per-question latency, as organisations grow.

Run: .venv/bin/python benchmarks/knowledge_bench.py
Synthetic organisations are copies of the four real packs under new ids (realistic size and shape),
so load time should grow with their number while time per question stays flat. "start from disk" is
what `pathway serve` or `pathway ask` does before it answers: read every pack file, validate it and trace
it to its document, the first time and then with the record of packs already verified
(knowledge/verified_packs.py).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from knowledge.library import Library
from knowledge.loader import DOCUMENTS_DIR, PACKS_DIR, load_packs
from knowledge.models import Pack
from knowledge.tracing import load_traced_packs
from knowledge.verified_packs import VerifiedPacks

QUESTIONS = [
    "What do I need to progress to level 3?", "how much is SCP 39?", "who signs off progression",
    "I disagree with my assessment, what can I do?", "I qualified 6 months ago, can I go for level 2?",
    "I'm level 2 at point 37, can I jump?", "what do I need for level 2?", "when is the progression panel",
    "what is the AMHP pathway", "do I have to pay back my course fees if I leave", "what's the salary for BG11?",
    "What do senior practitioners get paid?", "market supplement with 2 years service", "wat do i need 4 lvl 3",
    "what grade is an advanced social worker", "is the market supplement staying", "what's the canteen menu?",
    "how many observations a year", "who gives feedback after the panel", "what's the caseload for CIN",
]  # fmt: skip


def synthetic(packs: dict[str, Pack], count: int) -> dict[str, Pack]:
    real = list(packs.values())
    out: dict[str, Pack] = {}
    for i in range(count):
        base = real[i % len(real)]
        org_id = base.organisation.id if i < len(real) else f"{base.organisation.id}-{i}"
        org = base.organisation.model_copy(
            update={"id": org_id, "short_name": f"{base.organisation.short_name} {i}"}
        )
        out[org_id] = base.model_copy(update={"organisation": org})
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


ROUNDS = 25  # 500 questions a run, so p99 is a percentile rather than the single slowest question


def measure(count: int) -> tuple[float, float, float, float, float, float, float]:
    started = time.perf_counter()
    packs = synthetic(load_packs(), count)
    library = Library(packs)
    ready_seconds = time.perf_counter() - started  # every pack validated; indexes wait for a first question
    orgs = list(packs)
    cold: list[float] = []
    for org in orgs:  # each organisation's first question builds its index and speller
        t0 = time.perf_counter()
        library.ask(org, QUESTIONS[0])
        cold.append(time.perf_counter() - t0)
    wall: list[float] = []
    cpu: list[float] = []  # this process's CPU time: what a question costs when other jobs share the cores
    for round_ in range(ROUNDS):
        for i, question in enumerate(QUESTIONS):
            org = orgs[(i * 7 + round_ * 13) % len(orgs)]
            t0, c0 = time.perf_counter(), time.process_time()
            library.ask(org, question)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    p99 = percentile(wall, 0.99)
    first_ms = 1000 * max(cold)
    return ready_seconds, sum(cold), first_ms, statistics.median(wall), p99, percentile(cpu, 0.99), max(wall)


def start_from_disk(count: int) -> tuple[float, float]:
    """Seconds to load and trace `count` pack files, with no record yet and then with one."""
    with tempfile.TemporaryDirectory() as folder:
        packs, documents, cache = Path(folder, "packs"), Path(folder, "documents"), Path(folder, "cache")
        packs.mkdir()
        shutil.copytree(DOCUMENTS_DIR, documents)
        real = sorted(PACKS_DIR.glob("*.yaml"))
        for i in range(count):
            data = yaml.safe_load(real[i % len(real)].read_text(encoding="utf-8"))
            data["organisation"]["id"] = f"{data['organisation']['id']}-{i}"
            (packs / f"{data['organisation']['id']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            load_traced_packs(packs, documents, VerifiedPacks(cache, documents))
            timings.append(time.perf_counter() - started)
        return timings[0], timings[1]


def main() -> None:
    t0 = time.perf_counter()
    load_packs()
    print(f"YAML parse + validate of the 4 real packs: {(time.perf_counter() - t0) * 1000:.0f} ms")
    header = [
        "organisations",
        "ready s",
        "all indexed s",
        "first q ms",
        "p50 ms",
        "p99 ms",
        "p99 cpu ms",
        "max ms",
    ]
    print(" ".join(f"{h:>13}" for h in header))
    for count in (4, 50, 200):
        figures = measure(count)
        print(f"{count:>13} " + " ".join(f"{f:>13.2f}" for f in figures))
    for count in (4, 200):
        first, again = start_from_disk(count)
        print(
            f"start from disk, {count} pack files: first {first:.2f} s, then {again:.2f} s (verified before)"
        )
    print("ready: packs loaded and validated, able to answer; first q: the slowest first question to an")
    print("organisation (it builds that organisation's index); p50/p99/max: questions once indexes exist.")


if __name__ == "__main__":
    main()
