"""The fake Slack Web API (tests/fakes/slack_api.py) plus what exactly-once delivery needs from Slack:
messages keep their `metadata`, `conversations.history` returns them (newest first, metadata included
when asked, as Slack does), and GET /_fake/delivered counts the messages Slack accepted per channel
(a refused call, e.g. a 429 or a 503, posted nothing).

Standalone:   python -m tests.fakes.slack_history --port 0 --rate-limit 200 --error-rate 0.01 --auto-users
              (the first line printed is the base URL)
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.slack_api import FakeSlackApi

HISTORY_LIMIT = 100


@dataclass
class FakeSlackWithHistory(FakeSlackApi):
    def application(self) -> web.Application:
        app = super().application()
        app.router.add_get("/_fake/delivered", self._delivered)
        return app

    def delivered(self) -> Counter[str]:
        return Counter(channel for channel, _ts in self.messages)

    async def _delivered(self, _request: web.Request) -> web.Response:
        return web.json_response(dict(self.delivered()))

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        limit = min(int(params.get("limit") or HISTORY_LIMIT), HISTORY_LIMIT)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [(ts, posted) for (where, ts), posted in self.messages.items() if where == channel]
        messages = []
        for ts, posted in sorted(found, key=lambda item: item[0], reverse=True)[:limit]:
            message = {"type": "message", "ts": ts, "text": posted.get("text"), "bot_id": "BPATHWAY"}
            if with_metadata and posted.get("metadata"):
                message["metadata"] = posted["metadata"]
            messages.append(message)
        return {"ok": True, "messages": messages, "has_more": len(found) > limit}


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Slack Web API with history, on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate-limit", type=float, default=None, help="calls/second/method before 429")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of calls answered 503")
    parser.add_argument("--auto-users", action="store_true", help="every email and U-id is a user")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    fake = FakeSlackWithHistory(rate_limit=args.rate_limit, error_rate=args.error_rate,
                                auto_users=args.auto_users, latency=args.latency, seed=args.seed)  # fmt: skip

    async def serve() -> None:
        print(await fake.start(args.port), flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
