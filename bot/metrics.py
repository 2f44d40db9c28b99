"""Prometheus metrics at `/metrics` (prometheus-client's text format).

Two kinds of figure:
- counted where it happens, per process: questions and answer times (dialogs.metrics), and sends by
  result (bot.dispatch.SENDS). `pathway serve` runs in prometheus-client's multiprocess mode
  (bot.metrics_processes), so its Slack answering workers' counts are in its `/metrics` too; a separate
  `pathway dispatch` serves its own with `--metrics-port`.
- read from the database at each scrape, so they are the same whichever process is asked and survive
  restarts: the outbox's depth and age per channel, decisions by stage and outcome, decisions waiting,
  and the reminders and escalations due.

`/metrics` answers requests made directly on loopback (a Prometheus on the same host, or a tunnel);
any other request, including one a reverse proxy forwards, needs `Authorization: Bearer
PATHWAY_METRICS_TOKEN`: the figures name organisations and their workload.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from collections import Counter as Tally
from collections.abc import Iterable

from aiohttp import web
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from bot.loopback import is_loopback_address
from bot.metrics_processes import VARIABLE as MULTIPROCESS_DIR_VARIABLE
from bot.runtime import Runtime
from dialogs.reminders import waiting_decisions
from storage import measures
from storage.columns import utc_now
from storage.db import transaction

log = logging.getLogger(__name__)
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


class DatabaseFigures(Collector):
    """The figures the database holds, read when Prometheus scrapes."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "pathway_database_figures_up", "1 if the database figures below could be read at this scrape."
        )
        try:
            figures = self._figures()
        except SQLAlchemyError:  # the process's own counters are still worth a scrape
            log.warning("metrics: the database figures could not be read", exc_info=True)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *figures]

    def _figures(self) -> list[Metric]:
        now = utc_now()
        settings = self.runtime.settings
        with transaction(self.runtime.sessions) as session:
            backlog = measures.outbox_backlog(session)
            decided = measures.decision_counts(session)
            waiting = waiting_decisions(session, self.runtime.library, now)
        depth = GaugeMetricFamily(
            "pathway_outbox_depth", "Queued messages not yet settled.", labels=["channel", "status"]
        )
        age = GaugeMetricFamily(
            "pathway_outbox_oldest_age_seconds",
            "How long the oldest unsettled message on each channel has been queued.",
            labels=["channel"],
        )
        oldest: dict[str, float] = {}
        for part in backlog:
            depth.add_metric([part.channel, part.status], part.count)
            waited = (now - part.oldest).total_seconds()
            oldest[part.channel] = max(oldest.get(part.channel, 0.0), waited)
        for channel, seconds in sorted(oldest.items()):
            age.add_metric([channel], seconds)
        decisions = CounterMetricFamily(
            "pathway_decisions",
            "Decisions recorded, by stage and outcome.",
            labels=["org", "stage", "outcome"],
        )
        for org, stage, outcome, count in decided:
            decisions.add_metric([org, stage, outcome], count)
        pending = Tally((w.org, w.stage) for w in waiting)
        waiting_family = GaugeMetricFamily(
            "pathway_decisions_waiting", "Applications waiting for a decision.", labels=["org", "stage"]
        )
        for (org, stage), count in sorted(pending.items()):
            waiting_family.add_metric([org, stage], count)
        due = GaugeMetricFamily(
            "pathway_reminders_due",
            "Waiting decisions past the reminder and the escalation thresholds (working days).",
            labels=["org", "kind"],
        )
        thresholds = {"reminder": settings.pathway_remind_after_days,
                      "escalation": settings.pathway_escalate_after_days}  # fmt: skip
        for org in sorted({w.org for w in waiting}):
            for kind, days in thresholds.items():
                due.add_metric(
                    [org, kind], sum(1 for w in waiting if w.org == org and w.working_days >= days)
                )
        return [depth, age, decisions, waiting_family, due]


def exposition(runtime: Runtime) -> bytes:
    """Every figure in Prometheus's text format: this process's (or, in multiprocess mode, every
    process's) counters, then the database's."""
    figures = CollectorRegistry()
    figures.register(DatabaseFigures(runtime))
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
        return generate_latest(counted) + generate_latest(figures)
    return generate_latest(REGISTRY) + generate_latest(figures)


def allowed(request: web.Request, token: str | None) -> bool:
    if token and hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return True
    proxied = any(header in request.headers for header in PROXY_HEADERS)
    return not proxied and is_loopback_address(request.remote)


def mount(app: web.Application, runtime: Runtime) -> str:
    """Adds /metrics; returns the start-up note saying who may read it."""
    token = runtime.settings.pathway_metrics_token

    async def metrics(request: web.Request) -> web.Response:
        if not allowed(request, token):
            return web.json_response(
                {"error": "Metrics are served on loopback, or with the bearer token PATHWAY_METRICS_TOKEN."},
                status=403,
            )
        body = await asyncio.to_thread(exposition, runtime)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", metrics)
    return "metrics: /metrics on loopback" + (", or with PATHWAY_METRICS_TOKEN" if token else "")


def metrics_application(runtime: Runtime) -> web.Application:
    """A server with only /metrics, for `pathway dispatch --metrics-port`."""
    app = web.Application()
    mount(app, runtime)
    return app
