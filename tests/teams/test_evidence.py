"""Evidence in Teams (issue 16): the evidence page's Open beside every item, the item as one Adaptive
Card form holding its examples (saved ones in their boxes), saving redraws the pressed card as the
page, a file attached in the personal chat is downloaded from the URL Teams gives and kept with the
application, and someone who may see it downloading it is offered it as a file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.runtime import Runtime
from bot.teams.render import FILE_CONSENT_TYPE
from dialogs.filled_form import FilledForm
from storage.tables import EvidenceFile, EvidenceItem
from tests.fakes.bot_connector import Recorded
from tests.teams.conftest import Teams, last_card, words

WORKER = "worker@medway.example"
PDF = FilledForm("Portfolio", [("Worker", "W")]).pdf()
EXAMPLE = "I led the review of the plan with the family and partners, and the plan was agreed at review."


def line_action(card: Recorded, line: str) -> dict[str, Any]:
    """The button beside the card line that starts with `line` (an evidence item's Open)."""
    assert card.card is not None
    for block in card.card["body"]:
        if block.get("type") == "ColumnSet":
            words_column, press = block["columns"]
            if words_column["items"][0]["text"].split(". ", 1)[-1].startswith(line):
                return dict(press["items"][0]["actions"][0])
    raise AssertionError(f"no line {line!r}")


async def press(
    teams: Teams, card: Recorded, action: dict[str, Any], **inputs: str
) -> tuple[dict[str, Any], list[Recorded]]:
    """Press an Action.Execute (as Teams sends it: an adaptiveCard/action invoke)."""
    before = len(teams.connector.log)
    value = {"action": {"type": "Action.Execute", "verb": action["verb"], "data": {**action["data"], **inputs}},
             "trigger": "manual"}  # fmt: skip
    activity = teams.activity(WORKER, type="invoke", name="adaptiveCard/action", value=value,
                              replyToId=card.activity_id)  # fmt: skip
    async with teams.client.post(f"{teams.bot_url}/api/messages", json=activity) as response:
        assert response.status == 200
        answer = await response.json()
    return answer, teams.new_since(before, teams.personal(WORKER))


async def to_evidence(teams: Teams) -> Recorded:
    replies = await teams.say(WORKER, "I want to go for level 3")
    replies = await teams.submit(WORKER, last_card(replies), "Continue")
    return next(r for r in replies if r.card and "Your evidence for" in words([r]))


async def test_an_item_is_one_card_form_and_saving_redraws_it_as_the_page(
    teams: Teams, runtime: Runtime
) -> None:
    page = await to_evidence(teams)
    _answer, sent = await press(teams, page, line_action(page, "Assessments"))
    form = last_card(sent)
    inputs = [b for b in form.card["body"] if b["type"] == "Input.Text"]  # type: ignore[index]
    assert [i["id"] for i in inputs] == ["new1", "new2", "new3"]
    assert "send them to me here in this chat" in words([form])  # Adaptive Cards have no file input
    assert "must not identify service users" in words([form])

    submit = form.card["actions"][0]  # type: ignore[index]
    answer, _ = await press(
        teams, form, submit, new1=EXAMPLE, new2=EXAMPLE.replace("led", "chaired"), new3=""
    )
    redrawn = answer["value"]  # the pressed form becomes the evidence page
    assert redrawn["body"][0]["text"] == "Your evidence for Level 3 Social Worker"
    assert "2 of about 3 examples" in str(redrawn)

    _answer, sent = await press(teams, page, line_action(page, "Assessments"))
    values = [b.get("value") for b in last_card(sent).card["body"] if b["type"] == "Input.Text"]  # type: ignore[index]
    assert values[:2] == [EXAMPLE, EXAMPLE.replace("led", "chaired")] and values[2] is None
    with runtime.sessions() as session:
        assert len(session.scalars(select(EvidenceItem)).all()) == 2


async def test_a_file_attached_in_the_personal_chat_is_downloaded_and_kept(
    teams: Teams, runtime: Runtime
) -> None:
    """Issue 16: nothing could be attached."""
    await to_evidence(teams)  # Recording is open
    attachment = teams.connector.attach(teams.connector_url, "portfolio.pdf", PDF)
    before = len(teams.connector.log)
    response = await teams.post(teams.activity(WORKER, text="", attachments=[attachment]))
    assert response.status in (200, 201)
    said = words(teams.new_since(before, teams.personal(WORKER)))
    assert "Attached portfolio.pdf (0.0 MB) to Recording." in said
    assert teams.connector.downloads == ["file1"]
    with runtime.sessions() as session:
        assert session.scalars(select(EvidenceFile)).one().content == PDF

    elsewhere = {"contentType": "image/png", "name": "x.png", "contentUrl": "https://attacker.example/x.png"}
    before = len(teams.connector.log)
    await teams.post(teams.activity(WORKER, text="", attachments=[elsewhere]))
    assert "somewhere Pathway doesn't fetch from" in words(teams.new_since(before, teams.personal(WORKER)))


async def test_hr_downloading_a_file_is_offered_it_as_a_file(teams: Teams, runtime: Runtime) -> None:
    await to_evidence(teams)
    await teams.post(
        teams.activity(
            WORKER, text="", attachments=[teams.connector.attach(teams.connector_url, "portfolio.pdf", PDF)]
        )
    )
    with runtime.sessions() as session:
        file_id = session.scalars(select(EvidenceFile)).one().id
    # HR may see every application: the download is offered as a file (Teams' file consent card).
    before = len(teams.connector.log)
    await teams.post(
        teams.activity(
            "hr@medway.example", value={"pathway": {"name": "evidence_file", "data": {"file": file_id}}}
        )
    )
    sent = teams.new_since(before, teams.personal("hr@medway.example"))
    offers = [
        a for r in sent for a in r.body.get("attachments") or [] if a["contentType"] == FILE_CONSENT_TYPE
    ]
    assert offers and offers[0]["name"] == "portfolio.pdf" and offers[0]["content"]["sizeInBytes"] == len(PDF)
