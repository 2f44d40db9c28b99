"""Slack payloads -> what the core understands: the parts of each payload we use, validated.

Slack's wire text is escaped mrkdwn (`&amp;`, `<@U123>`, `<mailto:a@b|a@b>`); the core wants the words
the person typed. Buttons carry their core `Action` as JSON in the button value, so a click needs no
server-side lookup; a value that does not parse is reported, never acted on.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from dialogs.messages import Action

ACTION_PREFIX = "pw.act."  # action_id of a button that carries a core Action
OPEN_FORM = "pw.form"  # action_id of a button that opens a modal (a form asked for without a click)
FORM_CALLBACK = "pathway_form"  # callback_id of our modals
FIELD_ACTION = "value"  # action_id of every input in our modals
MAX_VALUE = 2000  # Slack's limit on a button value

MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
LINK = re.compile(r"<(?:mailto:)?([^>|]+)(?:\|([^>]*))?>")


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SharedFile(Payload):
    id: str


class MessageEvent(Payload):
    """A `message` (DM) or `app_mention` event (a message with files has subtype file_share)."""

    type: str
    user: str | None = None
    text: str = ""
    channel: str
    ts: str
    thread_ts: str | None = None
    channel_type: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    team: str | None = None
    user_team: str | None = None
    files: list[SharedFile] = []


class Reference(Payload):
    id: str


class UserReference(Payload):
    id: str
    team_id: str | None = None


class ClickedButton(Payload):
    action_id: str
    value: str | None = None


class Container(Payload):
    type: str | None = None
    message_ts: str | None = None
    channel_id: str | None = None
    is_ephemeral: bool = False


class ClickedMessage(Payload):
    ts: str
    thread_ts: str | None = None
    text: str = ""


class BlockActions(Payload):
    user: UserReference
    team: Reference | None = None
    channel: Reference | None = None
    container: Container = Container()
    message: ClickedMessage | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    actions: list[ClickedButton]


class ViewState(Payload):
    values: dict[str, dict[str, dict[str, Any]]] = {}


class View(Payload):
    id: str = ""  # the same on every submission of one modal (a double click sends it twice)
    callback_id: str = ""
    private_metadata: str = ""
    state: ViewState = ViewState()


class ViewSubmission(Payload):
    user: UserReference
    team: Reference | None = None
    view: View


class SlashCommand(Payload):
    team_id: str
    user_id: str
    channel_id: str
    text: str = ""
    response_url: str | None = None
    trigger_id: str | None = None


class FormContext(Payload):
    """What a modal remembers (private_metadata) so its submission is answered where the form was asked."""

    submit: Action
    channel: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None


def plain_text(text: str) -> str:
    """The words typed: mentions of the bot removed, links and emails unwrapped, entities decoded."""
    text = MENTION.sub("", text)
    text = LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return html.unescape(text).strip()


def encode_action(action: Action) -> str:
    return json.dumps({"name": action.name, "data": action.data}, separators=(",", ":"))


def decode_action(value: str | None) -> Action | None:
    """The Action in a button value, or None when it isn't one of ours (old, forged or cut short)."""
    if not value:
        return None
    try:
        return Action.model_validate_json(value)
    except ValidationError:
        return None


def form_values(state: ViewState) -> dict[str, str | int | None]:
    """Modal inputs by field name (each of our inputs is block `name`, action `value`): a text input's
    `value`, a date picker's `selected_date` (YYYY-MM-DD, which the core reads as a date), a time
    picker's `selected_time` (HH:MM)."""
    values: dict[str, str | int | None] = {}
    for name, inputs in state.values.items():
        entered = inputs.get(FIELD_ACTION, {})
        if isinstance(entered, dict) and entered.get("type") == "file_input":
            continue  # the files come as files (form_files), not as a value
        picked = ("selected_date", "selected_time", "value")
        value = (
            next((entered[k] for k in picked if entered.get(k)), None) if isinstance(entered, dict) else None
        )
        values[name] = value if isinstance(value, str) else None
    return values


def form_files(state: ViewState) -> list[str]:
    """The ids of files uploaded in a modal's file inputs."""
    ids: list[str] = []
    for inputs in state.values.values():
        entered = inputs.get(FIELD_ACTION, {})
        if isinstance(entered, dict) and entered.get("type") == "file_input":
            ids += [str(f["id"]) for f in entered.get("files") or [] if isinstance(f, dict) and f.get("id")]
    return ids


def form_context(metadata: str) -> FormContext | None:
    try:
        return FormContext.model_validate_json(metadata)
    except ValidationError:
        return None


def is_direct_message(channel: str, channel_type: str | None = None) -> bool:
    return channel_type == "im" or channel.startswith("D")
