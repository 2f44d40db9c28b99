"""The core's own defences, whatever the platform: identifying details however they are spelt, CSV
cells a spreadsheet would run, a form submitted twice, and what crosses into the core at all."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.messages import Action, Incoming, Reply, Sender
from dialogs.privacy import identifying_details
from dialogs.spreadsheet import csv_text
from storage.tables import Panel
from tests.dialogs.conftest import Chat, all_text

HR = "hr@medway.example"


@pytest.mark.parametrize(
    "text",
    [
        "I visited John\u00a0Smith on the ward.",  # no-break space
        "I visited John\u202fSmith on the ward.",  # narrow no-break space
        "I visited John\u2003Smith on the ward.",  # em space
        "I visited Jo\u200bhn Smith on the ward.",  # a zero-width space inside the name
        "I visited \uff2a\uff4f\uff48\uff4e \uff33\uff4d\uff49\uff54\uff48 on the ward.",  # full-width letters
        "I visited \u0421laire \u0408ones on the ward.",  # Cyrillic look-alikes of C and J
        "We met at 12\u00a0High\u00a0Street about the plan.",
        "The family moved to ME4\u00a04PX last year.",
    ],
)
def test_identifying_details_are_seen_however_they_are_spelt(text: str) -> None:
    assert identifying_details(text) != []


def test_csv_cells_that_would_run_as_formulas_are_neutralised() -> None:
    typed = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "plain", "a=b"]
    content = csv_text(["question"], [[cell] for cell in typed])
    cells = [row[0] for row in csv.reader(io.StringIO(content))][1:]
    assert cells[:6] == ["'" + cell for cell in typed[:6]]
    assert cells[6:] == ["plain", "a=b"]


def test_hrs_unanswered_questions_download_neutralises_worker_text(chat: Chat) -> None:
    chat.say("worker@medway.example", "=cmd|' /C calc'!A0 what about the car parking allowance?")
    replies = chat.press(HR, Action(name="hr_unanswered_csv", data={"weeks": 4}))
    [attachment] = [r.attachment for r in replies if r.attachment]
    rows = list(csv.reader(io.StringIO(attachment.content)))
    assert rows[1][3].startswith("'=cmd")


def panels(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Panel)) or 0)


def test_a_panel_form_submitted_twice_adds_one_panel(chat: Chat, sessions: sessionmaker[Session]) -> None:
    [form] = [r.form for r in chat.say(HR, "add a panel") if r.form]
    answers = {"sits_on": "14 June 2027", "location": "Gun Wharf"}
    first = chat.press(HR, form.submit, **answers)
    second = chat.press(HR, form.submit, **answers)  # the double click
    assert panels(sessions) == 1
    assert "already sent that form" in all_text(second) and "already" not in all_text(first)
    [again] = [r.form for r in chat.say(HR, "add a panel") if r.form]  # a new form is a new panel
    chat.press(HR, again.submit, **answers)
    assert panels(sessions) == 2


def incoming(**fields: object) -> Incoming:
    return Incoming.model_validate({"org": "medway", "sender": Sender(platform="web", user_id="u"), **fields})


def test_control_characters_never_cross_into_the_core() -> None:
    message = incoming(text="a\x00b\x07c\x1b[0m\u0085d\ne\tf", action=None)
    assert message.text == "abc[0md\ne\tf"
    pressed = incoming(action={"name": "decide", "data": {"reasons": "r\x00easons"}})
    assert pressed.action is not None and pressed.action.data["reasons"] == "reasons"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"application": "abc"}, "isn't a number I can use"),
        ({"application": 2**31}, "isn't a number I can use"),
        ({"panel": "0"}, "isn't a number I can use"),
        ({"weeks": "four"}, "isn't a number I can use"),
        ({"reasons": "r" * 4001}, "too long for me (4,001 characters; the limit is 4,000)"),
        ({"text": "t" * 100_000}, "too long for me"),
    ],
)
def test_what_the_core_refuses_it_says_plainly(chat: Chat, data: dict[str, object], problem: str) -> None:
    [reply] = chat.press("tm@medway.example", Action(name="decide", data=data))  # type: ignore[arg-type]
    assert problem in reply.text and "went wrong" not in reply.text


def test_ordinary_button_data_passes(chat: Chat) -> None:
    replies: list[Reply] = chat.press(HR, Action(name="hr_unanswered_csv", data={"weeks": "4"}))
    assert any(r.attachment for r in replies)
