"""Front-ends with no login (the web chat, Teams in Emulator mode) answer only this machine.

A loopback peer address is not enough on its own: a reverse proxy on the same host (the README's
HTTPS advice) makes every internet client look local, so a request carrying forwarding headers is
treated as from elsewhere. A web page on another site can still make the browser send requests to
127.0.0.1, so the `Host` must be one of this machine's names (a DNS-rebinding page names its own
host) and an `Origin`, when the browser sends one, must be this same server.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from urllib.parse import urlsplit

from aiohttp import web

FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "Via")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
LOOPBACK_ONLY = web.AppKey("loopback_only", list[str])  # what keeps the server from listening beyond


def require_loopback(app: web.Application, what: str) -> None:
    """`what` has no login: the server must listen on loopback only (bot/operations.py sees to it)."""
    app.setdefault(LOOPBACK_ONLY, []).append(what)


def is_loopback_address(remote: str | None) -> bool:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False  # no address (a Unix socket) or an unreadable one: not known to be local
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (mapped or address).is_loopback


def is_loopback_host(host: str) -> bool:
    """Whether a listening address (PATHWAY_HOST) is on loopback only."""
    return host.strip("[]") == "localhost" or is_loopback_address(host.strip("[]"))


def host_name(authority: str) -> str:
    """'127.0.0.1:3978' -> '127.0.0.1'; '[::1]:80' -> '::1'; lower case."""
    return (urlsplit(f"//{authority}").hostname or "").lower()


def refusal(request: web.Request, hosts: Collection[str]) -> str | None:
    """Why this request is not known to come from this machine, or None when it is."""
    if not is_loopback_address(request.remote):
        return "it did not come from a loopback address"
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return "it came through a proxy"
    host = request.headers.get("Host", "")
    if host_name(host) not in {h.lower() for h in hosts}:
        return f"the Host {host[:80]!r} is not one of this machine's names"
    origin = request.headers.get("Origin")
    if origin is not None and (urlsplit(origin).netloc.lower() != host.lower()):
        return "it was sent by a page on another site"
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return "it was sent by a page on another site"
    return None
