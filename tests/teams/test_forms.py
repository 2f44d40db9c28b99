"""Forms in Teams (issue 16): required inputs checked by Teams (`isRequired`, `errorMessage`), dates as
`Input.Date`, and a bad value answered by the same card redrawn with what was entered and the problem
under its box (the invoke response for a Universal Action; the clicked card updated for a plain submit);
decisive buttons are a confirming step on the card. The real botbuilder stack over HTTP on loopback
against the fake Bot Connector; every card is checked against the Adaptive Card 1.5 schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.runtime import Runtime
from storage.tables import Panel
from tests.teams.conftest import Teams, last_card, validate_card, words
from tests.teams.test_medway_application import manager_card_after_submission

HR = "hr@medway.example"
LATE = {"sits_on": "2027-06-14", "submission_deadline": "2027-06-30", "location": "Room 4"}


def inputs_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in card["body"] if item["type"].startswith("Input.")}


def problems_of(card: dict[str, Any]) -> list[str]:
    return [item["text"] for item in card["body"] if item.get("color") == "Attention"]


async def test_a_bad_panel_date_redraws_the_form_card_with_what_was_entered(
    teams: Teams, runtime: Runtime
) -> None:
    form = last_card(await teams.say(HR, "add panel"))
    assert form.card is not None
    boxes = inputs_of(form.card)
    assert boxes["sits_on"]["type"] == boxes["submission_deadline"]["type"] == "Input.Date"
    assert boxes["sits_on"]["isRequired"] and boxes["sits_on"]["errorMessage"] == "Panel date is required."
    assert boxes["location"]["type"] == "Input.Text" and not boxes["location"]["isRequired"]

    answer, messages = await teams.execute(HR, form, "Submit", **LATE)  # a Universal Action
    assert answer["statusCode"] == 200 and messages == []  # answered by the card itself, not a message
    redrawn = answer["value"]
    validate_card(redrawn)
    kept = inputs_of(redrawn)
    assert (kept["sits_on"]["value"], kept["submission_deadline"]["value"], kept["location"]["value"]) == (
        "2027-06-14", "2027-06-30", "Room 4")  # fmt: skip
    assert problems_of(redrawn) == ["The submission deadline comes after the panel date: please check them."]
    position = [item.get("id") or item.get("text") for item in redrawn["body"]]
    assert position.index("submission_deadline") + 1 == position.index(
        problems_of(redrawn)[0]
    )  # under its box

    replies = await teams.submit(HR, form, "Submit", **LATE)  # a plain submit (an older client)
    assert replies == []
    updated = teams.connector.current(teams.personal(HR), form.activity_id)
    assert updated.kind == "update" and updated.card is not None
    assert problems_of(updated.card) and inputs_of(updated.card)["location"]["value"] == "Room 4"
    with runtime.sessions() as session:
        assert session.scalars(select(Panel)).all() == []

    done = await teams.submit(HR, form, "Submit", **{**LATE, "submission_deadline": "2027-05-24"})
    assert "Panel added: Monday 14 June 2027, at Room 4, submissions by Monday 24 May 2027" in words(done)


async def test_a_decision_is_a_confirming_step_on_the_card(teams: Teams, runtime: Runtime) -> None:
    card = await manager_card_after_submission(teams, runtime)
    assert card.card is not None
    step = next(a for a in card.card["actions"] if a["title"] == "NOT progressed")
    assert step["type"] == "Action.ShowCard" and step["style"] == "destructive"
    said = [item["text"] for item in step["card"]["body"]]
    assert said[0] == "NOT progressed: Wendy Worker?" and "Wendy Worker is told" in said[1]
    [confirming] = step["card"]["actions"]
    assert confirming["type"] == "Action.Execute" and confirming["title"] == "Yes: NOT progressed"
    assert confirming["data"]["pathway"]["data"]["outcome"] == "not_approved"  # only this press decides


async def test_scheduling_a_broadcast_uses_input_date_and_input_time_and_keeps_a_past_choice(
    teams: Teams, runtime: Runtime
) -> None:
    asked = last_card(await teams.say(HR, "broadcast: Portfolios are due on 24 May."))
    preview = last_card(await teams.submit(HR, asked, "Everyone"))
    form = last_card(await teams.submit(HR, preview, "Schedule"))
    assert form.card is not None
    validate_card(form.card)
    boxes = inputs_of(form.card)
    assert (boxes["on"]["type"], boxes["at"]["type"], boxes["at"]["value"]) == (
        "Input.Date",
        "Input.Time",
        "09:00",
    )
    answer, _ = await teams.execute(HR, form, "Submit", on="2020-01-01", at="09:30")
    redrawn = answer["value"]
    validate_card(redrawn)
    assert (inputs_of(redrawn)["on"]["value"], inputs_of(redrawn)["at"]["value"]) == ("2020-01-01", "09:30")
    assert any("has passed" in problem for problem in problems_of(redrawn))
    answer, messages = await teams.execute(HR, form, "Submit", on="2030-06-03", at="14:15")
    assert "Scheduled for Monday 3 June 2030 at 14:15" in str(answer) + words(messages)
