"""What a Teams message costs the database: the chat address stored for a person names the
conversation, not the message, so it is written once and not rewritten by every message (it carried
the activity id, which is new each time); and a person already linked is answered without a look-up
of the tenant and their account before the core's own transaction (kept for a minute); the chat
address is made again whenever what it is made from changes."""

from __future__ import annotations

from botbuilder.schema import Activity
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.teams import translate
from storage.db import transaction
from storage.tables import Identity
from tests.statements import Statements, statements_fixture  # noqa: F401  (the fixture `statements`)
from tests.teams.conftest import Teams

WORKER = "worker@medway.example"


async def test_messages_do_not_rewrite_the_stored_chat_address(
    teams: Teams, sessions: sessionmaker[Session], statements: Statements
) -> None:
    await teams.say(WORKER, "how much is SCP 39?")  # first contact: linked, address stored
    first = len(statements.seen)
    for question in ("who signs off progression?", "what do I need for level 3?"):
        assert await teams.say(WORKER, question)
    later = statements.since(first)
    assert later.writes("identities") == []
    with transaction(sessions) as session:
        [identity] = session.scalars(select(Identity).where(Identity.platform == "teams")).all()
        assert identity.address is not None
        assert "activityId" not in identity.address
        assert identity.address["conversation"]["id"] == teams.personal(WORKER)


async def test_a_linked_person_is_found_by_the_core_alone(teams: Teams, statements: Statements) -> None:
    await teams.say(WORKER, "how much is SCP 39?")  # first contact: linked by the core
    await teams.say(WORKER, "who signs off progression?")  # looked up once more, linked now: kept
    first = len(statements.seen)
    assert await teams.say(WORKER, "what do I need for level 3?")
    later = statements.since(first)
    assert later.touching("organisations") == []  # the tenant's organisation is kept
    assert len(later.touching("identities")) == 1  # the core's identification, nothing before it


async def test_a_moved_service_url_or_a_new_name_is_stored_from_the_next_message(
    teams: Teams, sessions: sessionmaker[Session]
) -> None:
    """The reference is kept by everything it is made from: a change to any of it is a new one."""
    await teams.say(WORKER, "how much is SCP 39?")
    await teams.say(WORKER, "who signs off progression?")  # the same chat: the same reference
    moved = teams.connector_url.replace("127.0.0.1", "localhost")  # Teams moved the chat's region
    activity = teams.activity(WORKER, text="what do I need for level 3?", serviceUrl=moved)
    activity["from"]["name"] = "Wendy Renamed"
    assert (await teams.post(activity)).status in (200, 201)
    with transaction(sessions) as session:
        [identity] = session.scalars(select(Identity).where(Identity.platform == "teams")).all()
        assert identity.address is not None
        assert identity.address["serviceUrl"] == moved
        assert identity.address["user"]["name"] == "Wendy Renamed"


def test_a_kept_reference_is_a_fresh_copy_each_time() -> None:
    body = {"type": "message", "id": "1", "serviceUrl": "https://smba.trafficmanager.net/emea/",
            "channelId": "msteams", "from": {"id": "29:w", "aadObjectId": "aad-w", "name": "W"},
            "recipient": {"id": "28:bot"}, "channelData": {"tenant": {"id": "t"}},
            "conversation": {"conversationType": "personal", "id": "a:w"}}  # fmt: skip
    first = translate.reference_of(Activity().deserialize(body))
    first["conversation"]["id"] = "changed by whoever held it"
    again = translate.reference_of(Activity().deserialize(body))
    assert again["conversation"] == {
        "conversationType": "personal",
        "id": "a:w",
        "tenantID": "t",
    }  # the SDK's key
