"""Answers that use what the worker tells us about themselves: service so far, current level and point."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from knowledge.models import Level, Pack, PayPoint, Requirement
from knowledge.understand import Duration, Question

Verdict = Literal["met", "not_met", "unknown"]


@dataclass(frozen=True)
class Check:
    requirement: Requirement
    verdict: Verdict


def ladder(pack: Pack, framework: str | None) -> list[Level]:
    """The levels a worker in this framework climbs, lowest first."""
    levels = [lv for lv in pack.levels if framework is None or lv.framework in (None, framework)]
    return sorted(levels, key=lambda lv: lv.rank)


def next_level(pack: Pack, level: Level) -> Level | None:
    higher = [lv for lv in ladder(pack, level.framework) if lv.rank > level.rank]
    return higher[0] if higher else None


def level_at_point(pack: Pack, point: int) -> tuple[Level, PayPoint] | None:
    for level in pack.levels:
        for pay_point in level.pay.points if level.pay else []:
            if pay_point.point == point:
                return level, pay_point
    return None


def first_progression(pack: Pack) -> Level | None:
    """Where someone newly qualified would aim first: the lowest level with a service rule, else the lowest
    above the entry level with induction rules, else the second rung."""
    climbable = ladder(pack, None)
    for level in climbable:
        if any(r.kind == "service_length" for r in level.requirements):
            return level
    for level in climbable[1:]:
        if any(r.kind == "induction" for r in level.requirements):
            return level
    return climbable[1] if len(climbable) > 1 else None


def target_level(pack: Pack, question: Question, *, default_first: bool = False) -> Level | None:
    """The level the question is about: named as a target, named at all, a named level other than the one the
    worker's spinal point is on ("I'm on 38, what would I get at L3?"), or the one above the current."""
    named = question.level("target") or question.level("any")
    if named:
        return pack.level(named)
    current = current_level(pack, question)
    elsewhere = question.level("current")
    if elsewhere and current and elsewhere != current.id:
        return pack.level(elsewhere)
    if current:
        return next_level(pack, current)
    return first_progression(pack) if default_first else None


def current_level(pack: Pack, question: Question) -> Level | None:
    """Where the worker is: the level of the spinal point they give, else the level they say they are on."""
    found = level_at_point(pack, question.points[0]) if question.points else None
    if found:
        return found[0]
    named = question.level("current")
    return pack.level(named) if named else None


def check_service(requirement: Requirement, durations: list[Duration]) -> Verdict:
    """Whether the service the worker describes meets a service-length requirement."""
    if requirement.years is None or not durations:
        return "unknown"
    needed = requirement.years
    for duration in durations:
        comparable = requirement.counted_from in (None, "any") or duration.basis in (
            "any",
            requirement.counted_from,
        )
        # Service counted from joining cannot exceed the time since qualifying, for a qualified post.
        bounds_from_above = requirement.counted_from == "joining" and duration.basis == "qualifying"
        if comparable or bounds_from_above:
            if duration.years >= needed and comparable:
                return "met"
            if duration.years < needed:
                return "not_met"
    return "unknown"


def checks(level: Level, durations: list[Duration]) -> list[Check]:
    return [
        Check(r, check_service(r, durations) if r.kind == "service_length" else "unknown")
        for r in level.requirements
    ]


def describe_years(years: float) -> str:
    if years < 1:
        months = round(years * 12)
        return f"{months} month{'s' if months != 1 else ''}"
    whole = round(years, 1)
    shown = int(whole) if whole == int(whole) else whole
    return f"{shown} year{'s' if shown != 1 else ''}"


def service_said(durations: list[Duration], requirement: Requirement | None = None) -> str:
    """The asker's service as they (or their record) gave it; where a service rule is not met yet and the
    service is dated, the date the rule's length is reached, worked out from the rule's own figure."""
    if not durations:
        return ""
    duration = _comparable(durations, requirement)
    years = describe_years(duration.years)
    if duration.since is None:
        return f" You have told me about {years}."
    verb = "qualified" if duration.basis == "qualifying" else "started"
    who = "Your record says you" if duration.from_record else "You"
    said = f" {who} {verb} {_on(duration)}."
    if requirement is not None and requirement.years is not None:
        reached = add_years(duration.since, requirement.years)
        length = describe_years(requirement.years)
        said += f" {length.capitalize()} from then is {_on(duration, reached)[3:]}."
    return said


def _comparable(durations: list[Duration], requirement: Requirement | None) -> Duration:
    """The service counted the way the rule counts it (since qualifying, or since joining), where given."""
    counted = requirement.counted_from if requirement else None
    return next(
        (d for d in durations if counted in (None, "any") or d.basis in ("any", counted)), durations[0]
    )


def add_years(day: date, years: float) -> date:
    """The date a number of years (whole months of them) after a day; the month's last day if it is shorter."""
    months = day.month - 1 + round(years * 12)
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _on(duration: Duration, day: date | None = None) -> str:
    """A date as precisely as the asker gave theirs: "on 1 October 2025", "in March 2024", "in summer 2016"."""
    day = day or duration.since
    assert day is not None
    if duration.precision == "day":
        return f"on {day.day} {day:%B %Y}"
    if duration.precision == "month":
        return f"in {day:%B %Y}"
    if duration.precision == "year":
        return f"in {day.year}"
    return f"in {duration.precision} {day.year}"  # a season
