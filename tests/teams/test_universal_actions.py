"""Approval cards as Universal Actions: Action.Execute buttons (with a plain Action.Submit fallback), a
refresh for the decider, and the pressed card answered by the adaptiveCard/action invoke response."""

from __future__ import annotations

from bot.runtime import Runtime
from tests.statements import Statements, statements_fixture  # noqa: F401  (the fixture `statements`)
from tests.teams.conftest import PEOPLE, Teams, last_card, validate_card
from tests.teams.test_medway_application import MANAGER, SERVICE, deliver, submit_application

CARD = "application/vnd.microsoft.card.adaptive"


async def test_the_decider_refreshes_to_buttons_and_the_invoke_answers_with_the_decided_card(
    teams: Teams, runtime: Runtime
) -> None:
    await teams.install(MANAGER)
    await teams.install(SERVICE)
    await submit_application(teams)
    before = len(teams.connector.log)
    await deliver(runtime)
    sent = last_card(teams.new_since(before, teams.personal(MANAGER)))
    assert sent.card is not None and sent.card["refresh"]["userIds"] == [PEOPLE[MANAGER][0]]
    # The decision buttons are confirming steps (Action.ShowCard) whose own button is the Universal
    # Action; reading the evidence acts at once.
    assert [a["type"] for a in sent.card["actions"]] == [
        "Action.ShowCard",
        "Action.ShowCard",
        "Action.Execute",
    ]
    pressed = [a["card"]["actions"][0] if a["type"] == "Action.ShowCard" else a for a in sent.card["actions"]]
    assert {a["type"] for a in pressed} == {"Action.Execute"}
    assert {a["fallback"]["type"] for a in pressed} == {"Action.Submit"}

    refreshed, _ = await teams.execute(MANAGER, sent)  # she opens it: still hers to decide
    assert refreshed["type"] == CARD and [a["title"] for a in refreshed["value"]["actions"]][:1] == [
        "Progressed"
    ]
    fields = {"competencies": "met", "attendance_punctuality_diversity": "have"}  # the form's boxes, filled
    answer, _messages = await teams.execute(MANAGER, sent, "Progressed", **fields)
    assert answer["statusCode"] == 200 and answer["type"] == CARD
    validate_card(answer["value"])
    decided = "\n".join(b.get("text", "") for b in answer["value"]["body"])
    assert "Progressed (Line manager's recommendation) by Tara Manager" in decided
    assert "actions" not in answer["value"]
    assert teams.connector.updates(teams.personal(MANAGER)) == []  # the invoke response redrew it
    refreshed, _ = await teams.execute(MANAGER, sent)  # opened again later: the decision, no buttons
    assert "actions" not in refreshed["value"] and "Progressed (Line manager's" in str(refreshed["value"])
    before = len(teams.connector.log)
    await deliver(runtime)  # and the service manager's card follows as before
    assert (
        "Service Managers and above only" in last_card(teams.new_since(before, teams.personal(SERVICE))).text
    )


async def test_the_pressed_cards_redraw_needs_no_look_up_of_the_person_beside_the_cores(
    teams: Teams, runtime: Runtime, statements: Statements
) -> None:
    """Where each copy of the card went is kept by person: the core's turn says whom it identified,
    so the edge does not look them up again (a transaction of the server's own, on its event loop's
    thread pool, for every press and keyed card)."""
    await teams.install(MANAGER)
    await submit_application(teams)
    before = len(teams.connector.log)
    await deliver(runtime)
    sent = last_card(teams.new_since(before, teams.personal(MANAGER)))
    await teams.say(MANAGER, "status")  # linked and reachable now: her account is kept (accounts.py)
    fields = {"competencies": "met", "attendance_punctuality_diversity": "have"}
    first = len(statements.seen)
    answer, _messages = await teams.execute(MANAGER, sent, "Progressed", **fields)
    assert "Progressed (Line manager's recommendation)" in str(answer["value"])
    later = statements.since(first).touching("identities")
    by_account = [s for s in later if s.startswith("SELECT") and "identities.external_id =" in s]
    assert len(by_account) == 1, by_account  # the core's identification, and nothing after it
