"""/metrics moves with traffic: questions answered and declined, answer times, decisions, the outbox's
depth and age, sends by result; it is not served to the network without the token; and a count made in
another process (a Slack answering worker) is in it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bot.app import build
from bot.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library
from knowledge.working_days import working_days_between
from storage import applications, db, decisions, outbox
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import Person
from tests.broadcast.slack_edge import deliver_all, link_everyone_to_slack, slack_sender
from tests.fakes.slack_api import FakeSlackApi

WORKER = "worker@medway.example"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: TestClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status == 200, await response.text()
    return parse(await response.text())


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def ask(client: TestClient, text: str) -> None:
    response = await client.post("/api/web/turns", json={"org": "medway", "as": WORKER, "text": text})
    assert response.status == 200


async def test_questions_and_answer_times_move_with_traffic(client: TestClient) -> None:
    before = await scrape(client)
    await ask(client, "how much is SCP 39?")
    await ask(client, "what is the canteen menu on friday?")
    after = await scrape(client)
    answered = value(after, "pathway_questions_total", org="medway", outcome="answered")
    declined = value(after, "pathway_questions_total", org="medway", outcome="declined")
    assert answered - value(before, "pathway_questions_total", org="medway", outcome="answered") == 1
    assert declined - value(before, "pathway_questions_total", org="medway", outcome="declined") == 1
    timed = value(after, "pathway_answer_seconds_count", org="medway")
    assert timed - value(before, "pathway_answer_seconds_count", org="medway") == 2


def person(runtime: Runtime, email: str) -> Person:
    with transaction(runtime.sessions) as session:
        return session.scalars(select(Person).where(Person.email == email)).one()


async def test_decisions_outbox_and_sends_move_with_traffic(client: TestClient, runtime: Runtime) -> None:
    worker, manager = person(runtime, WORKER), person(runtime, "manager@medway.example")
    with transaction(runtime.sessions) as session:
        app = applications.create_application(
            session, org_id="medway", person_id=worker.id, target_level="level-3", from_level="level-2",
            line_manager_id=manager.id, status="awaiting_manager",
        )  # fmt: skip
        app.submitted_at = utc_now() - timedelta(days=8)
    waited = working_days_between(app.submitted_at.date(), utc_now().date())
    waiting = await scrape(client)
    assert value(waiting, "pathway_decisions_waiting", org="medway", stage="recommend") == 1
    for kind, days in (("reminder", 3), ("escalation", 6)):  # the settings' defaults
        assert value(waiting, "pathway_reminders_due", org="medway", kind=kind) == (
            1 if waited >= days else 0
        )
    with transaction(runtime.sessions) as session:
        decisions.record_decision(session, app.id, "recommend", manager.id, "approved")
    decided = await scrape(client)
    assert value(decided, "pathway_database_figures_up") == 1
    assert value(decided, "pathway_decisions_total", org="medway", stage="recommend", outcome="approved") == 1

    link_everyone_to_slack(runtime.sessions, "medway")
    with transaction(runtime.sessions) as session:
        for n in range(3):
            outbox.enqueue(
                session, org_id="medway", channel="slack", kind="notice", recipient_person_id=worker.id,
                address={"team": "T0MEDWAY", "user": f"U{worker.id:08d}", "channel": f"D{worker.id:08d}"},
                payload={"text": f"notice {n}"}, idempotency_key=f"metrics-{n}",
            )  # fmt: skip
    queued = await scrape(client)
    assert value(queued, "pathway_outbox_depth", channel="slack", status="pending") == 3
    assert ("pathway_outbox_oldest_age_seconds", frozenset({("channel", "slack")})) in queued
    sent_before = value(queued, "pathway_sends_total", channel="slack", result="delivered")
    retried_before = value(queued, "pathway_sends_total", channel="slack", result="retried")

    fake = FakeSlackApi()
    await fake.start()
    try:
        fake.fail_next("chat.postMessage", 503)
        await deliver_all(
            Dispatcher(runtime.sessions, {"slack": slack_sender(fake, runtime.sessions)}), runtime.sessions
        )
    finally:
        await fake.close()
    drained = await scrape(client)
    assert value(drained, "pathway_outbox_depth", channel="slack", status="pending") == 0
    assert ("pathway_outbox_oldest_age_seconds", frozenset({("channel", "slack")})) not in drained
    assert value(drained, "pathway_sends_total", channel="slack", result="delivered") - sent_before == 3
    assert value(drained, "pathway_sends_total", channel="slack", result="retried") - retried_before == 1


async def test_metrics_are_not_served_to_the_network_without_the_token(client: TestClient) -> None:
    proxied = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status == 403 and "PATHWAY_METRICS_TOKEN" in await proxied.text()
    wrong = await client.get(
        "/metrics", headers={"X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer no"}
    )
    assert wrong.status == 403
    allowed = await client.get(
        "/metrics", headers={"X-Forwarded-For": "203.0.113.9", "Authorization": "Bearer scrape-token"}
    )
    assert allowed.status == 200 and "pathway_outbox_depth" in await allowed.text()


COUNT_IN_A_WORKER = """
from dialogs.metrics import QUESTIONS
QUESTIONS.labels("bcc", "answered").inc(5)
"""


async def test_counts_from_other_processes_are_added_up(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    for _ in range(2):  # two worker processes, as `pathway serve` with SLACK_ANSWER_PROCESSES=2
        subprocess.run([sys.executable, "-c", COUNT_IN_A_WORKER], env=env, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    samples = await scrape(client)
    assert value(samples, "pathway_questions_total", org="bcc", outcome="answered") == 10


async def test_without_the_database_the_process_counts_are_still_served(
    aiohttp_client: Any, library: Library, tmp_path: Path
) -> None:
    gone = db.session_factory(db.make_engine(f"sqlite:///{tmp_path}/no/such/dir/pathway.sqlite3"))
    app, _notes = build(Runtime(Settings(), library, gone), dispatch=False, reminders=False)
    samples = await scrape(await aiohttp_client(app))
    assert value(samples, "pathway_database_figures_up") == 0
    assert any(name == "python_info" for name, _labels in samples)  # this process's own figures
