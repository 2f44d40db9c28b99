"""A whole Medway application in Teams: the worker applies in a personal chat, the line manager and
then the service manager decide on proactive cards delivered by the dispatcher, and each card is
redrawn in place with the decision."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from bot.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.teams.mount import sender
from storage import posted
from storage.db import transaction
from storage.tables import Application, Decision, Identity, OutboxMessage, Person
from tests.fakes.bot_connector import Recorded
from tests.teams.conftest import Teams, last_card, words

WORKER, MANAGER, SERVICE = "worker@medway.example", "tm@medway.example", "sm@medway.example"


def example(competency: str, n: int) -> str:
    return f"In a complex case I led the {competency.lower()} work myself, example {n}, and the plan was agreed at review."


async def submit_application(teams: Teams) -> None:
    replies = await teams.say(WORKER, "I want to go for level 3")
    assert "how you stand" in words(replies)
    replies = await teams.submit(WORKER, last_card(replies), "Continue")
    for _ in range(20):
        text = words(replies)
        assert "Please give about 3 examples" in text, text
        title = text.split("Please give about 3 examples")[0].split(": ", 1)[1].split(".")[0]
        for n in range(1, 4):
            replies = await teams.say(WORKER, example(title, n))
    assert "1. Line manager's recommendation (Tara Manager)" in words(replies)
    replies = await teams.submit(WORKER, last_card(replies), "Yes, send it")
    assert "20 of 20 competencies have 3 examples" in words(replies)
    replies = await teams.submit(WORKER, last_card(replies), "Submit")
    assert "sent it to Tara Manager" in words(replies)


async def deliver(runtime: Runtime) -> int:
    return await Dispatcher(runtime.sessions, {"teams": sender(runtime)}).run_once()


async def test_full_medway_application_with_proactive_cards_updated_in_place(
    teams: Teams, runtime: Runtime
) -> None:
    welcome = await teams.install(MANAGER)  # first contact: the installation stores the reference
    assert "Ask me anything about progression" in words(welcome)
    assert await teams.install(MANAGER, "conversationUpdate") == []  # Teams sends both; one welcome
    await teams.install(SERVICE, "conversationUpdate")
    await submit_application(teams)

    before = len(teams.connector.log)
    assert await deliver(runtime) >= 1
    manager_card = last_card(teams.new_since(before, teams.personal(MANAGER)))
    assert "Progression application: Wendy Worker" in manager_card.text
    assert "Level 3 Social Worker" in manager_card.text

    form = last_card(await teams.submit(MANAGER, manager_card, "Progressed"))  # the form's fields first
    inputs = [item["id"] for item in form.card["body"] if item["type"] == "Input.Text"]  # type: ignore[index]
    assert inputs == ["competencies", "attendance_punctuality_diversity", "note"]  # the note is optional
    replies = await teams.submit(
        MANAGER, form, "Submit", competencies="met", attendance_punctuality_diversity="have"
    )
    assert "Recorded: Progressed" in words(replies)
    redrawn = teams.connector.current(teams.personal(MANAGER), manager_card.activity_id)
    assert (
        redrawn.kind == "update"
        and "Progressed (Line manager's recommendation) by Tara Manager" in redrawn.text
    )
    assert redrawn.card is not None and "actions" not in redrawn.card  # no buttons left to press

    before = len(teams.connector.log)
    await deliver(runtime)
    service_card = last_card(teams.new_since(before, teams.personal(SERVICE)))
    assert "Service Managers and above only" in service_card.text
    assert "Tara Manager recommended it ('Progressed')" in words(
        teams.new_since(before, teams.personal(WORKER))
    )

    # "Do not authorise" asks for reasons and agreed actions in a card form; an empty submit is refused.
    form = last_card(await teams.submit(SERVICE, service_card, "Do not authorise"))
    inputs = [item for item in form.card["body"] if item["type"] == "Input.Text"]  # type: ignore[index]
    assert [i["id"] for i in inputs] == ["reasons", "actions"] and all(i["isRequired"] for i in inputs)
    refused = await teams.submit(SERVICE, form, "Submit", reasons="  ")
    assert "Please fill in every box" in words(refused) and "Agreed actions" in words(refused)

    replies = await teams.submit(SERVICE, service_card, "Authorise")  # they change their mind
    assert "Recorded: Authorise" in words(replies)
    assert (
        "Authorise (Authorisation) by Sam Service"
        in teams.connector.current(teams.personal(SERVICE), service_card.activity_id).text
    )

    again = await teams.submit(SERVICE, service_card, "Authorise")  # a double click on the old card
    assert "Already decided" in words(again)

    before = len(teams.connector.log)
    await deliver(runtime)
    arrived = teams.new_since(before, teams.personal(WORKER))
    outcome = words(arrived)
    assert "has been approved" in outcome and "spinal point is 41" in outcome
    offers = [
        a for m in arrived for a in m.body.get("attachments", []) if a["contentType"].endswith("file.consent")
    ]
    assert [re.sub(r"\d+", "N", a["name"]) for a in offers] == [
        "application-N-manager-authorisation-for-accelerated-social-worker-salary-p.pdf"
    ]
    with transaction(runtime.sessions) as session:
        app = session.scalars(select(Application)).one()
        assert app.status == "approved"
        worker = session.scalars(select(Person).where(Person.email == WORKER)).one()
        assert (worker.level, worker.spinal_point) == ("level-3", 41)
        statuses = {row.status for row in session.scalars(select(OutboxMessage))}
        assert statuses == {"delivered"}
        manager = session.scalars(select(Person).where(Person.email == MANAGER)).one()
        copy = posted.copy_for(session, f"application-{app.id}-recommend", manager.id, "teams")
        assert copy is not None and copy.reference["activityId"] == manager_card.activity_id
        identity = session.scalars(select(Identity).where(Identity.person_id == manager.id)).one()
        assert identity.external_id == "aad-tara" and identity.address is not None


async def manager_card_after_submission(teams: Teams, runtime: Runtime) -> Recorded:
    await teams.install(MANAGER)
    await submit_application(teams)
    before = len(teams.connector.log)
    await deliver(runtime)
    return last_card(teams.new_since(before, teams.personal(MANAGER)))


async def test_not_approve_takes_reasons_and_actions_in_the_card_and_redraws_both_cards(
    teams: Teams, runtime: Runtime
) -> None:
    card = await manager_card_after_submission(teams, runtime)
    evidence = await teams.submit(MANAGER, card, "Read all the evidence")
    assert "example 3, and the plan was agreed at review" in words(evidence)
    form = last_card(await teams.submit(MANAGER, card, "NOT progressed"))
    replies = await teams.submit(
        MANAGER,
        form,
        "Submit",
        competencies="not met",
        attendance_punctuality_diversity="have",
        reasons="Two examples are not at level 3.",
        actions="Lead a complex case review.",
    )
    assert "Recorded: NOT progressed" in words(replies)
    for clicked in (card, form):  # the approval card and the reasons form both show the decision
        now = teams.connector.current(teams.personal(MANAGER), clicked.activity_id)
        assert (
            now.kind == "update"
            and "NOT progressed (Line manager's recommendation) by Tara Manager" in now.text
        )
    before = len(teams.connector.log)
    await deliver(runtime)
    outcome = teams.new_since(before, teams.personal(WORKER))
    assert "Two examples are not at level 3." in words(outcome) and "Lead a complex case review." in words(
        outcome
    )


async def test_two_clicks_at_once_make_one_decision(teams: Teams, runtime: Runtime) -> None:
    card = await manager_card_after_submission(teams, runtime)
    before = len(teams.connector.log)
    fields = {"competencies": "met", "attendance_punctuality_diversity": "have"}
    await asyncio.gather(
        teams.submit(MANAGER, card, "Progressed", **fields),
        teams.submit(MANAGER, card, "Progressed", **fields),
    )
    said = [m.text for m in teams.new_since(before, teams.personal(MANAGER))]
    assert sum("Recorded: Progressed" in s for s in said) == 1, said
    assert sum("Already decided" in s for s in said) == 1, said
    with transaction(runtime.sessions) as session:
        assert len(session.scalars(select(Decision)).all()) == 1
        asks = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "card")).all()
        assert len(asks) == 2  # the manager's card and one (not two) for the service manager


async def test_a_manager_seen_only_in_a_channel_gets_the_card_in_a_one_to_one_chat(
    teams: Teams, runtime: Runtime
) -> None:
    await teams.mention(MANAGER, "how much is SCP 39?")  # never installed the app for themselves
    await submit_application(teams)
    before = len(teams.connector.log)
    await deliver(runtime)
    card = last_card(teams.new_since(before, teams.personal(MANAGER)))  # not posted into the channel
    assert "Progression application: Wendy Worker" in card.text
    assert teams.connector.opened[0]["members"][0]["id"] == "29:tara"
    assert teams.connector.opened[0]["channelData"] == {"tenant": {"id": "tenant-medway"}}  # what Teams reads
    replies = await teams.submit(
        MANAGER, card, "Progressed", competencies="met", attendance_punctuality_diversity="have"
    )
    assert "Recorded: Progressed" in words(replies)
    with transaction(runtime.sessions) as session:
        identity = session.scalars(select(Identity).where(Identity.external_id == "aad-tara")).one()
        assert identity.address is not None
        assert identity.address["conversation"]["id"] == teams.personal(
            MANAGER
        )  # reached directly from now on
