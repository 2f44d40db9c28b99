"""Dates and times as HR types them ("14 June 2027", "14/06/2027", "2027-06-14 09:30"), in UK time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
DATE_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%B %d %Y",
    "%b %d %Y",
)
DEFAULT_TIME = time(9, 0)  # a scheduled broadcast with no time goes out at the start of the working day
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", re.I)
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b", re.I)
_TIME = re.compile(r"(?:\s+at)?\s+(\d{1,2})[:.](\d{2})\s*$")


def parse_date(text: str) -> date | None:
    cleaned = _ORDINAL.sub(r"\1", _WEEKDAY.sub("", " ".join(text.replace(",", " ").split())))
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def iso_day(text: str) -> date | None:
    """`text` as a date picker sends it (YYYY-MM-DD), or None: what a picker can be set to show."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def parse_moment(text: str) -> datetime | None:
    """A UK date with an optional time (default 09:00), as an aware UTC datetime."""
    text = text.strip()
    match = _TIME.search(text)
    at = DEFAULT_TIME
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            return None
        at, text = time(hour, minute), text[: match.start()]
    day = parse_date(text)
    if day is None:
        return None
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def uk_moment(moment: datetime) -> str:
    local = moment.astimezone(UK)
    return f"{long_date(local.date())} at {local:%H:%M}"


def uk_today(moment: datetime) -> date:
    """The date in the UK at `moment` (after 23:00 UTC in summer it is already tomorrow there)."""
    return moment.astimezone(UK).date()
