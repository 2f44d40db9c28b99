"""The local web chat: a page at `/` and a small JSON + server-sent events API under /api/web/.

It is the front-end `pathway demo` opens, and a delivery channel like Slack and Teams: messages the
core queues on the "web" channel for a person reach their page while it is open.
"""

from bot.web.routes import mount

__all__ = ["mount"]
