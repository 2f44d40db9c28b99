"""A PDF attachment (Medway's Manager Authorisation) through every channel: it survives the outbox's
JSON, the web chat offers the file itself, and Slack and Teams show its text with its file name."""

from __future__ import annotations

import json
from base64 import b64decode

from bot.slack.render import message
from bot.teams.render import activities
from bot.web.schema import reply_json
from dialogs.filled_form import FilledForm
from dialogs.messages import Attachment, Reply
from knowledge.library import Library

FORM = FilledForm(
    "Manager Authorisation", [("Name", "Wendy Wiśniewska"), ("ERN", "E12345")], ["Send with PAY002."]
)


def pdf_reply() -> tuple[Reply, bytes]:
    data = FORM.pdf()
    attachment = Attachment.binary(
        "application-7-manager-authorisation.pdf", data, "application/pdf", FORM.text()
    )
    return Reply(text="Approved.", attachment=attachment), data


def test_the_file_survives_the_outbox_json_byte_for_byte() -> None:
    reply, data = pdf_reply()
    stored = json.loads(json.dumps(reply.model_dump(mode="json")))
    again = Reply.model_validate(stored)
    assert again.attachment is not None and again.attachment.data == data and data.startswith(b"%PDF-")


def test_the_web_chat_gets_the_file_to_download() -> None:
    reply, data = pdf_reply()
    body = reply_json(reply, Library.load().packs["medway"])
    assert body["attachment"]["media_type"] == "application/pdf"
    assert body["attachment"]["filename"].endswith(".pdf")
    assert b64decode(body["attachment"]["data_base64"]) == data


def test_slack_and_teams_show_the_forms_text_under_its_file_name() -> None:
    reply, _ = pdf_reply()
    slack = message(reply)
    shown = json.dumps(slack["blocks"], ensure_ascii=False)
    assert "application-7-manager-authorisation.pdf" in shown and "Name: Wendy Wiśniewska" in shown
    assert "JVBERi" not in shown + slack["text"]  # no base64 PDF ("%PDF" encoded) in what people read
    teams = [activity.text for activity in activities(reply)]
    assert teams == ["Approved.", f"application-7-manager-authorisation.pdf\n\n{FORM.text()}"]
