"""Transcript harness: people talk to the real core over a real (migrated) database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.conversation import Conversation
from dialogs.messages import Action, Button, InboundFile, Incoming, Reply, Sender
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import directory
from storage.db import transaction
from storage.posts import assign_post
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
# People who act in the councils' own processes (test_council_processes), and who holds the posts each
# pack names (HR records these with 'post <post>: <email>').
PROCESS_ROSTER = """org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on
medway,ad@medway.example,Ada Director,service_manager,,Children,children,,,,,
medway,sm@medway.example,Sam Service,service_manager,ad@medway.example,Children,children,,,,,
bcc,pswc@bcc.example,Priya Principal,manager,psw@bcc.example,Children,children,,,,,
bcc,lead@bcc.example,Lara Lead,manager,psw@bcc.example,Adults,adults,,,,,
bcc,new@bcc.example,Nia New,worker,manager@bcc.example,Children,children,bg10,,,2026-07-01,2026-09-01
coventry,yp@coventry.example,Yasmin Youth,worker,manager@coventry.example,Participation,children,,,,,
coventry,senior@coventry.example,Sian Senior,service_manager,,Children,children,,,,,
hertfordshire,manager@hertfordshire.example,Hal Manager,manager,,Quadrant,children,,,,,
hertfordshire,worker@hertfordshire.example,Hattie Worker,worker,manager@hertfordshire.example,Quadrant,children,h9,,,2019-07-01,2019-09-01
hertfordshire,hr@hertfordshire.example,Holly HR,hr,,HR,,,,,,
"""
# Who holds the posts each pack names (HR records these with 'post <post>: <email>').
POSTS = {
    "medway": [("assistant-director-childrens-care", "ad@medway.example")],
    "bcc": [("principal-social-worker", "pswc@bcc.example"), ("principal-social-worker", "lead@bcc.example"),
            ("panel-service-manager", "psw@bcc.example"), ("recruiting-manager", "psw@bcc.example"), ("principal-social-worker-children", "pswc@bcc.example"),
            ("lead-adult-social-worker", "lead@bcc.example")],
    "coventry": [("young-peoples-panel", "yp@coventry.example"), ("managers-panel", "senior@coventry.example")],
}  # fmt: skip


def assign_posts(session: Session) -> None:
    """The posts of POSTS recorded (its people come from PROCESS_ROSTER)."""
    for org, held in POSTS.items():
        for post, email in held:
            person = session.scalars(select(Person).where(Person.email == email)).one()
            assign_post(session, org, post, person.id, None)


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

    def send(self, who: str, *files: InboundFile, text: str | None = None) -> list[Reply]:
        """Send files in the chat (as Slack, Teams or the web's upload hand them to the core)."""
        return self.conversation.handle(self._incoming(who, files=list(files), text=text))

    def submit_form(self, who: str, reply: Reply, *files: InboundFile, **typed: str) -> list[Reply]:
        """Send a reply's form back: its boxes as drawn (prefilled), with `typed` changing some."""
        assert reply.form is not None, reply.text
        values = {f.name: f.value for f in reply.form.fields if f.kind == "text"}
        action = Action(name=reply.form.submit.name, data={**reply.form.submit.data, **values, **typed})
        return self.conversation.handle(self._incoming(who, action=action, files=list(files)))

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
        on_lines = [f.button for f in reply.card.fields if f.button] if reply.card else []
        for candidate in [*reply.buttons, *(reply.card.buttons if reply.card else []), *on_lines]:
            if label.lower() in candidate.label.lower():
                return candidate
    raise AssertionError(f"no button {label!r} in {[r.text for r in replies]}")


def open_button(replies: list[Reply], item: str) -> Button:
    """The Open button on the line of a card (the evidence page, the summary) naming `item`."""
    for reply in replies:
        for field in reply.card.fields if reply.card else []:
            if item.lower() in field.label.lower() and field.button is not None:
                return field.button
    raise AssertionError(f"no Open button for {item!r} in {[r.text for r in replies]}")


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
def process_staff(sessions: sessionmaker[Session], library: Library) -> None:
    """The people and post holders each council's own process needs, added to the roster."""
    with transaction(sessions) as session:
        import_staff(session, library, PROCESS_ROSTER)
        assign_posts(session)


@pytest.fixture
def chat(library: Library, sessions: sessionmaker[Session], clock: Clock) -> Chat:
    return Chat(Conversation(library, sessions, clock=clock), sessions)
