"""A workaround for the cost of every Bot Framework client botbuilder creates.

msrest (under botbuilder, whose Python SDK is archived upstream) builds each client's retry policy by
testing each of 999 status codes for membership of a 500-item list: about 9 ms of CPU per client. The
CloudAdapter creates two clients for every turn (the Bot Connector's and the token service's), on the
event loop that acknowledges every request, so at 16 turns in flight the 18 ms a turn queue up into
the p99 (benchmarks/teams_bench.py). The list is made a frozenset once, here: the same retry codes,
found at once.
"""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy


def make_retry_codes_cheap() -> None:
    """Idempotent; called where Teams is set up (its endpoint and its outbox sender)."""
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]
