"""A broadcast to thousands through the real dispatcher and Slack sender, against a rate-limited fake Slack.

For each run: a fresh PostgreSQL schema, a roster of N workers all on Slack, D `pathway dispatch`
processes, and the fake Slack Web API (tests/fakes/slack_api.py) in its own process allowing R
chat.postMessage calls a second (more get HTTP 429 with Retry-After) and, in the second pair of runs,
answering 1% of calls with a 5xx. Once the dispatchers are up, this process plays HR pressing "Send now"
(the first copies are queued in that turn) and then the web process queueing the rest; the clock runs
from HR's press until every copy is settled. Prints the time against the floor the rate limit sets (N / R),
and duplicates and losses as Slack saw them.

    python benchmarks/broadcast_bench.py [--recipients 5000] [--rate 200] [--database postgresql+psycopg://...]
                                         [--dispatchers 1 3] [--error-rates 0 0.01] [--windows]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from knowledge.library import Library  # noqa: E402
from storage import db  # noqa: E402
from storage.tables import OutboxMessage  # noqa: E402
from tests.broadcast.fleet import (  # noqa: E402
    Fleet,
    outbox_counts,
    queue_the_rest,
    release_broadcast,
    seed_roster,
)
from tests.broadcast.slack_edge import slack_user  # noqa: E402

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_schema(server: str) -> Iterator[str]:
    """A URL whose connections use a new schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = db.make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = db.database_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.engine.dispose()


def run(
    library: Library,
    server: str,
    recipients: int,
    rate: float,
    dispatchers: int,
    error_rate: float,
    show_windows: bool = False,
) -> str:
    with fresh_schema(server) as url, tempfile.TemporaryDirectory() as logs:
        seed_roster(url, library, recipients - 1)  # the workers and their manager are the audience
        fleet = Fleet(url, Path(logs), rate_limit=rate, error_rate=error_rate)
        engine = db.make_engine(url)
        sessions = db.session_factory(engine)
        try:
            fleet.start_fake()
            for _ in range(dispatchers):
                fleet.start_dispatcher()
            fleet.wait_ready()
            started = time.monotonic()
            queued = release_broadcast(url, library)  # HR's turn: the first copies are queued
            turn = time.monotonic() - started
            queue_the_rest(url, library)  # as the web process does, while the dispatchers send
            fleet.wait_until(
                sessions,
                lambda c: c["delivered"] + c["failed"] == queued,
                timeout=max(60, 20 * queued / rate),
            )
            took = time.monotonic() - started
            counts, delivered, calls = outbox_counts(sessions), fleet.delivered(), fleet.calls()
            timeline = fleet.timeline()
            with sessions() as session:
                people = session.scalars(select(OutboxMessage.recipient_person_id)).all()
        finally:
            fleet.stop()
            engine.dispose()
    expected = {"D" + slack_user(person)[1:] for person in people if person is not None}
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    losses = len(expected - set(delivered))  # copies that never reached Slack
    floor = queued / rate
    refused = calls["chat.postMessage"] - sum(delivered.values())
    return (f"{dispatchers} dispatcher(s), {error_rate:.0%} 5xx: {queued:,} copies in {took:5.1f}s (HR's turn {turn:.2f}s), floor {floor:.1f}s "
            f"({(took / floor - 1):+.1%}); delivered {counts['delivered']:,}, failed {counts['failed']}, "
            f"duplicates {duplicates}, losses {losses}; refused posts (429/5xx) {refused:,}, "
            f"history look-ups {calls['conversations.history']}\n    {where_the_time_went(timeline, started, took, rate)}"
            + (f"\n{windows(timeline, started)}" if show_windows else ""))  # fmt: skip


def where_the_time_went(
    timeline: list[tuple[float, str, int]], started: float, took: float, rate: float
) -> str:
    """Seconds over the floor, by cause: before the first post (fan-out, claiming), posts Slack refused
    (each 429 or 5xx used one of the rate limit's calls), whole seconds with fewer accepted posts than the
    limit allows (pauses), and the tail after 99% were in (retries)."""
    posts = sorted((at - started, status) for at, method, status in timeline if method == "chat.postMessage")
    accepted = [at for at, status in posts if status == 200]
    if not accepted:
        return "nothing was posted"
    first = posts[0][0]
    refused = {code: sum(1 for _, status in posts if status == code) for code in (429, 503)}
    tail = accepted[-1] - accepted[int(len(accepted) * 0.99)]
    per_second = [0] * (int(accepted[-1]) + 1)
    for at in accepted:
        per_second[int(at)] += 1
    whole = per_second[int(first) + 1 : -1]  # seconds wholly between the first and the last post
    short = sum(max(0.0, rate - n) for n in whole) / rate
    return (f"first post at {first:.2f}s; accepted {len(accepted):,}; refused 429 x{refused[429]}, 5xx x{refused[503]}; "
            f"under-used seconds worth {short:.2f}s; last 1% took {tail:.2f}s; settled {took - accepted[-1]:.2f}s after the last post")  # fmt: skip


def windows(timeline: list[tuple[float, str, int]], started: float) -> str:
    """chat.postMessage calls in each of the fake's one-second windows (it counts by whole seconds of the
    monotonic clock): accepted, refused 429 and 5xx, when in the window the first and last came, and the
    longest gap between two (a stall in a dispatcher shows as a gap and a short window)."""
    by_window: dict[int, list[tuple[float, int]]] = {}
    for at, method, status in timeline:
        if method == "chat.postMessage":
            by_window.setdefault(int(at), []).append((at, status))
    lines = []
    for second, calls in sorted(by_window.items()):
        statuses = [status for _at, status in calls]
        gap, after = max(((b[0] - a[0], a[0] - second) for a, b in pairwise(calls)), default=(0.0, 0.0))
        lines.append(f"    {second - started:6.2f}s  ok {statuses.count(200):3}  429 {statuses.count(429):3}  "
                     f"5xx {statuses.count(503):2}  from +{calls[0][0] - second:.2f} to +{calls[-1][0] - second:.2f}"
                     f"  longest gap {gap * 1000:.0f} ms at +{after:.2f}")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument(
        "--rate", type=float, default=200, help="chat.postMessage calls/second the fake allows"
    )
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="a PostgreSQL server (a schema per run)")
    parser.add_argument("--dispatchers", type=int, nargs="*", default=[1, 3])
    parser.add_argument("--error-rates", type=float, nargs="*", default=[0.0, 0.01])
    parser.add_argument("--windows", action="store_true", help="show each of the fake's windows")
    args = parser.parse_args()
    library = Library.load()
    print(f"broadcast to {args.recipients:,} through a fake Slack allowing {args.rate:g} posts/s", flush=True)
    for error_rate in args.error_rates:
        for dispatchers in args.dispatchers:
            print(
                run(
                    library, args.database, args.recipients, args.rate, dispatchers, error_rate, args.windows
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
