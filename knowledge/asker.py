"""What the roster says about the person asking, for personal questions in chat ("my pay", "my next level",
"am I eligible", "how long until I can apply"). What the asker says in the question wins over their record;
the answer says which facts came from the record, so they can tell a stale record from a policy rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from knowledge.asks import Ask
from knowledge.index import Mention
from knowledge.models import Pack, Topic
from knowledge.understand import Basis, Duration, LevelRef, Question

_ABOUT_SERVICE = {Topic.eligibility, Topic.requirements, Topic.supplements}


@dataclass(frozen=True)
class Asker:
    """The roster's record of the person asking; `today` dates their service."""

    level: str | None = None  # a level id of their organisation's pack
    spinal_point: int | None = None
    framework: str | None = None
    team: str | None = None
    qualified_on: date | None = None
    started_on: date | None = None
    today: date | None = None


def with_record(question: Question, asker: Asker | None, pack: Pack) -> tuple[Question, list[str]]:
    """The question with the facts of the asker's record it leaves out, and what was taken from the record."""
    if question.personal and not question.durations:
        stated = stated_service(question.text, asker.today if asker and asker.today else date.today())
        question = replace(question, durations=stated) if stated else question
    if asker is None or not question.personal:
        return question, []
    used: list[str] = []
    levels, points, durations, mentions = (
        question.levels,
        question.points,
        question.durations,
        question.mentions,
    )
    level_ids = {lv.id for lv in pack.levels}
    if asker.level in level_ids and not question.level("current") and not points:
        levels = [LevelRef(asker.level, "current"), *levels]
        used.append(pack.level(asker.level).name)
    if asker.spinal_point is not None and not points and _asks_pay(question):
        points = [asker.spinal_point]
        used.append(f"spinal point {asker.spinal_point}")
    if not durations and asker.today and _asks_service(question):
        durations = _service(asker)
        used += [_since(label, day) for label, day in _dates(asker)]
    framework = next((f for f in pack.frameworks if f.id == asker.framework), None)
    if framework is not None and len(pack.frameworks) > 1 and not question.ids("framework"):
        end = len(question.text)
        mentions = [*mentions, Mention("framework", framework.id, end, end)]
        used.append(framework.name)
    changed = replace(question, levels=levels, points=points, durations=durations, mentions=mentions)
    return changed, used


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")  # fmt: skip
_SEASONS = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1}
# "I started in March 2024", "qualified in summer 2016", "joined the council on 3 june 2023" (normalised text).
_STATED = re.compile(
    r"\b(?P<verb>started|joined|began|qualified|graduated|registered)\b(?: [a-z]+){0,3}?"
    r" (?:in|on|from|during|around|back in) (?:(?P<day>\d{1,2}) )?"
    rf"(?:(?P<month>{'|'.join(_MONTHS)}) |(?P<season>{'|'.join(_SEASONS)}) )?(?P<year>(?:19|20)\d\d)\b"
)
# "this year (2018)", "now, in 2018": the year the asker is asking about, the end of which is counted to.
_ASKED_YEAR = re.compile(
    r"\b(?:this year|now|currently|at the moment|it is)\W{0,3}(?:in )?(?P<year>(?:19|20)\d\d)\b"
)


def stated_service(text: str, today: date) -> list[Duration]:
    """The service the asker dates in the question, counted to today, or to the end of the year they say
    they are asking about."""
    asked = _ASKED_YEAR.search(text)
    until = date(int(asked.group("year")), 12, 31) if asked else today
    found = []
    for match in _STATED.finditer(text):
        year, month, season = int(match.group("year")), match.group("month"), match.group("season")
        day = int(match.group("day")) if match.group("day") and month else 1
        number = _MONTHS.index(month) + 1 if month else _SEASONS.get(season or "", 7)
        try:
            since = date(year, number, day)
        except ValueError:
            continue  # "31 february": no date to count from
        if since > until:
            continue
        precision = "day" if match.group("day") and month else "month" if month else season or "year"
        basis: Basis = "joining" if match.group("verb") in ("started", "joined", "began") else "qualifying"
        years = round((until - since).days / 365.25, 3)
        found.append(Duration(years, basis, since=since, precision=precision))
    return found


def record_line(used: list[str]) -> str:
    return f"From your record: {', '.join(used)}." if used else ""


def _asks_pay(question: Question) -> bool:
    return Topic.pay in question.topics or Ask.amount in question.asks


def _asks_service(question: Question) -> bool:
    return bool(_ABOUT_SERVICE & set(question.topics)) or Ask.duration in question.asks


def _dates(asker: Asker) -> list[tuple[str, date]]:
    found = [("qualified", asker.qualified_on), ("started", asker.started_on)]
    return [(label, day) for label, day in found if day is not None]


def _service(asker: Asker) -> list[Duration]:
    assert asker.today is not None
    out = []
    for label, day in _dates(asker):
        years = round((asker.today - day).days / 365.25, 3)
        basis: Basis = "qualifying" if label == "qualified" else "joining"
        out.append(Duration(years, basis, since=day, from_record=True))
    return out


def _since(label: str, day: date) -> str:
    return f"{label} on {day.isoformat()}"
