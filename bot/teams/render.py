"""Reply -> Bot Framework message activities: Adaptive Cards (version 1.5) with a plain-text fallback.

Every button is a Universal Action (`Action.Execute`: Teams sends the bot an adaptiveCard/action
invoke, and the bot's answer replaces the card for whoever pressed it), falling back to a plain
`Action.Submit` on clients without Universal Actions. Either way the data carries the core's Action
under one key (`ACTION_KEY`), so the inputs Teams merges into the same object cannot collide with it. A
form's required field names travel with its submit, so an incomplete submit is answered without the core.
A keyed card (an approval) also carries `refresh` for the people it is for (`viewers`, their Teams ids):
when one of them opens it, Teams asks the bot for their current view (bot.teams.handler), so a card
decided elsewhere shows the decision instead of buttons.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from dialogs.messages import Attachment as DocumentAttachment
from dialogs.messages import Button, Card, Form, FormField, Reply
from dialogs.when import iso_day, iso_time

CARD_VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
FILE_CONSENT_TYPE = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_TYPE = "application/vnd.microsoft.teams.card.file.info"
ACTION_KEY = "pathway"  # action data: {"pathway": {"name", "data", "required": {field: label}}}
REFRESH_VERB = "refresh"  # the Action.Execute a card's `refresh` runs
MAX_MESSAGE_CHARS = 20_000  # Teams refuses messages much over ~28 KB; long documents go in parts

Json = dict[str, Any]


def activities(reply: Reply, viewers: list[str] | None = None, offer: str | None = None) -> list[Activity]:
    """The messages that draw one reply: one card or text message, then any attached document: offered
    as a file (a file consent card carrying `offer`, the kept document's token) when `offered_as_file`
    says so and the caller kept it, else as text (a PDF's text, where it cannot be offered)."""
    card = adaptive_card(reply, viewers)
    messages = (
        [Activity(type=ActivityTypes.message, attachments=[card_attachment(card)], summary=reply.text[:200])]
        if card is not None
        else plain(reply.text)
    )
    attachment = reply.attachment
    if attachment is not None and offer is not None:
        messages.append(Activity(type=ActivityTypes.message, attachments=[consent_card(attachment, offer)]))
    elif attachment is not None and attachment.content.strip() != reply.text.strip():
        messages += plain(f"{attachment.filename}\n\n{attachment.content}")
    return messages


def offered_as_file(reply: Reply) -> bool:
    """Whether the reply's document goes as a file: one meant for download (a CSV) or longer than one
    message (a 5,000-row reach report as text would be a dozen messages)."""
    document = reply.attachment
    if document is None or document.content.strip() == reply.text.strip():
        return False
    if document.data_base64 is not None:
        return True  # a binary file (a PDF form) goes as itself; its text alone would be a copy
    return document.media_type == "text/csv" or len(document.content) > MAX_MESSAGE_CHARS


def consent_card(document: DocumentAttachment, offer: str) -> Attachment:
    """Teams' file consent card: on Accept, Teams gives the bot an upload URL in the person's OneDrive
    (bot.teams.handler uploads the kept document there). Personal chats only."""
    size = len(document.data)
    content = {"description": f"{document.filename} ({size:,} bytes)", "sizeInBytes": size,
               "acceptContext": {"offer": offer}, "declineContext": {"offer": offer}}  # fmt: skip
    return Attachment(content_type=FILE_CONSENT_TYPE, name=document.filename, content=content)


def file_info_card(upload: Any) -> Attachment:
    """The card that shows an uploaded file in the chat (Teams draws it as the file)."""
    return Attachment(content_type=FILE_INFO_TYPE, name=upload.name, content_url=upload.content_url,
                      content={"uniqueId": upload.unique_id, "fileType": upload.file_type})  # fmt: skip


def plain(text: str) -> list[Activity]:
    """Text messages, in parts when longer than Teams takes in one (a whole evidence file can be)."""
    return [
        Activity(type=ActivityTypes.message, text=text[i : i + MAX_MESSAGE_CHARS], text_format="plain")
        for i in range(0, max(len(text), 1), MAX_MESSAGE_CHARS)
    ]


def card_attachment(card: Json) -> Attachment:
    return Attachment(content_type=CARD_CONTENT_TYPE, content=card)


def adaptive_card(reply: Reply, viewers: list[str] | None = None) -> Json | None:
    """The Adaptive Card for a reply, or None when plain text says it all. `viewers`: the Teams user ids
    whose client refreshes a keyed card when they open it."""
    if reply.form is not None:
        return form_card(reply.text, reply.form)
    if reply.card is not None:
        card = rich_card(reply.card, reply.buttons, reply.text)
        if reply.card.key and viewers and card.get("actions"):
            card["refresh"] = refresh(reply.card.key, viewers)
        return card
    if reply.sources:
        return answer_card(reply)
    if reply.buttons:
        return envelope([text_block(reply.text)], reply.buttons, reply.text)
    return None


def answer_card(reply: Reply) -> Json:
    """Direct answer first (bold), the detail, then the source line (subtle)."""
    lines = [line for line in reply.text.split("\n") if line.strip()]
    source = lines.pop() if len(lines) > 1 else None
    body = [text_block(lines[0], weight="Bolder")] if lines else []
    if len(lines) > 1:
        body.append(text_block("\n\n".join(lines[1:])))
    if source:
        body.append(text_block(source, isSubtle=True, size="Small", separator=True))
    return envelope(body, reply.buttons, reply.text)


def rich_card(card: Card, extra: list[Button], fallback: str) -> Json:
    body: list[Json] = [text_block(card.title, weight="Bolder", size="Medium")]
    facts = [{"title": f.label, "value": f.value} for f in card.fields if f.button is None]
    if facts:
        body.append({"type": "FactSet", "facts": facts})
    body += [line_with_button(f.label, f.value, f.button) for f in card.fields if f.button is not None]
    if card.body:
        body.append(text_block(card.body))
    return envelope(body, [*card.buttons, *extra], fallback)


def line_with_button(label: str, value: str, choice: Button) -> Json:
    """A card line that has its own button (an evidence item and its Open): words left, button right."""
    words = {
        "type": "Column",
        "width": "stretch",
        "items": [text_block(label, weight="Bolder"), text_block(value, spacing="None", isSubtle=True)],
    }
    press = {"type": "Column", "width": "auto", "verticalContentAlignment": "Center",
             "items": [{"type": "ActionSet", "actions": [button_action(choice)]}]}  # fmt: skip
    return {"type": "ColumnSet", "separator": True, "columns": [words, press]}


FILES_HINT = "To attach files, send them to me here in this chat while this item is open."


def form_card(text: str, form: Form) -> Json:
    """A form as inputs: required ones checked by Teams before it sends (`isRequired`, `errorMessage`),
    date fields as Teams' date picker; a form sent back with problems keeps what was entered, each
    problem under its box."""
    body: list[Json] = [text_block(form.title, weight="Bolder", size="Medium")]
    if text and text != form.title and not form.problems:
        body.append(text_block(text))
    if form.intro:
        body.append(text_block(form.intro, isSubtle=True))
    for field in form.fields:
        if field.kind == "files":  # Adaptive Cards have no file input: files come in the chat
            body.append(text_block(f"{field.label}. {FILES_HINT}", size="Small"))
            continue
        body.append(form_input(field))
        if field.error:
            body.append(text_block(field.error, color="Attention", spacing="None"))
    required = {f.name: f.label for f in form.fields if f.required}
    submit = submit_action("Submit", form.submit.name, dict(form.submit.data), "positive", required)
    return {**envelope(body, [], text), "actions": [submit]}


def form_input(field: FormField) -> Json:
    entry: Json = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.kind == "date":
        entry["type"] = "Input.Date"  # Teams' date picker: it sends YYYY-MM-DD
        if iso_day(field.value):
            entry["value"] = field.value
    elif field.kind == "time":
        entry["type"] = "Input.Time"  # Teams' time picker: it sends HH:MM
        if iso_time(field.value):
            entry["value"] = field.value
    else:
        entry.update(type="Input.Text", isMultiline=field.multiline, maxLength=field.max_length)
        if field.value:
            entry["value"] = field.value[: field.max_length]
    if field.required:
        entry["errorMessage"] = f"{field.label} is required."
    return entry


def envelope(body: list[Json], buttons: list[Button], fallback: str) -> Json:
    card: Json = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": fallback[:MAX_MESSAGE_CHARS],
    }
    if buttons:
        card["actions"] = [button_action(b) for b in buttons]
    return card


def button_action(button: Button) -> Json:
    style = {"primary": "positive", "danger": "destructive"}.get(button.style, "default")
    if button.confirm is not None:
        return confirming_step(button, style)
    return submit_action(button.label, button.action.name, dict(button.action.data), style)


def confirming_step(button: Button, style: str) -> Json:
    """A decisive button's confirming step: pressing it opens, on the card itself, what it will do and
    the button that does it (pressing it again folds the step away); only that second press acts."""
    asked = button.confirm
    assert asked is not None
    body = [text_block(asked.title, weight="Bolder"), text_block(asked.text),
            text_block(f"Press '{button.label}' again to go back.", isSubtle=True, size="Small")]  # fmt: skip
    yes = submit_action(asked.yes, button.action.name, dict(button.action.data), style)
    return {"type": "Action.ShowCard", "title": button.label, "style": style,
            "card": {"type": "AdaptiveCard", "body": body, "actions": [yes]}}  # fmt: skip


def submit_action(
    title: str, name: str, data: dict[str, Any], style: str, required: dict[str, str] | None = None
) -> Json:
    """A Universal Action, with the plain submit of the same data for clients that lack them."""
    carried: Json = {"name": name, "data": data}
    if required:
        carried["required"] = required
    plain_submit = {"type": "Action.Submit", "title": title, "style": style, "data": {ACTION_KEY: carried}}
    return {**plain_submit, "type": "Action.Execute", "verb": name, "fallback": plain_submit}


def refresh(card_key: str, viewers: list[str]) -> Json:
    data = {ACTION_KEY: {"name": REFRESH_VERB, "data": {"card": card_key}}}
    return {"action": {"type": "Action.Execute", "verb": REFRESH_VERB, "data": data}, "userIds": viewers}


def text_block(text: str, **options: Any) -> Json:
    return {"type": "TextBlock", "text": text[:MAX_MESSAGE_CHARS], "wrap": True, **options}
