"""Bot Framework activity -> the parts of an `Incoming`: who, where, what they typed or pressed.

Nothing here trusts the activity's shape: Teams, the Emulator and anything else that can reach the
endpoint send different subsets of fields, so every read has a fallback and bad card data becomes a
message for the person rather than an exception.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from botbuilder.schema.teams import TeamsChannelData
from pydantic import ValidationError

from bot.teams.render import ACTION_KEY
from dialogs.messages import MAX_TEXT, Action

AT_TAG = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
MAX_KEPT = 50_000  # kept references and checked channel data; emptied when full
UNKNOWN_ACTION = (
    "I don't recognise that card button; it may be from an older message. Say 'help' to see what I can do."
)


@dataclass(frozen=True)
class Pressed:
    """A card submit: the core's Action, or why it cannot be handled (told to the person)."""

    action: Action | None
    problem: str | None = None


def tenant_of(activity: Activity) -> str:
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"])
    conversation = activity.conversation
    return str(getattr(conversation, "tenant_id", None) or "")


def user_id_of(activity: Activity) -> str:
    """The person's Entra object id when Teams gives it (stable across chats), else their channel id."""
    person = activity.from_property
    return str(person.aad_object_id or person.id)


def is_personal(activity: Activity) -> bool:
    """A one-to-one chat (Teams says "personal"; the Emulator says nothing)."""
    return activity.conversation.conversation_type in (None, "", "personal")


# Serialised references by everything they are made from. msrest's serialiser takes ~0.3 ms of the
# server's event loop a turn, and a person's every message in one chat gives the same reference.
_references: dict[str, str] = {}


def reference_of(activity: Activity) -> dict[str, Any]:
    """The serialised conversation reference, enough to message this conversation later: what names
    the conversation, not this message (its activity id would make every message a new address, and
    the stored one be rewritten each time; a proactive message is a new one in the conversation).

    Kept by its inputs (the accounts' and conversation's fields as deserialised, the channel, locale,
    service URL and tenant), so any change to one of them, a moved serviceUrl or a renamed person, makes
    a new one; a fresh copy each time, so nothing that holds it can change the kept one."""
    key = repr((_fields(activity.from_property), _fields(activity.recipient), _fields(activity.conversation),
                activity.channel_id, activity.locale, activity.service_url, tenant_of(activity)))  # fmt: skip
    # As the reference made from it does (it shares the activity's conversation), kept or not: what the
    # turn reads of the conversation afterwards is the same either way.
    activity.conversation.tenant_id = tenant_of(activity) or None
    kept = _references.get(key)
    if kept is None:
        kept = json.dumps(_reference(activity))
        if len(_references) >= MAX_KEPT:
            _references.clear()
        _references[key] = kept
    reference: dict[str, Any] = json.loads(kept)
    return reference


def _fields(model: object) -> list[tuple[str, Any]] | None:
    """A deserialised account's or conversation's field values: what its serialisation is made from."""
    return None if model is None else sorted(vars(model).items())


def _reference(activity: Activity) -> dict[str, Any]:
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    # The SDK reads the tenant from "tenantID", Teams sends "tenantId": keep the one we resolved.
    reference.conversation.tenant_id = tenant_of(activity) or None
    serialised: dict[str, Any] = reference.serialize()
    return serialised


# Channel data already seen to deserialise as Teams' (its JSON, sorted): each person's chat sends the
# same every time, and checking it with msrest costs ~0.1 ms of the event loop.
_sound_channel_data: set[str] = set()


def check_channel_data(channel_data: object) -> None:
    """Raise if the activity's channel data cannot be read as Teams' (the SDK reads it so mid-turn)."""
    if channel_data is None:
        return
    try:
        key = json.dumps(channel_data, sort_keys=True)
    except (TypeError, ValueError):
        key = None
    if key is not None and key in _sound_channel_data:
        return
    TeamsChannelData().deserialize(channel_data)
    if key is not None:
        if len(_sound_channel_data) >= MAX_KEPT:
            _sound_channel_data.clear()
        _sound_channel_data.add(key)


def text_of(activity: Activity) -> str:
    """What the person typed, without the @mention of the bot (channel and group chat)."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned")
        if entity.type and entity.type.lower() == "mention" and isinstance(mentioned, dict):
            mention_text = props.get("text")
            if mentioned.get("id") == bot_id and isinstance(mention_text, str):
                text = text.replace(mention_text, " ")
    if not is_personal(activity):
        text = AT_TAG.sub(" ", text)  # a mention Teams sent without its entity
    return " ".join(text.split())


def pressed(value: object) -> Pressed | None:
    """The card button behind an Action.Submit value; None when the activity carries no card data."""
    if not isinstance(value, dict) or not value:
        return None
    carried = value.get(ACTION_KEY)
    if not isinstance(carried, dict) or not isinstance(carried.get("name"), str):
        return Pressed(None, UNKNOWN_ACTION)
    data: dict[str, Any] = carried["data"] if isinstance(carried.get("data"), dict) else {}
    inputs = {k: v for k, v in value.items() if k != ACTION_KEY}
    problem = missing_inputs(inputs, carried.get("required"))
    if problem:
        return Pressed(None, problem)
    try:
        return Pressed(Action(name=carried["name"], data={**data, **inputs}))
    except ValidationError:
        return Pressed(None, UNKNOWN_ACTION)


def missing_inputs(inputs: dict[str, Any], required: object) -> str | None:
    """Why a form submit is incomplete or too long, or None when it is fine."""
    too_long = [k for k, v in inputs.items() if isinstance(v, str) and len(v) > MAX_TEXT]
    if too_long:
        return f"That's too long for me (over {MAX_TEXT:,} characters in a box). Please shorten it and submit again."
    if not isinstance(required, dict):
        return None
    empty = [
        str(label)
        for name, label in required.items()
        if not isinstance(inputs.get(name), str) or not inputs[name].strip()
    ]
    if empty:
        return "Please fill in every box before submitting. Missing: " + "; ".join(empty) + "."
    return None
