"""`pathway demo` restarted on the same database keeps what was done in it."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.operations import load_demo_people
from bot.runtime import Runtime
from bot.settings import Settings
from knowledge.library import Library
from storage.db import transaction
from storage.tables import Person

WORKER = "worker@medway.example"


def worker_level(sessions: sessionmaker[Session]) -> tuple[str | None, int | None]:
    with transaction(sessions) as session:
        person = session.scalars(select(Person).where(Person.email == WORKER)).one()
        return person.level, person.spinal_point


def test_a_restarted_demo_keeps_an_approved_workers_new_level(session_factory: sessionmaker[Session]) -> None:
    runtime = Runtime(Settings(), Library.load(), session_factory)
    first = load_demo_people(runtime)
    assert first.startswith("Demo roster loaded")
    with transaction(session_factory) as session:  # what an approval in the demo writes
        session.execute(update(Person).where(Person.email == WORKER).values(level="level-3", spinal_point=41))

    again = load_demo_people(runtime)

    assert worker_level(session_factory) == ("level-3", 41)
    assert "Kept the demo data" in again and "delete the database file" in again


def test_an_organisation_with_nobody_yet_gets_its_demo_people(session_factory: sessionmaker[Session]) -> None:
    runtime = Runtime(Settings(), Library.load(), session_factory)
    load_demo_people(runtime)
    with transaction(session_factory) as session:
        session.execute(delete(Person).where(Person.org_id == "bcc"))

    note = load_demo_people(runtime)

    assert "demo roster loaded for bcc" in note
    with transaction(session_factory) as session:
        assert session.scalars(select(Person).where(Person.org_id == "bcc")).first() is not None
