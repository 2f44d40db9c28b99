"""Fuzzing the three HTTP edges with hypothesis: Slack events and interactivity (validly signed, and
not), Teams activities (Emulator mode, the auth-off path), and the web chat's API.

One server (the real application, every front-end on, over real HTTP on loopback, with the fake
Slack Web API and Bot Connector) takes generated requests: some well formed, most malformed. For
every request: no 5xx (bar Teams' 501 for an invoke Pathway does not implement), no traceback in
the log, and a refused request (4xx) changes nothing in the database. Bounded by example counts and
a deadline so the whole file stays well under a minute; FUZZ_REPORT prints the counts.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build
from bot.demo import demo_roster
from bot.operations import import_file, link_workspace
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library
from storage.tables import Base
from tests.fakes.bot_connector import BotConnector
from tests.fakes.slack_api import FakeSlackApi

SECRET = "fuzz-signing-secret"
TEAM, TENANT = "T0FUZZ", "tenant-fuzz"
USERS = {"UWORKER": "worker@medway.example", "UMANAGER": "manager@medway.example", "UHR": "hr@medway.example"}
EXAMPLES = 150  # per edge: about 450 requests in all, and more while hypothesis shrinks a failure
# The suite runs the same examples every time (derandomize); FUZZ_EXPLORE=1 draws new ones, to hunt.
EXPLORE = bool(os.environ.get("FUZZ_EXPLORE"))
FUZZ = settings(max_examples=EXAMPLES * (10 if EXPLORE else 1), deadline=None, database=None,
                derandomize=not EXPLORE, suppress_health_check=list(HealthCheck))  # fmt: skip
CONTENT_TYPES = ["; charset=nonsense", "; charset=utf-16", "; charset=latin-1", ""]
TRIED: Counter[str] = Counter()
FOUND: Counter[str] = Counter()


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Edges:
    """The server in a thread of its own (its own event loop), reached over real HTTP."""

    port: int
    connector_url: str
    loop: asyncio.AbstractEventLoop
    app: web.Application
    sessions: sessionmaker[Session]
    log: Records = field(default_factory=Records)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def settle(self) -> None:
        """Until the work bolt does after acknowledging (and queued Slack turns) is finished."""

        async def quiet() -> None:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                busy = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()
                        and "run_ack_function" in repr(t.get_coro())]  # fmt: skip
                if not busy:
                    return
                await asyncio.sleep(0.005)

        asyncio.run_coroutine_threadsafe(quiet(), self.loop).result(30)

    def counts(self) -> dict[str, int]:
        with self.sessions() as session:
            return {
                table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in Base.metadata.sorted_tables
            }


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load()


@pytest.fixture
def edges(session_factory: sessionmaker[Session], library: Library) -> Iterator[Edges]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fuzzed-server", daemon=True)
    thread.start()

    def on_loop(coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(60)

    fake_slack = FakeSlackApi(team_id=TEAM)
    for user, email in USERS.items():
        fake_slack.add_user(user, email)
    slack_url = on_loop(fake_slack.start())
    connector = BotConnector()
    connector.add_member("29:wendy", "aad-wendy", "Wendy Worker", "worker@medway.example")
    settings_ = Settings(_env_file=None, slack_bot_token="xoxb-fuzz", slack_signing_secret=SECRET,
                         slack_api_url=slack_url, slack_app_token=None, slack_answer_processes=0, teams_answer_processes=0,
                         pathway_teams_emulator=True, pathway_web_chat=True)  # fmt: skip
    runtime = Runtime(settings_, library, session_factory)
    import_file(runtime, demo_roster(library))
    link_workspace(runtime, "medway", "slack", TEAM)
    link_workspace(runtime, "medway", "teams", TENANT)
    app, _notes = build(runtime, dispatch=False, reminders=False)

    async def serve() -> tuple[web.AppRunner, web.AppRunner, int, int]:
        runners = []
        for application in (app, connector.app()):
            runner = web.AppRunner(application)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            runners.append(runner)
        ports = [r.addresses[0][1] for r in runners]
        return runners[0], runners[1], ports[0], ports[1]

    server, fake_connector, port, connector_port = on_loop(serve())
    found = Edges(port, f"http://127.0.0.1:{connector_port}", loop, app, session_factory)
    logging.getLogger().addHandler(found.log)
    try:
        yield found
    finally:
        logging.getLogger().removeHandler(found.log)
        on_loop(server.cleanup())
        on_loop(fake_connector.cleanup())
        on_loop(fake_slack.close())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def check(
    edges: Edges, edge: str, status: int, before: dict[str, int], allowed: tuple[int, ...] = ()
) -> None:
    TRIED[edge] += 1
    FOUND[f"{edge} {status}"] += 1
    assert status < 500 or status in allowed, f"{edge}: HTTP {status}"
    tracebacks = [r for r in edges.log.records if r.exc_info or "Traceback" in r.getMessage()]
    edges.log.records.clear()  # the next request is judged on its own
    assert not tracebacks, [r.getMessage()[:300] for r in tracebacks]
    if 400 <= status < 500:
        assert edges.counts() == before, f"{edge}: a refused request changed the database"


# -- generated values ---------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63), st.floats(allow_nan=False),
    st.text(max_size=40), st.sampled_from(["", "0", "1", "-1", "99999999999999999999", "\x00", "=cmd|x", "\u00a0"]),
)  # fmt: skip
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip
names = st.sampled_from(["approve", "decide", "review", "review_decide", "panel_save", "panel_change",
                         "panel_cancel", "broadcast_compose", "broadcast_csv", "hr_unanswered_csv", "apply_next",
                         "status", "x" * 70, ""])  # fmt: skip
actions = st.fixed_dictionaries(
    {"name": names},
    optional={"data": st.dictionaries(st.sampled_from(["application", "panel", "broadcast", "request", "weeks",
                                                       "reasons", "text", "form", "outcome", "stage"]),
                                      scalars, max_size=5)},
)  # fmt: skip
texts = st.one_of(
    st.text(max_size=200), st.sampled_from(["apply", "status", "help", "how much is SCP 39?", "panels"])
)


def signed(body: str, content_type: str, *, valid: bool) -> dict[str, str]:
    ts = str(int(time.time()))
    secret = SECRET if valid else "wrong"
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


slack_events = st.fixed_dictionaries(
    {"type": st.sampled_from(["event_callback"] * 4 + ["url_verification", "app_rate_limited", "x"]),
     "team_id": st.sampled_from([TEAM, "T0OTHER", ""]),
     "event_id": st.text(min_size=1, max_size=12).map(lambda s: "Ev" + s)},
    optional={"event": st.fixed_dictionaries(
        {"type": st.sampled_from(["message", "app_mention", "app_home_opened", "reaction_added"])},
        optional={"user": st.sampled_from([*USERS, "", "U0NOBODY"]), "text": texts, "channel": st.sampled_from(["DWORKER", "C1", ""]),
                  "channel_type": st.sampled_from(["im", "channel"]), "ts": st.just("1.0"), "subtype": scalars,
                  "bot_id": scalars, "thread_ts": scalars, "tab": scalars}), "challenge": scalars},
)  # fmt: skip
slack_payloads = st.fixed_dictionaries(
    {"type": st.sampled_from(["block_actions"] * 3 + ["view_submission"] * 3 + ["view_closed", "shortcut", "x"])},
    optional={
        "user": st.one_of(st.fixed_dictionaries({"id": st.sampled_from([*USERS, "U0NOBODY"])},
                                                 optional={"team_id": st.sampled_from([TEAM, "T0OTHER"])}), json_values),
        "team": st.just({"id": TEAM}), "trigger_id": st.just("t1"),
        "actions": st.lists(st.fixed_dictionaries(
            {"action_id": st.sampled_from(["pw.act.approve", "pw.form", "pw.evidence", "other"])},
            optional={"value": st.one_of(actions.map(json.dumps), st.text(max_size=50))}), max_size=2),
        "container": st.just({"type": "message", "message_ts": "1.0", "channel_id": "DWORKER"}),
        "channel": st.just({"id": "DWORKER"}),
        "view": st.one_of(json_values, st.fixed_dictionaries(
            {"type": st.just("modal"), "id": st.text(max_size=8),
             "callback_id": st.sampled_from(["pathway_form", "pathway_evidence", "other"])},
            optional={"private_metadata": st.one_of(st.text(max_size=40), st.fixed_dictionaries(
                {"submit": actions}, optional={"channel": st.sampled_from(["DWORKER", None])}).map(json.dumps)),
                "state": st.fixed_dictionaries({"values": st.dictionaries(
                    st.sampled_from(["reasons", "example1", "sits_on", "text"]),
                    st.one_of(st.fixed_dictionaries({"value": st.fixed_dictionaries(
                        {"type": st.just("plain_text_input"), "value": st.one_of(texts, scalars)})}), json_values),
                    max_size=3)})})),
    },
)  # fmt: skip


@FUZZ
@given(data=st.data())
def test_slack_edge(edges: Edges, data: st.DataObject) -> None:
    edges.log.records.clear()
    before = edges.counts()
    form = data.draw(st.booleans(), "as a form")
    if form:
        payload = data.draw(slack_payloads, "payload")
        body = urlencode({"payload": json.dumps(payload)})
        kind = "application/x-www-form-urlencoded"
    else:
        body, kind = json.dumps(data.draw(slack_events, "event")), "application/json"
    mangle = data.draw(st.integers(0, 9), "mangle")
    if mangle == 0:
        body = body[: len(body) // 2]  # cut short, still signed
    raw = data.draw(st.binary(max_size=100), "raw body") if mangle == 1 else body.encode()
    kind += data.draw(st.sampled_from(CONTENT_TYPES), "charset") if mangle == 2 else ""
    valid = data.draw(st.integers(0, 4), "forged") != 0
    headers = signed(raw.decode("utf-8", "replace"), kind, valid=valid)
    status = edges.request("POST", "/slack/events", raw, headers)
    edges.settle()
    check(edges, "slack", status, before)
    if not valid:
        assert status in (400, 401)  # unreadable bodies are refused before the signature is checked


WENDY = {"id": "29:wendy", "aadObjectId": "aad-wendy", "name": "Wendy Worker"}
PERSONAL = {"conversationType": "personal", "tenantId": TENANT, "id": "a:personal-wendy"}
wild_activities = st.fixed_dictionaries(
    {"type": st.sampled_from(["message"] * 6 + ["invoke", "conversationUpdate", "installationUpdate", "typing", "x", ""])},
    optional={"text": texts, "value": st.one_of(json_values, st.fixed_dictionaries(
                  {"pathway": st.one_of(actions, json_values)}, optional={"reasons": st.one_of(texts, scalars)})),
              "name": st.sampled_from(["adaptiveCard/action", "x"]), "action": st.sampled_from(["add", "remove"]),
              "membersAdded": json_values, "entities": json_values, "replyToId": st.text(max_size=8),
              "channelData": st.one_of(json_values, st.just({"tenant": {"id": TENANT}})),
              "id": st.text(max_size=12), "locale": scalars},
)  # fmt: skip


plain_activities = st.fixed_dictionaries(
    {"type": st.just("message")},
    optional={"text": texts, "value": st.fixed_dictionaries({"pathway": actions},
                                                           optional={"reasons": st.one_of(texts, scalars)})},
)  # fmt: skip
activities = st.one_of(plain_activities, plain_activities, plain_activities, wild_activities)


@FUZZ
@given(data=st.data())
def test_teams_edge(edges: Edges, data: st.DataObject) -> None:
    edges.log.records.clear()
    before = edges.counts()
    activity: dict[str, Any] = {
        "serviceUrl": data.draw(st.sampled_from([edges.connector_url] * 5 + ["https://attacker.example/", "", 7])),
        "channelId": "msteams",
        "from": data.draw(st.sampled_from([WENDY] * 12 + [{}, {"id": 7}, [], None])),
        "conversation": data.draw(st.sampled_from([PERSONAL] * 12 + [{}, {"id": None}, "x"])),
        "recipient": {"id": "28:bot"},
        "id": data.draw(st.one_of(st.uuids().map(str), st.uuids().map(str), st.just("")), "id"),
        **data.draw(activities, "activity"),
    }  # fmt: skip
    body = json.dumps(activity).encode()
    kind = data.draw(st.sampled_from(["application/json"] * 4 + ["text/plain", ""]), "content type")
    kind += data.draw(st.sampled_from(CONTENT_TYPES), "charset") if kind else ""
    mangle = data.draw(st.integers(0, 9), "mangle")
    if mangle == 0:
        body = body[: len(body) // 2]
    if mangle == 1:
        body = data.draw(st.binary(max_size=100), "raw body")
    status = edges.request("POST", "/api/messages", body, {"Content-Type": kind} if kind else {})
    check(edges, "teams", status, before, allowed=(501,))


people = st.sampled_from(
    ["worker@medway.example", "manager@medway.example", "hr@medway.example", "x@y.z", "WORKER@medway.example"]
)
plain_turns = st.one_of(
    st.fixed_dictionaries({"org": st.just("medway"), "as": people, "text": texts}),
    st.fixed_dictionaries({"org": st.just("medway"), "as": people, "action": actions}),
)
web_bodies = st.one_of(
    plain_turns,
    plain_turns,
    plain_turns,
    st.fixed_dictionaries({"org": st.sampled_from(["medway"] * 5 + ["bcc", "nowhere", ""]), "as": people},
                          optional={"text": st.one_of(texts, scalars), "action": st.one_of(actions, json_values),
                                    "ids": json_values, "extra": scalars}),
    json_values,
)  # fmt: skip


@FUZZ
@given(data=st.data())
def test_web_chat_edge(edges: Edges, data: st.DataObject) -> None:
    edges.log.records.clear()
    before = edges.counts()
    route = data.draw(st.sampled_from(["turns", "turns", "inbox/received", "people", "inbox"]), "route")
    headers = data.draw(st.sampled_from([{}, {"Origin": "https://attacker.example"}, {"X-Forwarded-For": "1.2.3.4"},
                                         {"Host": "attacker.example"}]) if data.draw(st.integers(0, 5)) == 0 else st.just({}))  # fmt: skip
    if route == "people":
        org = data.draw(
            st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "P"]), max_size=20)
        )
        status = edges.request(
            "GET", f"/api/web/organisations/{org.replace('/', '')}/people", headers=headers
        )
    elif route == "inbox":
        query = urlencode(
            data.draw(st.dictionaries(st.sampled_from(["org", "as", "x"]), st.text(max_size=20)))
        )
        status = edges.request(
            "GET", f"/api/web/inbox?{query}&probe=1", headers={**headers, "Connection": "close"}
        )
    else:
        body = json.dumps(data.draw(web_bodies, "body")).encode()
        mangle = data.draw(st.integers(0, 9), "mangle")
        if mangle == 0:
            body = body[: len(body) // 2]
        if mangle == 1:
            body = data.draw(st.binary(max_size=100), "raw body")
        kind = data.draw(st.sampled_from(["application/json"] * 4 + ["text/plain"]), "content type")
        kind += data.draw(st.sampled_from(CONTENT_TYPES), "charset") if mangle == 2 else ""
        status = edges.request("POST", f"/api/web/{route}", body, {"Content-Type": kind, **headers})
    check(edges, "web", status, before)


def test_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The counts for the issue note (run with -s to see them)."""
    with capsys.disabled():
        print(f"\nFUZZ_REPORT tried={dict(TRIED)} statuses={dict(sorted(FOUND.items()))}")
