"""HR roster import: all rows valid or nothing imported; re-importing updates people in place.

The caller owns the transaction (`with transaction(factory) as session: import_roster(session, ...)`),
so the organisations, people and line-manager links land together or not at all. People missing from
the file are left as they are: a roster may cover one team.
"""

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.directory import ensure_organisation, get_organisation
from storage.roster_rows import RosterProblem, RosterRejected, RosterRow, read_roster
from storage.tables import Person

PersonKey = tuple[str, str]  # (org, email)
ROW_FIELDS = (
    "name",
    "role",
    "team",
    "framework",
    "level",
    "grade",
    "spinal_point",
    "qualified_on",
    "started_on",
)


class RosterImport(BaseModel):
    model_config = ConfigDict(frozen=True)

    created: int
    updated: int
    unchanged: int
    organisations_created: list[str]


def import_roster(
    session: Session,
    source: bytes | str | Path,
    *,
    known_orgs: Collection[str] | None = None,
    allowed_levels: Mapping[str, Collection[str]] | None = None,
) -> RosterImport:
    """Create or update everyone in the roster; if any row is bad, write nothing and raise RosterRejected.

    `known_orgs` limits the organisations a file may name; `allowed_levels` maps an organisation to
    the levels its policy pack defines (organisations not in the mapping are not checked).
    """
    rows, problems = read_roster(source, known_orgs=known_orgs, allowed_levels=allowed_levels)
    on_record = people_on_record(session, {row.org for row in rows})
    problems += line_manager_problems(rows, on_record)
    if problems:
        raise RosterRejected(sorted(problems, key=lambda problem: problem.line))
    return write_rows(session, rows, on_record)


def people_on_record(session: Session, orgs: Collection[str]) -> dict[PersonKey, Person]:
    people = session.scalars(select(Person).where(Person.org_id.in_(orgs)))
    return {(person.org_id, person.email): person for person in people}


def line_manager_problems(rows: list[RosterRow], on_record: dict[PersonKey, Person]) -> list[RosterProblem]:
    in_file = {(row.org, row.email) for row in rows}
    problems = [
        RosterProblem(
            line=row.line,
            message=f"line_manager_email: {row.line_manager_email} is neither in this file "
            f"nor already on record for {row.org}",
        )
        for row in rows
        if row.line_manager_email
        and (row.org, row.line_manager_email) not in in_file
        and (row.org, row.line_manager_email) not in on_record
    ]
    return problems + loop_problems(rows, on_record)


def loop_problems(rows: list[RosterRow], on_record: dict[PersonKey, Person]) -> list[RosterProblem]:
    """Rows whose line-management chain (file first, then the database) comes back to them."""
    email_of_id = {person.id: person.email for person in on_record.values()}
    manager_of: dict[PersonKey, str | None] = {
        key: email_of_id.get(person.line_manager_id or 0) for key, person in on_record.items()
    }
    manager_of.update({(row.org, row.email): row.line_manager_email for row in rows})
    problems = []
    for row in rows:
        chain = [row.email]
        manager = row.line_manager_email
        while manager is not None and manager not in chain and len(chain) <= len(manager_of):
            chain.append(manager)
            manager = manager_of.get((row.org, manager))
        if manager == row.email:
            message = "line_manager_email: the line-management chain loops: " + " → ".join(
                [*chain, row.email]
            )
            problems.append(RosterProblem(line=row.line, message=message))
    return problems


def write_rows(session: Session, rows: list[RosterRow], on_record: dict[PersonKey, Person]) -> RosterImport:
    new_orgs = sorted({row.org for row in rows if get_organisation(session, row.org) is None})
    for org in new_orgs:
        ensure_organisation(session, org)
    people = dict(on_record)
    created: set[PersonKey] = set()
    changed: set[PersonKey] = set()
    for row in rows:
        key = (row.org, row.email)
        if key not in people:
            people[key] = Person(org_id=row.org, email=row.email)
            session.add(people[key])
            created.add(key)
        if copy_fields(row, people[key]):
            changed.add(key)
    session.flush()  # every new person has an id before anyone is linked to them as a manager
    for row in rows:
        manager = people[(row.org, row.line_manager_email)] if row.line_manager_email else None
        if set_field(people[(row.org, row.email)], "line_manager_id", manager.id if manager else None):
            changed.add((row.org, row.email))
    return RosterImport(
        created=len(created),
        updated=len(changed - created),
        unchanged=len(rows) - len(changed | created),
        organisations_created=new_orgs,
    )


def copy_fields(row: RosterRow, person: Person) -> bool:
    changes = [set_field(person, field, getattr(row, field)) for field in ROW_FIELDS]
    return set_field(person, "active", True) or any(changes)


def set_field(person: Person, field: str, value: Any) -> bool:
    if getattr(person, field, None) == value:
        return False
    setattr(person, field, value)
    return True
