"""The fake Slack Web API other tests and benchmarks lean on: its rate limit, its failures, its
duplicate count, and running it as a separate process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]


async def post(http: aiohttp.ClientSession, url: str, **params: str) -> tuple[int, dict[str, object], str]:
    async with http.post(url, json=params, headers={"Authorization": "Bearer xoxb-t"}) as response:
        return response.status, await response.json(), response.headers.get("Retry-After", "")


async def test_rate_limit_errors_and_duplicate_count() -> None:
    fake = FakeSlackApi(rate_limit=2, auto_users=True)
    base = await fake.start()
    try:
        async with aiohttp.ClientSession() as http:
            statuses = [
                (await post(http, base + "chat.postMessage", channel="D1", text="hi"))[0] for _ in range(6)
            ]
            assert (
                statuses[0] == 200 and statuses.count(429) >= 2
            )  # 2 a second: 6 quick calls span <= 2 seconds
            fake.rate_limit = None
            fake.fail_next("chat.postMessage", status=429, retry_after=9)
            status, body, retry_after = await post(http, base + "chat.postMessage", channel="D2", text="hi")
            assert (status, body["error"], retry_after) == (429, "ratelimited", "9")
            fake.fail_next("chat.postMessage", error="channel_not_found")
            status, body, _ = await post(http, base + "chat.postMessage", channel="D2", text="hi")
            assert (status, body["ok"], body["error"]) == (200, False, "channel_not_found")
            status, body, _ = await post(http, base + "users.lookupByEmail", email="anyone@auto.example")
            assert body["ok"] is True and str(body["user"]["id"]).startswith("U")  # type: ignore[index]
            await post(http, base + "chat.postMessage", channel="D3", text="once")
            await post(http, base + "chat.postMessage", channel="D3", text="twice")
            history = (await post(http, base + "conversations.history", channel="D3"))[1]["messages"]
            assert [m["text"] for m in history] == ["twice", "once"]  # type: ignore[index, union-attr]
        assert fake.duplicates().get("D3") == 2 and "D2" not in fake.posts_per_channel()
        assert fake.stats()["calls"]["chat.postMessage"] == len(fake.of("chat.postMessage"))
    finally:
        await fake.close()


async def test_random_server_errors() -> None:
    fake = FakeSlackApi(error_rate=0.5, seed=1)
    base = await fake.start()
    try:
        async with aiohttp.ClientSession() as http:
            statuses = [(await post(http, base + "auth.test"))[0] for _ in range(40)]
        assert 5 < statuses.count(503) < 35 and statuses.count(200) == 40 - statuses.count(503)
    finally:
        await fake.close()


async def test_runs_as_its_own_process() -> None:
    process = subprocess.Popen([sys.executable, "-m", "tests.fakes.slack_api", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        base = process.stdout.readline().strip()
        async with aiohttp.ClientSession() as http:
            await post(http, base + "chat.postMessage", channel="D1", text="hi")
            async with http.get(base.replace("/api/", "/_fake/stats")) as response:
                stats = await response.json()
        assert stats["calls"] == {"chat.postMessage": 1} and stats["duplicates"] == {}
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
