"""What crosses between the platform adapters and the core: one Incoming in, Replies out.

Adapters (Slack, Teams, web chat, console) translate their payloads into these and draw these in
their own way; every rich reply also carries plain `text`, so any channel can show it.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge.replies import Citation

Platform = Literal["slack", "teams", "web", "console"]
MAX_TEXT = 4000  # longer messages are cut before the core sees them, and the sender is told


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sender(Message):
    """Who is talking, as their platform knows them."""

    platform: Platform
    tenant: str = ""  # Slack workspace id, Teams tenant id; empty for web and console
    user_id: str
    email: str | None = None  # when the platform tells us (profile lookup), used to find them on the roster
    name: str | None = None
    address: dict[str, object] | None = None  # conversation reference for messaging them later


class Action(Message):
    """A button press or form submission: a name the core understands and its data."""

    name: str = Field(min_length=1, max_length=64)
    data: dict[str, str | int | None] = {}


class Incoming(Message):
    org: str
    sender: Sender
    text: str | None = None
    action: Action | None = None
    event_id: str | None = None  # the platform's id for this delivery, so a retry is not handled twice


class Button(Message):
    label: str
    action: Action
    style: Literal["primary", "danger", "default"] = "default"


class CardField(Message):
    label: str
    value: str


class Card(Message):
    """A rich message: title, labelled facts, body and buttons. `key` lets a later reply replace it."""

    title: str
    fields: list[CardField] = []
    body: str = ""
    buttons: list[Button] = []
    key: str | None = None


class FormField(Message):
    name: str
    label: str
    multiline: bool = True
    required: bool = True
    max_length: int = MAX_TEXT


class Form(Message):
    """Longer input (reasons, evidence): a modal in Slack, a card form in Teams, a form on the web."""

    title: str
    fields: list[FormField]
    submit: Action


class Attachment(Message):
    """A document. `content` is always its text, so any channel can show it; a binary file (a PDF)
    travels as well in `data_base64` (base64, so a reply stays JSON in the outbox), for channels
    that can offer it as a download."""

    filename: str
    content: str
    media_type: str = "text/plain"
    data_base64: str | None = None

    @classmethod
    def binary(cls, filename: str, data: bytes, media_type: str, text: str) -> Attachment:
        return cls(
            filename=filename, content=text, media_type=media_type, data_base64=b64encode(data).decode()
        )

    @property
    def data(self) -> bytes:
        """The file itself: the binary file where there is one, else the text as UTF-8."""
        return b64decode(self.data_base64) if self.data_base64 is not None else self.content.encode()


class Reply(Message):
    text: str
    sources: list[Citation] = []
    buttons: list[Button] = []
    card: Card | None = None
    form: Form | None = None
    attachment: Attachment | None = None
    replaces: str | None = None  # the key of an earlier card this one updates in place


def button(
    label: str,
    name: str,
    style: Literal["primary", "danger", "default"] = "default",
    **data: str | int | None,
) -> Button:
    return Button(label=label, action=Action(name=name, data=data), style=style)
