"""What the dispatcher hands a platform sender, and how a sender reports a failed send.

Each chat platform (Slack, Teams) has one `Sender`. The dispatcher claims due outbox rows, turns each
into a `Delivery` and awaits `sender.send(delivery)`; a sender raises one of the errors below, and the
dispatcher decides from it whether to retry (and when) or give up.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from dialogs.messages import Platform, Reply


class Delivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int  # the outbox row
    org_id: str
    channel: Platform
    address: dict[str, Any]  # the recipient's conversation reference on that platform
    kind: str
    reply: Reply
    recipient_person_id: int | None = None
    attempts: int = 1
    idempotency_key: str = ""
    # An earlier send of this message may have reached the platform (its dispatcher died before
    # recording the outcome, or the platform answered 5xx): a sender that can look (Slack: message
    # metadata carrying idempotency_key) should check for that copy instead of posting a second one.
    uncertain: bool = False


class SendFailed(Exception):
    """A send that may work later (network error, HTTP 5xx)."""


class RateLimited(SendFailed):
    """The platform said HTTP 429: try again after `retry_after` seconds."""

    def __init__(self, retry_after: float, detail: str = "rate limited") -> None:
        super().__init__(f"{detail} (retry after {retry_after:g}s)")
        self.retry_after = retry_after


class Postponed(Exception):
    """This message cannot be sent yet, for a reason that does not hold back the channel (a look-up the
    send needs was rate limited: platforms limit each method separately). Try it again after
    `retry_after` seconds; it is not counted as a failed send."""

    def __init__(self, retry_after: float, detail: str = "postponed") -> None:
        super().__init__(f"{detail} (retry after {retry_after:g}s)")
        self.retry_after = retry_after


class Undeliverable(Exception):
    """A send that will never work (the user or conversation no longer exists, the bot was removed)."""


class NotOnPlatform(Undeliverable):
    """Nobody with the recipient's roster email is on this platform (no Slack user in the organisation's
    workspaces, no Teams user in its tenant): where the organisation uses another platform too, the
    message is tried there next (dialogs.turn.elsewhere)."""


class Sender(Protocol):
    channel: Platform

    async def send(self, delivery: Delivery) -> None: ...

    async def close(self) -> None:
        """Release what the sender holds open (connections); the dispatcher calls it when it stops."""
