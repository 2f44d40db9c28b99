"""Reply -> Block Kit: answers (direct answer, detail, a context line with the sources), cards with
fields and buttons, modals for forms and the App Home view. Every message keeps a plain `text`
fallback (notifications, screen readers, clients without blocks).

Slack's limits are respected rather than trusted to reject: 3,000 characters a section, 10 fields,
25 buttons, 50 blocks, 24-character modal titles, a confirm dialog's 100/300/30 characters.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.slack.translate import (
    ACTION_PREFIX,
    FIELD_ACTION,
    FORM_CALLBACK,
    MAX_VALUE,
    OPEN_FORM,
    encode_action,
)
from dialogs.file_checks import KINDS
from dialogs.messages import (
    MAX_FILES_AT_ONCE,
    Attachment,
    Button,
    Card,
    Confirmation,
    Form,
    FormField,
    Reply,
)
from dialogs.when import iso_day, iso_time

Block = dict[str, Any]
SECTION_LIMIT = 3000
FALLBACK_LIMIT = 3900
MAX_BLOCKS = 50
MAX_FIELDS = 10
MAX_BUTTONS = 25
MODAL_TITLE = 24
INPUT_LIMIT = 3000
INLINE_DOCUMENT = SECTION_LIMIT - 200  # a longer attached document is shared as a file
CONFIRM_TITLE, CONFIRM_TEXT, CONFIRM_BUTTON = 100, 300, 30  # a confirm object's limits
ERROR_LIMIT = 200  # one inline error under a modal's input: a sentence


def escape(text: str) -> str:
    """Slack treats &, < and > as control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(escape(text), SECTION_LIMIT) or " "}}


def sections(text: str) -> list[Block]:
    """Long text as several sections, split at line ends where possible."""
    blocks: list[Block] = []
    while text:
        piece = text[: SECTION_LIMIT - 200]
        if len(text) > len(piece) and "\n" in piece:
            piece = piece[: piece.rindex("\n") + 1]
        blocks.append(section(piece.strip() or piece))
        text = text[len(piece) :]
    return blocks


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(escape(text), SECTION_LIMIT)}]}


def as_file(reply: Reply) -> tuple[Reply, Attachment | None]:
    """The reply to post, and the document to share beside it as a file (Slack's external upload),
    instead of blocks cut at Slack's limit: an attached document longer than a section or meant for
    download (a CSV), or a reply too long for one message."""
    document = reply.attachment
    separate = document is not None and document.content != reply.text
    if (
        document is not None
        and separate
        and (
            document.media_type == "text/csv"
            or document.data_base64 is not None  # a file (a PDF, an evidence file) goes as itself
            or len(document.content) > INLINE_DOCUMENT
        )
    ):
        note = f"{reply.text}\n📄 {document.filename} is attached as a file."
        return reply.model_copy(update={"attachment": None, "text": note}), document
    if len(message(reply)["blocks"]) < MAX_BLOCKS and len(reply.text) <= FALLBACK_LIMIT:
        return reply, None
    whole = Attachment(filename="pathway-reply.txt", content=reply.text)
    opening = cut(reply.text, SECTION_LIMIT - 200)
    return reply.model_copy(update={"text": f"{opening}\n📄 The whole reply is attached as a file."}), whole


def message(reply: Reply) -> dict[str, Any]:
    """Arguments for chat.postMessage / chat.update: `text` and `blocks` (see `as_file` for replies
    longer than a message holds)."""
    blocks = card_blocks(reply.card) if reply.card else answer_blocks(reply)
    if reply.card and not reply.card_fallback:
        blocks.insert(0, section(reply.text))  # what the reply says about the card ("Recorded: …")
    if reply.form:
        blocks.append(actions([form_button(reply.form)]))
    if reply.card is None and reply.buttons:
        blocks.append(actions([button(b, i) for i, b in enumerate(reply.buttons)]))
    text = reply.text
    if reply.attachment and reply.attachment.content != reply.text:
        blocks += [context(f"📄 {reply.attachment.filename}"), *sections(reply.attachment.content)]
        text += f"\n\n{reply.attachment.filename}:\n{reply.attachment.content}"
    return {"text": cut(text, FALLBACK_LIMIT) or " ", "blocks": blocks[:MAX_BLOCKS]}


def answer_blocks(reply: Reply) -> list[Block]:
    """The direct answer, then the detail, then the sources as a context line."""
    lines = reply.text.strip().split("\n")
    source = lines.pop() if len(lines) > 1 and lines[-1].startswith(("Source:", "Sources:")) else None
    blocks = [section(lines[0])] if lines else []
    detail = "\n".join(lines[1:]).strip()
    if detail:
        blocks += sections(detail)
    if source:
        blocks.append(context(source))
    elif reply.sources:
        blocks.append(context("Source: " + ", ".join(f"{s.document} §{s.section}" for s in reply.sources)))
    return blocks


def card_blocks(card: Card) -> list[Block]:
    blocks: list[Block] = [{"type": "header", "text": plain(card.title, 150)}]
    fields = [
        {"type": "mrkdwn", "text": cut(f"*{escape(f.label)}*\n{escape(f.value)}", 2000)}
        for f in card.fields
        if f.button is None
    ][:MAX_FIELDS]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    for n, line in enumerate(f for f in card.fields if f.button is not None):  # a line with its own button
        assert line.button is not None
        blocks.append({**section(f"*{line.label}*\n{line.value}"), "accessory": button(line.button, 100 + n)})
    if card.body:
        blocks += sections(card.body)
    if card.buttons:
        blocks.append(actions([button(b, i) for i, b in enumerate(card.buttons)]))
    return blocks


def actions(elements: list[Block]) -> Block:
    return {"type": "actions", "elements": elements[:MAX_BUTTONS]}


def button(choice: Button, index: int) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(choice.label),
        "action_id": f"{ACTION_PREFIX}{choice.action.name}.{index}",
        "value": encode_action(choice.action)[:MAX_VALUE],
    }
    if choice.style != "default":
        element["style"] = choice.style
    if choice.confirm is not None:
        element["confirm"] = confirm(choice.confirm, choice.style)
    return element


def confirm(asked: Confirmation, style: str) -> Block:
    """Block Kit's confirmation dialog: Slack asks before the click reaches us."""
    dialog: Block = {"title": plain(asked.title, CONFIRM_TITLE), "text": plain(asked.text, CONFIRM_TEXT),
                     "confirm": plain(asked.yes, CONFIRM_BUTTON), "deny": plain(asked.no, CONFIRM_BUTTON)}  # fmt: skip
    if style != "default":
        dialog["style"] = style
    return dialog


def form_button(form: Form) -> Block:
    """A form asked for by typed text has no trigger to open a modal with; this button gives one: the
    form itself in its value, or (too big for a value) the press that draws it again."""
    value = form.model_dump_json()
    if len(value) > MAX_VALUE and form.opened_by is not None:
        return {**button(Button(label=form.title, action=form.opened_by, style="primary"), 99)}
    element: Block = {"type": "button", "text": plain(form.title), "action_id": OPEN_FORM, "style": "primary"}
    if len(value) <= MAX_VALUE:  # forms are small; a too-long one gets a button that explains
        element["value"] = value
    return element


def modal(form: Form, metadata: str) -> dict[str, Any]:
    """The form as a modal, its intro first (an evidence item's prompt)."""
    shown = [section(form.intro)] if form.intro else []
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain(form.title, MODAL_TITLE),
        "submit": plain("Submit"),
        "close": plain("Cancel"),
        "private_metadata": metadata,
        "blocks": [*shown, *(block for f in form.fields for block in field_blocks(f))],
    }


def field_blocks(field: FormField) -> list[Block]:
    """A field's input, and under it (a form reopened after a problem) what was wrong with its value."""
    blocks = [field_input(field)]
    if field.error:
        blocks.append(context(f"⚠️ {field.error}"))
    return blocks


def form_errors(form: Form) -> dict[str, str]:
    """A view_submission's `errors`: each problem under its field's input (block_id is the field name)."""
    return {name: cut(problem, ERROR_LIMIT) for name, problem in form.problems.items()}


def field_input(field: FormField) -> Block:
    if field.kind == "files":  # Block Kit's file input: the files arrive with the submission
        files: Block = {"type": "file_input", "action_id": FIELD_ACTION, "filetypes": sorted(KINDS),
                        "max_files": MAX_FILES_AT_ONCE}  # fmt: skip
        return {"type": "input", "block_id": field.name, "optional": not field.required,
                "label": plain(field.label, 2000), "element": files}  # fmt: skip
    return {
        "type": "input",
        "block_id": field.name,
        "optional": not field.required,
        "label": plain(field.label, 2000),
        "element": PICKERS.get(field.kind, text_input)(field),
    }


def text_input(field: FormField) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": FIELD_ACTION, "multiline": field.multiline,
                      "max_length": min(field.max_length, INPUT_LIMIT)}  # fmt: skip
    if field.value:
        element["initial_value"] = field.value[: element["max_length"]]
    return element


def date_picker(field: FormField) -> Block:
    """Block Kit's date picker; it sends the date chosen as YYYY-MM-DD (translate.form_values)."""
    element: Block = {"type": "datepicker", "action_id": FIELD_ACTION, "placeholder": plain("Choose a date")}
    if iso_day(field.value):
        element["initial_date"] = field.value
    return element


def time_picker(field: FormField) -> Block:
    """Block Kit's time picker; it sends the time chosen as HH:MM (translate.form_values)."""
    element: Block = {"type": "timepicker", "action_id": FIELD_ACTION, "placeholder": plain("Choose a time")}
    if iso_time(field.value):
        element["initial_time"] = field.value
    return element


PICKERS: dict[str, Callable[[FormField], Block]] = {"date": date_picker, "time": time_picker}


def home(replies: list[Reply]) -> dict[str, Any]:
    blocks: list[Block] = [{"type": "header", "text": plain("Pathway", 150)}]
    for reply in replies:
        blocks += message(reply)["blocks"]
        blocks.append({"type": "divider"})
    blocks.append(context("Message me here to ask about progression; say 'help' for what I can do for you."))
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


def metadata(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))
