"""Who a broadcast goes to: everyone, a framework, a team, a level or grade, or the workers who are
eligible or nearly eligible for their next level by the pack's rules (dialogs.plan's checklist).

An audience is a small dict kept with the broadcast: {"kind": ..., "value": ...}, plus
"not_submitted": true for a deadline reminder (only people who have not submitted an application).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogs import plan
from dialogs.messages import Platform
from dialogs.turn import reach_among
from knowledge.models import Pack
from storage import directory
from storage.tables import Application, Person

Audience = dict[str, Any]
KINDS = ("everyone", "framework", "team", "level", "grade", "ready")
NEARLY_DAYS = 183  # "nearly eligible": the checklist would pass within about six months
FRAMEWORK_NAMES = {"children": "children's", "adults": "adults'"}
Readiness = Literal["eligible", "nearly"]


@dataclass(frozen=True)
class Recipient:
    person: Person
    channel: Platform
    address: dict[str, object]
    problem: str | None = None  # why they cannot be reached at all (their organisation has no platform)


def describe(pack: Pack, audience: Audience) -> str:
    kind, value = audience.get("kind", "everyone"), str(audience.get("value") or "")
    words = {
        "everyone": f"everyone at {pack.organisation.short_name}",
        "framework": f"the {FRAMEWORK_NAMES.get(value, value)} framework",
        "team": f"the {value} team",
        "level": f"people at {_level_name(pack, value)}",
        "grade": f"people on {value}",
        "ready": "workers eligible or nearly eligible for their next level",
    }.get(kind, "nobody (unknown audience)")
    if audience.get("not_submitted"):
        words += " who have not submitted an application"
    return words


def _level_name(pack: Pack, level_id: str) -> str:
    return next((lv.name for lv in pack.levels if lv.id == level_id), level_id)


def members(session: Session, pack: Pack, org_id: str, audience: Audience, today: date) -> list[Person]:
    """The active people the audience describes (muted or not), by name."""
    kind, value = audience.get("kind", "everyone"), audience.get("value")
    people = directory.list_people(session, org_id)
    if kind == "framework":
        people = [p for p in people if p.framework == value]
    elif kind == "team":
        people = [p for p in people if p.team == value]
    elif kind == "grade":
        people = [p for p in people if p.grade == value]
    elif kind == "level":
        people = [p for p in people if _level_id(pack, p) == value]
    elif kind == "ready":
        people = [p for p in people if readiness(pack, p, today) is not None]
    elif kind != "everyone":
        return []
    if audience.get("not_submitted"):
        submitted = _submitted(session, [p.id for p in people])
        people = [p for p in people if p.id not in submitted]
    return people


def _level_id(pack: Pack, person: Person) -> str | None:
    level = plan.current_level(pack, person)
    return level.id if level else None


def readiness(pack: Pack, person: Person, today: date) -> Readiness | None:
    """Whether a worker meets (or within NEARLY_DAYS will meet) every essential requirement of their
    next level that the records can show; None for anyone else."""
    if person.role != "worker":
        return None
    current = plan.current_level(pack, person)
    targets = plan.targets(pack, person) if current is not None else []
    if not targets:
        return None
    level = targets[0]
    if not any(item.verdict == "not_met" for item in plan.checklist(level, person, today)):
        return "eligible"
    later = today + timedelta(days=NEARLY_DAYS)
    if not any(item.verdict == "not_met" for item in plan.checklist(level, person, later)):
        return "nearly"
    return None


def _submitted(session: Session, person_ids: list[int]) -> set[int]:
    query = select(Application.person_id).where(
        Application.submitted_at.is_not(None), Application.status != "withdrawn"
    )
    submitted = set(session.scalars(query))
    return submitted & set(person_ids)


def recipients(
    session: Session, pack: Pack, org_id: str, audience: Audience, today: date
) -> tuple[list[Recipient], int]:
    """Where each member will be reached, leaving out people who muted broadcasts; and how many were
    left out that way."""
    people = members(session, pack, org_id, audience, today)
    chosen = [p for p in people if not p.muted_broadcasts]
    return _reach_people(session, chosen), len(people) - len(chosen)


def reach(session: Session, person_ids: Sequence[int]) -> list[Recipient]:
    """Where each of these people will be reached (dialogs.turn.reach_among: their chat account on
    their organisation's platforms, else by email on its first platform)."""
    return _reach_people(session, directory.people_by_id(session, person_ids))


def _reach_people(session: Session, people: Sequence[Person]) -> list[Recipient]:
    identities = directory.identities_by_person(session, [p.id for p in people])
    platforms = {org: directory.platforms_of(session, org) for org in {p.org_id for p in people}}
    reached = [(p, reach_among(identities[p.id], p, platforms[p.org_id], None)) for p in people]
    return [Recipient(p, where.channel, where.address, where.problem) for p, where in reached]
