"""Dates and times as HR types them ("14 June 2027", "14/06/2027", "2027-06-14 09:30"), in UK time."""

from __future__ import annotations

import re
from datetime import date, datetime, time
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


def iso_time(text: str) -> bool:
    """Whether `text` is a time as a time picker sends and shows it (HH:MM, 24-hour)."""
    return re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text) is not None


def parse_time(text: str) -> time | None:
    """A time of day as a time picker sends it (HH:MM, or HH:MM:SS) or people type it (9.30)."""
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?", text.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def uk_moment(moment: datetime) -> str:
    local = moment.astimezone(UK)
    return f"{long_date(local.date())} at {local:%H:%M}"


def uk_today(moment: datetime) -> date:
    """The date in the UK at `moment` (after 23:00 UTC in summer it is already tomorrow there)."""
    return moment.astimezone(UK).date()
