from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.directory import ensure_organisation
from storage.tables import Person


@dataclass(frozen=True)
class Staff:
    """Medway: Sam (service manager) manages Mo (manager), who manages Wendy and Will (workers)."""

    hr: int
    service_manager: int
    manager: int
    worker: int
    other_worker: int


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return create_staff(session_factory)


@pytest.fixture
def staff_on_postgres(postgres_session_factory: sessionmaker[Session]) -> Staff:
    return create_staff(postgres_session_factory)


def create_staff(session_factory: sessionmaker[Session]) -> Staff:
    with transaction(session_factory) as session:
        ensure_organisation(session, "medway", "Medway Council")

        def person(email: str, role: str, manager: Person | None = None, **fields: object) -> Person:
            added = Person(
                org_id="medway",
                email=email,
                name=email.split("@")[0].title(),
                role=role,
                line_manager_id=manager.id if manager else None,
                **fields,
            )
            session.add(added)
            session.flush()
            return added

        hr = person("helen@medway.gov.uk", "hr")
        sam = person("sam@medway.gov.uk", "service_manager")
        mo = person("mo@medway.gov.uk", "manager", sam, team="Duty", framework="children")
        wendy = person("wendy@medway.gov.uk", "worker", mo, team="Duty", framework="children", level="2")
        will = person("will@medway.gov.uk", "worker", mo, team="Duty", framework="children", level="3")
        return Staff(hr.id, sam.id, mo.id, wendy.id, will.id)
