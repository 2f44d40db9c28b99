"""HR roster import: all rows valid or nothing imported; re-importing updates people in place.

The caller owns the transaction (`with transaction(factory) as session: import_roster(session, ...)`),
so the organisations, people and line-manager links land together or not at all. People missing from
the file are left as they are (a roster may cover one team) unless the file is declared complete
(`full`): then those still active are returned as `absent`, the organisation's leavers, for the caller
to mark as such (dialogs.leavers hands over their pending decisions first). A level or spinal point that an approved application
gave someone is kept over the file's unless HR confirms the file is correct as at a date after that
approval (`accept_levels_as_of`); either way each such conflict is listed by line.
"""

from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import audit
from storage.directory import ensure_organisation, get_organisation
from storage.progression_record import PROGRESSION_FIELDS, PathwayChange, pathway_changes
from storage.roster_rows import (
    OPTIONAL_COLUMNS,
    LevelNames,
    RosterProblem,
    RosterRejected,
    RosterRow,
    read_roster,
)
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


class RosterConflict(BaseModel):
    """A row whose level or point differs from what an approved application recorded."""

    model_config = ConfigDict(frozen=True)

    line: int
    org: str
    email: str
    application_id: int  # the approval that recorded the level and point
    kept: Literal["pathway", "file"]
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.email}: {self.message}"


class RosterImport(BaseModel):
    model_config = ConfigDict(frozen=True)

    created: int
    updated: int
    unchanged: int
    organisations_created: list[str]
    conflicts: list[RosterConflict] = []
    absent: list[int] = []  # ids of the active people a complete roster left out: leavers


def import_roster(
    session: Session,
    source: bytes | str | Path,
    *,
    known_orgs: Collection[str] | None = None,
    levels: Mapping[str, LevelNames] | None = None,
    grades: Mapping[str, Mapping[str, str]] | None = None,
    full: bool = False,
    accept_levels_as_of: date | None = None,
) -> RosterImport:
    """Create or update everyone in the roster; if any row is bad, write nothing and raise RosterRejected.

    `known_orgs` limits the organisations a file may name; `levels` and `grades` give each organisation's
    levels and how they may be written (see storage.roster_rows.read_roster). `full`: the file lists
    everyone in each organisation it names. `accept_levels_as_of`: HR confirms the file's levels and
    points were correct on that date, so they replace Pathway's recorded by approvals made before it.
    """
    rows, problems = read_roster(source, known_orgs=known_orgs, levels=levels, grades=grades)
    on_record = people_on_record(session, {row.org for row in rows})
    problems += line_manager_problems(rows, on_record)
    if full:
        problems += leaving_manager_problems(rows, on_record)
    if problems:
        raise RosterRejected(sorted(problems, key=lambda problem: problem.line))
    changes = pathway_changes(session, {row.org for row in rows})
    conflicts = [
        conflict
        for row in rows
        if (conflict := level_conflict(row, on_record, changes, accept_levels_as_of)) is not None
    ]
    kept_lines = {conflict.line for conflict in conflicts if conflict.kept == "pathway"}
    kept = {(row.org, row.email) for row in rows if row.line in kept_lines}
    summary = write_rows(session, rows, on_record, kept)
    for conflict in conflicts:  # the application's history shows what a roster import did to its outcome
        detail = {"email": conflict.email, "kept": conflict.kept, "message": conflict.message}
        audit.record(
            session, conflict.org, "roster_conflict", application_id=conflict.application_id, detail=detail
        )
    absent = absent_from(rows, on_record) if full else []
    return summary.model_copy(update={"conflicts": conflicts, "absent": absent})


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


def leaving_manager_problems(
    rows: list[RosterRow], on_record: dict[PersonKey, Person]
) -> list[RosterProblem]:
    """In a complete roster, a line manager left out of the file would be a leaver managing people."""
    in_file = {(row.org, row.email) for row in rows}
    return [
        RosterProblem(
            line=row.line,
            message=f"line_manager_email: {row.line_manager_email} is not in this complete roster, "
            "so would leave; name their replacement",
        )
        for row in rows
        if row.line_manager_email
        and (row.org, row.line_manager_email) not in in_file
        and (row.org, row.line_manager_email) in on_record
    ]


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


def level_conflict(
    row: RosterRow,
    on_record: dict[PersonKey, Person],
    changes: dict[int, PathwayChange],
    accept_as_of: date | None,
) -> RosterConflict | None:
    """Whether this row would change a level or point an approved application recorded, and who wins:
    the file only when HR confirmed it correct on or after the day of that approval."""
    person = on_record.get((row.org, row.email))
    change = changes.get(person.id) if person is not None else None
    if person is None or change is None:
        return None
    theirs, ours = (
        [getattr(row, field) for field in PROGRESSION_FIELDS],
        [getattr(person, field) for field in PROGRESSION_FIELDS],
    )
    if theirs == ours:
        return None
    approved = f"application {change.application_id}, approved {change.approved_on:%-d %B %Y}"
    where: dict[str, Any] = {
        "line": row.line,
        "org": row.org,
        "email": row.email,
        "application_id": change.application_id,
    }
    if accept_as_of is not None and accept_as_of >= change.approved_on:
        message = (
            f"took the file's {progression(theirs)} over {progression(ours)} recorded by Pathway "
            f"({approved}): HR confirmed the file as correct on {accept_as_of:%-d %B %Y}"
        )
        return RosterConflict(kept="file", message=message, **where)
    message = (
        f"kept {progression(ours)} recorded by Pathway ({approved}) over the file's {progression(theirs)}"
    )
    return RosterConflict(kept="pathway", message=message, **where)


def progression(values: list[Any]) -> str:
    level, point = values
    return f"level {level or '(none)'}, spinal point {point if point is not None else '(none)'}"


def write_rows(
    session: Session, rows: list[RosterRow], on_record: dict[PersonKey, Person], kept: Collection[PersonKey]
) -> RosterImport:
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
        skip = PROGRESSION_FIELDS if key in kept else ()
        if copy_fields(row, people[key], skip):
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


def absent_from(rows: list[RosterRow], on_record: dict[PersonKey, Person]) -> list[int]:
    """Everyone active in the organisations of a complete roster but not in it."""
    in_file = {(row.org, row.email) for row in rows}
    return sorted(person.id for key, person in on_record.items() if key not in in_file and person.active)


def copy_fields(row: RosterRow, person: Person, skip: Collection[str] = ()) -> bool:
    """Copy the row onto the person, except `skip`; the optional columns only where the file has them
    (a file without an ERN column leaves the ERNs on record alone)."""
    fields = [f for f in ROW_FIELDS if f not in skip]
    fields += [f for f in OPTIONAL_COLUMNS if f in row.model_fields_set]
    changes = [set_field(person, field, getattr(row, field)) for field in fields]
    return set_field(person, "active", True) or any(changes)


def set_field(person: Person, field: str, value: Any) -> bool:
    if getattr(person, field, None) == value:
        return False
    setattr(person, field, value)
    return True
