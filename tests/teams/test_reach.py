"""Reaching people in Teams who have never talked to Pathway: a card waits (however long) until they
install the app, and with Microsoft Graph Pathway installs itself for them, captures the chat from
Teams' install event and sends. Against the fake Bot Connector and a fake Graph with its token endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatch import MAX_FAILURES, Dispatcher
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack import mount as slack_mount
from bot.teams.graph import GraphInstaller, GraphSettings
from bot.teams.mount import courier
from bot.teams.sender import TeamsSender
from dialogs.conversation import Conversation
from dialogs.messages import Card, Reply
from storage import directory, outbox
from storage.columns import utc_now
from storage.db import transaction
from storage.tables import OutboxMessage, Person
from tests.broadcast.slack_edge import deliver_all
from tests.dialogs.conftest import Chat, all_text, find_button
from tests.dialogs.test_council_processes import application, submit
from tests.fakes.graph import CATALOGUE_ID, FakeGraph
from tests.fakes.slack_api import FakeSlackApi
from tests.teams.conftest import PEOPLE, TENANT, Server, Teams, find_action, last_card, words

APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
SECRET = "graph-secret"
HR, MANAGER = "hr@medway.example", "tm@medway.example"


def person_id(sessions: sessionmaker[Session], email: str) -> int:
    with transaction(sessions) as session:
        return session.scalars(select(Person.id).where(Person.email == email)).one()


def rows(sessions: sessionmaker[Session], kind: str | None = None) -> list[OutboxMessage]:
    with transaction(sessions) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        return list(session.scalars(query.where(OutboxMessage.kind == kind) if kind else query))


@pytest.fixture
async def graph(aiohttp_server: Server, teams: Teams) -> AsyncIterator[tuple[FakeGraph, GraphSettings]]:
    fake = FakeGraph(APP_ID, SECRET, users={email: aad for email, (_id, aad, _name) in PEOPLE.items()})
    fake.on_install = teams.install  # Teams tells the bot of the install, with the new chat
    server = await aiohttp_server(fake.app())
    base = str(server.make_url("")).rstrip("/")
    yield fake, GraphSettings(APP_ID, SECRET, graph_url=f"{base}/v1.0/", login_url=f"{base}/login/")


async def test_a_card_for_someone_who_has_not_installed_is_kept_until_they_do(
    teams: Teams, runtime: Runtime
) -> None:
    manager = person_id(runtime.sessions, MANAGER)
    card = Reply(text="Wendy's application waits for you", card=Card(title="Decide", body="…", key="app-1"))
    with transaction(runtime.sessions) as session:
        outbox.enqueue(session, org_id="medway", channel="teams", address={"email": MANAGER}, kind="message",
                       payload=card.model_dump(mode="json"), idempotency_key="card-1", recipient_person_id=manager)  # fmt: skip
    later = [utc_now()]
    dispatcher = Dispatcher(
        runtime.sessions, {"teams": TeamsSender(courier(runtime))}, clock=lambda: later[0]
    )
    for _ in range(MAX_FAILURES + 3):  # before, the ninth failed send gave the card up for good
        await dispatcher.run_once()
        later[0] += timedelta(hours=1)
    [row] = rows(runtime.sessions)
    assert row.status == "pending" and row.failures == 0 and "install Pathway" in (row.last_error or "")
    await teams.install(MANAGER)  # the install event brings the chat, and makes the card due at once
    later[0] = utc_now()
    await dispatcher.run_once()
    assert rows(runtime.sessions)[0].status == "delivered"
    assert "Decide" in words(teams.connector.posted(teams.personal(MANAGER)))


async def test_a_broadcast_reaches_everyone_in_teams_though_nobody_has_talked_to_the_bot(
    teams: Teams, runtime: Runtime, graph: tuple[FakeGraph, GraphSettings]
) -> None:
    fake, settings = graph
    del fake.users["nq@medway.example"]  # not in the tenant
    fake.blocked.add("tm2@medway.example")  # an app permission policy blocks Pathway for him
    hr = Chat(Conversation(runtime.library, runtime.sessions, channel="console"), runtime.sessions)
    asked = hr.say(HR, "broadcast: Panel 14 June 2027, portfolios by 24 May")
    preview = hr.press(HR, find_button(asked, "Everyone"))
    assert "This will reach 6 people (6 on teams)" in preview[0].text  # medway is linked to its tenant
    sent = hr.press(HR, find_button(preview, "Send now"))
    sender = TeamsSender(courier(runtime), GraphInstaller(settings))
    await deliver_all(Dispatcher(runtime.sessions, {"teams": sender}), runtime.sessions)
    await fake.settled()
    reached = ["sm@medway.example", MANAGER, "worker@medway.example", HR]
    for email in reached:
        assert "Panel 14 June 2027" in words(teams.connector.posted(teams.personal(email))), email
    assert fake.tokens_issued[0] == TENANT and len(fake.installs()) >= 5
    report = all_text(hr.press(HR, find_button(sent, "Reach report")))
    assert "delivered 4 (66%), going out 0, failed 2" in report
    assert "no Teams user nq@medway.example in the organisation's tenant (1)" in report
    assert (
        "Teams refused to install Pathway for them (Forbidden: App is blocked by app permission policy) (1)"
        in report
    )
    told = [r for r in rows(runtime.sessions, "undelivered")]
    assert len(told) == 1 and told[0].status == "delivered"  # HR is told once per broadcast, in Teams
    notice = words(teams.connector.posted(teams.personal(HR)))
    assert "Some copies of your broadcast" in notice and "could not be delivered" in notice


async def test_someone_whose_install_event_was_missed_is_reached_in_the_chat_graph_names(
    teams: Teams, runtime: Runtime, graph: tuple[FakeGraph, GraphSettings]
) -> None:
    fake, settings = graph
    await teams.install("worker@medway.example")  # someone else's chat tells Pathway the tenant's connector
    aad = PEOPLE[MANAGER][1]
    fake.installed[aad] = [CATALOGUE_ID]  # installed while Pathway was down: no event ever came
    manager = person_id(runtime.sessions, MANAGER)
    with transaction(runtime.sessions) as session:
        outbox.enqueue(session, org_id="medway", channel="teams", address={"email": MANAGER}, kind="message",
                       payload=Reply(text="A decision waits for you.").model_dump(mode="json"),
                       idempotency_key="card-2", recipient_person_id=manager)  # fmt: skip
    sender = TeamsSender(courier(runtime), GraphInstaller(settings))
    await deliver_all(Dispatcher(runtime.sessions, {"teams": sender}), runtime.sessions)
    assert rows(runtime.sessions)[0].status == "delivered"
    assert words(teams.connector.posted(FakeGraph.chat_id(aad))) == "A decision waits for you."
    with transaction(runtime.sessions) as session:  # and the chat is kept for next time
        [identity] = directory.identities_of(session, manager)
        assert identity.address and identity.address["conversation"]["id"] == FakeGraph.chat_id(aad)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi(team_id="T0MEDWAY")
    await fake.start()
    yield fake
    await fake.close()


async def test_someone_not_on_the_first_platform_is_reached_on_the_second(
    teams: Teams, runtime: Runtime, graph: tuple[FakeGraph, GraphSettings], slack: FakeSlackApi
) -> None:
    fake, settings = graph
    del fake.users["nq@medway.example"]  # in neither
    slack.add_user("UWENDY", "worker@medway.example")  # only Wendy and Harriet are on Slack
    slack.add_user("UHARRIET", HR)
    with transaction(runtime.sessions) as session:
        directory.set_platforms(session, "medway", ["slack", "teams"])  # Slack first
    hr = Chat(Conversation(runtime.library, runtime.sessions, channel="console"), runtime.sessions)
    asked = hr.say(HR, "broadcast: Panel 14 June 2027, portfolios by 24 May")
    sent = hr.press(HR, find_button(hr.press(HR, find_button(asked, "Everyone")), "Send now"))
    slack_sender = slack_mount.senders(Runtime(Settings(slack_bot_token="xoxb-1", slack_api_url=slack.base_url),
                                               runtime.library, runtime.sessions))[0]  # fmt: skip
    senders = {"teams": TeamsSender(courier(runtime), GraphInstaller(settings)), "slack": slack_sender}
    await deliver_all(Dispatcher(runtime.sessions, senders), runtime.sessions)
    await fake.settled()
    assert {channel for channel, _ts in slack.messages} == {"DWENDY", "DHARRIET"}
    for email in ("sm@medway.example", MANAGER, "tm2@medway.example"):
        assert "Panel 14 June 2027" in words(teams.connector.posted(teams.personal(email))), email
    report = all_text(hr.press(HR, find_button(sent, "Reach report")))
    assert "delivered 5 (83%), going out 0, failed 1" in report
    assert "• slack: delivered 2" in report and "• teams: delivered 3, failed 1" in report  # who reached whom
    assert "no Teams user nq@medway.example in the organisation's tenant (1)" in report
    csv = hr.press(HR, find_button(hr.press(HR, find_button(sent, "Reach report")), "Download CSV"))[0]
    assert csv.attachment is not None
    ned = next(line for line in csv.attachment.content.splitlines() if "nq@medway.example" in line)
    assert ",teams,failed," in ned and ned.endswith(",slack")  # looked for on Slack first, then Teams
    sam = next(line for line in csv.attachment.content.splitlines() if "sm@medway.example" in line)
    assert ",teams,delivered," in sam and sam.endswith(",slack")


async def test_someone_not_in_the_teams_tenant_is_reached_on_slack_when_teams_comes_first(
    teams: Teams, runtime: Runtime, graph: tuple[FakeGraph, GraphSettings], slack: FakeSlackApi
) -> None:
    fake, settings = graph
    del fake.users[MANAGER]
    slack.add_user("UTARA", MANAGER)
    with transaction(runtime.sessions) as session:
        directory.set_platforms(session, "medway", ["teams", "slack"])
        outbox.enqueue(session, org_id="medway", channel="teams", address={"email": MANAGER}, kind="card",
                       payload=Reply(text="A decision waits for you.").model_dump(mode="json"),
                       idempotency_key="card-3", recipient_person_id=person_id(runtime.sessions, MANAGER))  # fmt: skip
    slack_sender = slack_mount.senders(Runtime(Settings(slack_bot_token="xoxb-1", slack_api_url=slack.base_url),
                                               runtime.library, runtime.sessions))[0]  # fmt: skip
    senders = {"teams": TeamsSender(courier(runtime), GraphInstaller(settings)), "slack": slack_sender}
    await deliver_all(Dispatcher(runtime.sessions, senders), runtime.sessions)
    [row] = rows(runtime.sessions, "card")
    assert (row.channel, row.status, row.address["not_on"]) == ("slack", "delivered", ["teams"])
    assert [m["text"] for m in slack.messages.values()] == ["A decision waits for you."]


async def test_hr_reassigns_a_card_that_waits_for_its_decider_to_install_pathway(
    teams: Teams, runtime: Runtime
) -> None:
    chat = Chat(Conversation(runtime.library, runtime.sessions, channel="console"), runtime.sessions)
    submit(chat, "worker@medway.example", "apply for level 3")  # the card goes to Tara, in Teams by email
    dispatcher = Dispatcher(runtime.sessions, {"teams": TeamsSender(courier(runtime))})
    await dispatcher.run_once()
    [waiting] = rows(runtime.sessions, "card")
    assert waiting.status == "pending" and "install Pathway" in str(waiting.last_error)  # kept, not dropped
    number = application(runtime.sessions).id
    done = all_text(chat.say(HR, f"reassign {number} to tm2@medway.example"))
    assert "now waits on Tom Other" in done
    assert "The card still waiting to reach Tara Manager (not delivered yet) is withdrawn." in done
    await teams.install(MANAGER)  # Tara installs after all: the card HR took from her does not follow
    await teams.install("tm2@medway.example")
    await teams.install("worker@medway.example")  # Wendy is told who has her application now
    await deliver_all(dispatcher, runtime.sessions)
    tara, tom = rows(runtime.sessions, "card")
    assert (tara.status, tara.last_error) == ("withdrawn", "Harriet HR passed the decision to Tom Other")
    assert tom.status == "delivered"
    # Tara is told it went elsewhere, with nothing to press; Tom has the card to decide.
    to_tara = teams.connector.posted(teams.personal(MANAGER))
    assert "passed the Line manager's recommendation on Wendy Worker's application to Tom Other" in words(
        to_tara
    )
    pressed = [
        a.get("data", {}).get("pathway", {}).get("name")
        for m in to_tara
        if m.card
        for a in m.card.get("actions", [])
    ]
    assert "decide" not in pressed
    find_action(last_card(teams.connector.posted(teams.personal("tm2@medway.example"))), "Progressed")
