"""Transcript harness: people talk to the real core over a real (migrated) database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.conversation import Conversation
from dialogs.messages import Action, Button, Incoming, Reply, Sender
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import directory
from storage.db import transaction
from storage.tables import OutboxMessage, Person

ROSTER = """org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on
medway,sm@medway.example,Sam Service,service_manager,,Children,children,,,,,
medway,tm@medway.example,Tara Manager,manager,sm@medway.example,Assessment,children,,,,,
medway,tm2@medway.example,Tom Other,manager,sm@medway.example,Looked After,children,,,,,
medway,worker@medway.example,Wendy Worker,worker,tm@medway.example,Assessment,children,level-2,,37,2019-07-01,2019-09-01
medway,nq@medway.example,Ned New,worker,tm@medway.example,Assessment,children,level-1,,33,2026-05-01,2026-06-01
medway,hr@medway.example,Harriet HR,hr,,HR,,,,,,
bcc,psw@bcc.example,Pat Service,service_manager,,Children,children,,,,,
bcc,manager@bcc.example,Mo Manager,manager,psw@bcc.example,Children,children,,,,,
bcc,worker@bcc.example,Will Worker,worker,manager@bcc.example,Children,children,level-2,,,2018-07-01,2018-09-01
bcc,hr@bcc.example,Hana HR,hr,,HR,,,,,,
coventry,manager@coventry.example,Cara Manager,manager,,Children,children,,,,,
coventry,worker@coventry.example,Cal Worker,worker,manager@coventry.example,Children,children,social-worker,Grade 7,,2020-06-01,2020-09-01
coventry,hr@coventry.example,Hugh HR,hr,,HR,,,,,,
"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int = 0, hours: int = 0) -> None:
        self.now += timedelta(days=days, hours=hours)


class Chat:
    """Say things and press buttons as named people; read what the bot sends each of them."""

    def __init__(self, conversation: Conversation, sessions: sessionmaker[Session]) -> None:
        self.conversation = conversation
        self.sessions = sessions

    def say(self, who: str, text: str) -> list[Reply]:
        return self.conversation.handle(self._incoming(who, text=text))

    def press(self, who: str, pressed: Button | Action, **extra: str | int | None) -> list[Reply]:
        action = pressed.action if isinstance(pressed, Button) else pressed
        action = Action(name=action.name, data={**action.data, **extra})
        return self.conversation.handle(self._incoming(who, action=action))

    def inbox(self, who: str) -> list[Reply]:
        """Messages queued for this person since last asked (and mark them delivered, like a sender)."""
        with transaction(self.sessions) as session:
            person = session.scalars(select(Person).where(Person.email == who)).one()
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient_person_id == person.id, OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id)
            ).all()
            for row in rows:
                row.status = "delivered"
            return [Reply.model_validate(row.payload) for row in rows]

    @staticmethod
    def _incoming(who: str, **fields: object) -> Incoming:
        org = who.split("@")[1].split(".")[0]
        return Incoming.model_validate(
            {"org": org, "sender": Sender(platform="console", user_id=who), **fields}
        )


def find_button(replies: list[Reply], label: str) -> Button:
    for reply in replies:
        for candidate in [*reply.buttons, *(reply.card.buttons if reply.card else [])]:
            if label.lower() in candidate.label.lower():
                return candidate
    raise AssertionError(f"no button {label!r} in {[r.text for r in replies]}")


def all_text(replies: list[Reply]) -> str:
    return "\n".join(r.text + (("\n" + r.card.body) if r.card else "") for r in replies)


def reached_on(sessions: sessionmaker[Session], org: str, *platforms: str) -> None:
    """Say which platforms the organisation's staff use (as HR would with `pathway org platforms`)."""
    with transaction(sessions) as session:
        assert directory.set_platforms(session, org, platforms) is not None


@pytest.fixture(scope="session")
def library() -> Library:
    return Library.load()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions(session_factory: sessionmaker[Session], library: Library) -> sessionmaker[Session]:
    with transaction(session_factory) as session:
        import_staff(session, library, ROSTER)
    return session_factory


@pytest.fixture
def chat(library: Library, sessions: sessionmaker[Session], clock: Clock) -> Chat:
    return Chat(Conversation(library, sessions, clock=clock), sessions)
