"""Who covers for a decider who is away: while their delegation is in force, a decision that would
be sent to them goes to their delegate instead, if the same segregation rules allow the delegate to
make it (nobody decides their own application or two decisions on one); otherwise it stays theirs,
and they are told why. Delegations are set and ended in dialogs.delegation."""

from __future__ import annotations

from dialogs import authorisation
from dialogs.turn import Turn
from dialogs.when import long_date, uk_today
from storage import delegations, directory
from storage.tables import Application, Delegation, Person


def away(turn: Turn, person: Person) -> Delegation | None:
    """The person's delegation in force today (UK date), if they are away."""
    return delegations.in_force(turn.session, person.id, uk_today(turn.now))


def cover_of(turn: Turn, person: Person) -> Person | None:
    found = away(turn, person)
    cover = directory.get_person(turn.session, found.to_person_id) if found else None
    return cover if cover is not None and cover.active else None


def stand_ins(
    turn: Turn, app: Application, duty: authorisation.Duty, people: list[Person]
) -> tuple[list[Person], dict[int, int], dict[int, str]]:
    """Whom to ask instead of `people`: each one away replaced by their cover where the cover may
    make this decision. Returns those to ask, who covers for whom (cover id -> away id), and a note
    for anyone away whose cover could not take it."""
    chosen: dict[int, Person] = {}
    covers: dict[int, int] = {}
    notes: dict[int, str] = {}
    for person in people:
        cover = cover_of(turn, person)
        problem = authorisation.may_be_given(turn, app, duty, cover) if cover is not None else None
        if cover is not None and problem is None and cover.id not in chosen:
            chosen[cover.id] = cover
            covers[cover.id] = person.id
            continue
        if cover is not None:
            until = away(turn, person)
            when = f" while you are away (until {long_date(until.until)})" if until else ""
            notes[person.id] = f"This one stays with you{when}: {problem}"
        chosen.setdefault(person.id, person)
    return list(chosen.values()), covers, notes


def who_would_decide(turn: Turn, app: Application, duty: authorisation.Duty, people: list[Person]) -> str:
    """'Tom Other, covering for Tara Manager': whom a decision would be sent to now, covers included."""
    chosen, covers, _notes = stand_ins(turn, app, duty, people)
    names = {person.id: person.name for person in people}
    return ", ".join(
        f"{p.name}, covering for {names[covers[p.id]]}" if p.id in covers else p.name for p in chosen
    )
