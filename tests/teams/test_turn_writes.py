"""What a Teams message costs the database: the chat address stored for a person names the
conversation, not the message, so it is written once and not rewritten by every message (it carried
the activity id, which is new each time); and a person already linked is answered without a look-up
of the tenant and their account before the core's own transaction (kept for a minute)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

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
