"""What crosses between the platform adapters and the core: one Incoming in, Replies out.

Adapters (Slack, Teams, web chat, console) translate their payloads into these and draw these in
their own way; every rich reply also carries plain `text`, so any channel can show it.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from base64 import b64decode, b64encode
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge.replies import Citation

Platform = Literal["slack", "teams", "web", "console"]
MAX_TEXT = 4000  # longer messages are cut before the core sees them, and the sender is told
MAX_INCOMING = 20_000  # beyond this a message is refused outright; steps apply their own limits
MAX_FIELD = MAX_TEXT  # any one value a button or form carries (a reason, an example, a broadcast's text)
# Button data that is a whole number: a stored record's id (one the database's integer ids can hold),
# a count of weeks, or the version of an application a button was drawn at.
WHOLE_NUMBERS = frozenset(
    {"application", "broadcast", "delegation", "panel", "person", "request", "weeks", "version"}
)
MAX_RECORD_ID = 2**31 - 1
# NUL and the other C0/C1 controls (tab, newline and carriage return are text): PostgreSQL refuses NUL
# in text, and none of them mean anything in a chat message.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(value: Any) -> Any:
    """Strings (also inside dicts and lists) with control characters removed; anything else as it was."""
    if isinstance(value, str):
        return CONTROL.sub("", value)
    if isinstance(value, dict):
        return {without_controls(k): without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_controls(v) for v in value]
    return value


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Inbound(Message):
    """What people send: control characters are stripped as it enters the core, so whatever a
    platform lets through, nothing the database refuses (or a log would misread) gets further."""

    @model_validator(mode="before")
    @classmethod
    def strip_controls(cls, data: Any) -> Any:
        return without_controls(data)


class Sender(Inbound):
    """Who is talking, as their platform knows them."""

    platform: Platform
    tenant: str = ""  # Slack workspace id, Teams tenant id; empty for web and console
    user_id: str
    email: str | None = None  # when the platform tells us (profile lookup), used to find them on the roster
    name: str | None = None
    address: dict[str, object] | None = None  # conversation reference for messaging them later


class Action(Inbound):
    """A button press or form submission: a name the core understands and its data."""

    name: str = Field(min_length=1, max_length=64)
    data: dict[str, str | int | None] = {}

    def problem(self) -> str | None:
        """Why the core cannot act on this press, in words for the person; None when it can."""
        for key, value in self.data.items():
            if key in WHOLE_NUMBERS and value is not None and whole_number(value) is None:
                return (
                    f"I can't read that button (its {key} isn't a number I can use), so nothing was "
                    "changed. Say 'status' to see where things stand."
                )
            if isinstance(value, str) and len(value) > MAX_FIELD:
                return (
                    f"The {key.replace('_', ' ')} you entered is too long for me ({len(value):,} "
                    f"characters; the limit is {MAX_FIELD:,}), so nothing was saved. Please shorten it."
                )
        return None


def whole_number(value: str | int) -> int | None:
    """A button's number, or None when it cannot be one (not a whole number, or out of range)."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_RECORD_ID else None


MAX_FILES_AT_ONCE = 10  # files in one message or form; more is refused whole, so none is half-taken


class InboundFile(Inbound):
    """A file someone sent (shared in Slack, attached in Teams, uploaded on the web), as its adapter
    fetched it: the bytes in `data_base64`, or `unavailable` saying why the adapter could not fetch
    them (too large to download, the platform refused). What the core accepts is its decision."""

    name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(default="application/octet-stream", max_length=255)
    size: int = Field(ge=0)  # bytes, as the platform declared them (the data's own length when fetched)
    data_base64: str | None = None
    unavailable: str | None = Field(default=None, max_length=500)

    @property
    def data(self) -> bytes | None:
        return b64decode(self.data_base64) if self.data_base64 is not None else None

    @classmethod
    def of(cls, name: str, data: bytes, media_type: str = "application/octet-stream") -> InboundFile:
        return cls(name=name, media_type=media_type, size=len(data), data_base64=b64encode(data).decode())


class Incoming(Inbound):
    org: str
    sender: Sender
    text: str | None = None
    action: Action | None = None
    files: list[InboundFile] = []
    event_id: str | None = None  # the platform's id for this delivery, so a retry is not handled twice

    def problem(self) -> str | None:
        """The one check at the core's edge: why this cannot be handled, said plainly; None if it can."""
        if len(self.text or "") > MAX_INCOMING:
            return (
                f"That message is too long for me ({len(self.text or ''):,} characters). "
                "Please send it in shorter parts."
            )
        if len(self.files) > MAX_FILES_AT_ONCE:
            return (
                f"That's {len(self.files)} files at once; I take up to {MAX_FILES_AT_ONCE} in one message, "
                "so none was kept. Please send them in smaller groups."
            )
        return self.action.problem() if self.action is not None else None


class Confirmation(Message):
    """What a decisive button asks before it acts (Approve, Submit, Send): Slack draws it as the
    button's own confirm dialog, Teams as a confirming step on the card, the web chat as a dialog and
    the console as a yes/no question. Only the confirming press reaches the core."""

    title: str
    text: str
    yes: str  # the confirming button's label, saying what it does ("Yes, submit it")
    no: str = "Go back"


class Button(Message):
    label: str
    action: Action
    style: Literal["primary", "danger", "default"] = "default"
    confirm: Confirmation | None = None

    def confirming(self, title: str, text: str, yes: str) -> Button:
        """This button, asking `title` / `text` before it acts (see Confirmation)."""
        return self.model_copy(update={"confirm": Confirmation(title=title, text=text, yes=yes)})


class CardField(Message):
    label: str
    value: str
    button: Button | None = None  # acts on this line alone (an evidence item's "Open")


class Card(Message):
    """A rich message: title, labelled facts, body and buttons. `key` lets a later reply replace it."""

    title: str
    fields: list[CardField] = []
    body: str = ""
    buttons: list[Button] = []
    key: str | None = None


# "files": a place to attach files where the surface has one (Slack's file_input, the web's file
# chooser); elsewhere the form says how to send them (in the chat). Its label says what is taken.
# "date": drawn as the platform's date picker (Block Kit datepicker, Adaptive Input.Date, <input
# type="date">), which sends an ISO date (2027-06-14); typed channels take a date as people write it.
# "time": the platform's time picker (Block Kit timepicker, Adaptive Input.Time, <input type="time">),
# which sends HH:MM.
FieldKind = Literal["text", "date", "time", "files"]


class FormField(Message):
    name: str
    label: str
    multiline: bool = True
    required: bool = True
    max_length: int = MAX_TEXT  # characters; for a "files" field, the bytes one file may have
    kind: FieldKind = "text"
    value: str = ""  # what the box holds when drawn: the current value, or what was entered before
    error: str | None = None  # why what was entered can't be used, shown beside the box


FORM_KEY = "form"  # submit data: this form's own id, so a double submission takes effect once


class Form(Message):
    """Longer input (reasons, evidence): a modal in Slack, a card form in Teams, a form on the web.

    Each form drawn carries an id of its own in its submit data (every platform sends that data back
    with the fields), so a form sent twice with the same answers is handled once (`submission_key`).
    """

    title: str
    fields: list[FormField]
    submit: Action
    intro: str = ""  # shown above the boxes (an evidence item: what it asks, the privacy warning)
    # The press that draws this form again (an evidence item's Open), for a surface that opens forms
    # only from a click (Slack's modals) when the form itself is too big to carry in a button.
    opened_by: Action | None = None

    @model_validator(mode="before")
    @classmethod
    def with_its_own_id(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "submit" not in data:
            return data
        submit = data["submit"]
        carried = submit.data if isinstance(submit, Action) else (submit or {}).get("data") or {}
        if FORM_KEY in carried:
            return data
        stamped = {**carried, FORM_KEY: uuid.uuid4().hex}
        if isinstance(submit, Action):
            return {**data, "submit": submit.model_copy(update={"data": stamped})}
        return {**data, "submit": {**submit, "data": stamped}}

    @property
    def problems(self) -> dict[str, str]:
        """The fields whose entered values could not be used, and why (empty for a fresh form)."""
        return {f.name: f.error for f in self.fields if f.error}

    def again(self, action: Action, errors: dict[str, str]) -> Form:
        """The form to answer `action` with when it cannot be acted on. For a submission of a form,
        this form as the person left it: every value they entered kept, each problem beside its field
        (one the fields don't name goes beside the first), under the submitted form's own id, so
        platforms redraw the form they sent (a Slack modal's inline errors) rather than a new one. For
        a button press (nothing entered yet), this form as it is."""
        submitted = action.data.get(FORM_KEY)
        if not isinstance(submitted, str) or not submitted:
            return self
        names = {f.name for f in self.fields}
        stray = " ".join(message for name, message in errors.items() if name not in names)
        fields = []
        for n, field in enumerate(self.fields):
            entered = action.data.get(field.name)
            error = " ".join(e for e in (errors.get(field.name), stray if n == 0 else "") if e) or None
            fields.append(
                field.model_copy(update={"value": "" if entered is None else str(entered), "error": error})
            )
        submit = self.submit.model_copy(update={"data": {**self.submit.data, FORM_KEY: submitted}})
        return self.model_copy(update={"fields": fields, "submit": submit})


def refused_form(replies: Sequence[Reply], action: Action) -> Form | None:
    """The submitted form shown again with its problems (Form.again), when that is how the core
    answered `action`: nothing was done, and the platform keeps the form open with what was typed."""
    submitted = action.data.get(FORM_KEY)
    if not isinstance(submitted, str) or not submitted:
        return None
    return next(
        (
            r.form
            for r in replies
            if r.form and r.form.problems and r.form.submit.data.get(FORM_KEY) == submitted
        ),
        None,
    )


def submission_key(action: Action) -> str | None:
    """For a form's submission: its form's id and a digest of the answers; None for a plain button."""
    form = action.data.get(FORM_KEY)
    if not isinstance(form, str) or not form:
        return None
    answers = json.dumps(action.data, sort_keys=True, default=str).encode()
    return f"form:{form[:64]}:{hashlib.sha256(answers).hexdigest()[:32]}"


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
    # The text is the card's own content in plain words (for channels that cannot draw the card), not
    # a message of its own: a channel that draws the card shows it once.
    card_fallback: bool = False


def button(
    label: str,
    name: str,
    style: Literal["primary", "danger", "default"] = "default",
    **data: str | int | None,
) -> Button:
    return Button(label=label, action=Action(name=name, data=data), style=style)
