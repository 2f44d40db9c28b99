"""Log lines for the service commands: plain text by default, one JSON object a line with
PATHWAY_LOG_FORMAT=json; an id for the request (or turn) a line belongs to on every line; one short
access line per HTTP request.

No personal data in log lines beyond ids: the access line gives the method, the path without its
query string (the web chat's query names who is chatting) and the status; the code's own lines
name people, messages and applications by id only.
"""

from __future__ import annotations

import contextvars
import json
import logging
import uuid
from typing import Literal

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
REQUEST_ID_HEADER = "X-Request-Id"
MAX_GIVEN_ID = 64  # a request id passed in by a proxy is kept only if it is short and plain

REQUEST_ID_KEY = web.RequestKey("request_id", str)
# The request or turn being handled; copied into worker threads by asyncio.to_thread.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request id, whichever logger wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # the access line brings its own (the request is over)
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: LogFormat) -> None:
    """Send INFO and above to standard error in the chosen format (replacing any earlier set-up)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@web.middleware
async def with_request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Gives the request an id (the proxy's X-Request-Id when it sends a plain one) for its log lines,
    and returns it in the response so a user's report can be matched to the logs."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    ident = given if given and len(given) <= MAX_GIVEN_ID and given.isalnum() else new_request_id()
    token = request_id.set(ident)
    request[REQUEST_ID_KEY] = ident
    try:
        response = await handler(request)
    finally:
        request_id.reset(token)
    if not response.prepared:  # a stream already sent its headers
        response.headers[REQUEST_ID_HEADER] = ident
    return response


class ShortAccessLogger(AbstractAccessLogger):
    """One line a request: `GET /api/web/turns 200 12ms` (path without query; see the module note)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, duration: float) -> None:
        ident = request.get(REQUEST_ID_KEY, "-") if isinstance(request, web.Request) else "-"
        took = duration * 1000
        self.logger.info(
            "%s %s %s %.0fms",
            request.method,
            request.path,
            response.status,
            took,
            extra={"request_id": ident},
        )
