"""`pathway demo` as a user runs it serves /metrics, and counts its questions there: the serve commands
turn on prometheus-client's multiprocess mode before the server's modules load (bot.metrics_processes),
so this checks the mode is on and its counts reach the scrape."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.web.conftest import post_turn


def questions_answered(base: str) -> float:
    with urllib.request.urlopen(f"{base}/metrics", timeout=30) as answer:
        text = answer.read().decode()
    assert "python_info" not in text  # multiprocess mode: the per-process collectors are not used
    samples = [s for family in text_string_to_metric_families(text) for s in family.samples]
    return sum(
        s.value for s in samples
        if s.name == "pathway_questions_total" and s.labels == {"org": "medway", "outcome": "answered"}
    )  # fmt: skip


def test_the_demo_counts_questions_in_its_metrics(demo_server: str) -> None:
    before = questions_answered(demo_server)
    post_turn(demo_server, {"org": "medway", "as": "worker@medway.example", "text": "how much is SCP 39?"})
    assert questions_answered(demo_server) == before + 1
