"""Drawing replies for Teams: what each kind of reply becomes (checked against the card schema)."""

from __future__ import annotations

from bot.teams.render import ACTION_KEY, MAX_MESSAGE_CHARS, activities, adaptive_card
from dialogs.messages import Attachment, Form, FormField, Reply, button
from knowledge.replies import Citation
from tests.teams.conftest import validate_card


def test_plain_text_stays_plain_and_long_text_goes_in_parts() -> None:
    assert adaptive_card(Reply(text="Hello")) is None
    parts = activities(Reply(text="x" * (MAX_MESSAGE_CHARS * 2 + 5)))
    assert [len(p.text) for p in parts] == [MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS, 5]


def test_an_answer_is_a_card_with_the_answer_first_and_the_source_last() -> None:
    reply = Reply(text="Point 39 is £31,000.\nPaid monthly.\nSource: Medway framework, 3.1",
                  sources=[Citation(document="medway", section="3.1")])  # fmt: skip
    card = adaptive_card(reply)
    assert card is not None
    validate_card(card)
    assert [b["text"] for b in card["body"]] == [
        "Point 39 is £31,000.",
        "Paid monthly.",
        "Source: Medway framework, 3.1",
    ]
    assert card["body"][0]["weight"] == "Bolder" and card["body"][-1]["isSubtle"] is True


def test_buttons_carry_the_action_and_forms_their_required_boxes() -> None:
    card = adaptive_card(Reply(text="Go?", buttons=[button("Yes", "start", "primary", application=3)]))
    assert card is not None
    validate_card(card)
    assert card["actions"][0]["data"] == {ACTION_KEY: {"name": "start", "data": {"application": 3}}}
    assert card["actions"][0]["style"] == "positive"
    form = Form(
        title="Reasons", fields=[FormField(name="reasons", label="Why")], submit=button("x", "decide").action
    )
    card = adaptive_card(Reply(text="Please give reasons.", form=form))
    assert card is not None
    validate_card(card)
    box = next(item for item in card["body"] if item["type"] == "Input.Text")
    assert box["id"] == "reasons" and box["isRequired"] is True and box["errorMessage"]
    assert card["actions"][0]["data"][ACTION_KEY]["required"] == {"reasons": "Why"}


def test_an_attached_document_follows_as_text() -> None:
    reply = Reply(
        text="Approved.", attachment=Attachment(filename="PAY002.txt", content="To spinal point: 41")
    )
    assert [a.text for a in activities(reply)] == ["Approved.", "PAY002.txt\n\nTo spinal point: 41"]
