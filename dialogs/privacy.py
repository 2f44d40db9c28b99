"""Evidence is about practice, not people: spot text that may identify a service user before it is saved."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from anyascii import anyascii

_NHS = re.compile(r"\b(\d{3})[ -]?(\d{3})[ -]?(\d{4})\b")
_DOB = re.compile(r"\b(dob|d\.o\.b|date of birth|born on|born in)\b", re.I)
_DATE = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-](19|20)?\d{2}\b|\b\d{1,2}(st|nd|rd|th)? (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]* (19|20)\d{2}\b",
    re.I,
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.I)
_STREET = re.compile(
    r"\b\d+[a-z]? [A-Z][a-z]+ (road|street|lane|avenue|close|drive|way|court|crescent|gardens)\b", re.I
)
_TITLE_NAME = re.compile(r"\b(mr|mrs|ms|miss|mx|master)\.? [A-Z][a-z]+", re.I)
_NAME_PAIR = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,}) ([A-Z][a-z]{2,})\b")
_PHONE = re.compile(r"\b0\d{3,4}[ -]?\d{3}[ -]?\d{3,4}\b|\b07\d{3} ?\d{6}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")

# Capitalised pairs that are practice vocabulary, not people.
_NOT_NAMES = {
    "child", "protection", "team", "manager", "looked", "after", "children", "care", "plan", "court", "family",
    "social", "worker", "service", "services", "council", "panel", "conference", "case", "review", "health",
    "mental", "local", "authority", "practice", "educator", "senior", "practitioner", "advanced", "principal",
    "assistant", "director", "foster", "fostering", "adoption", "signs", "safety", "network", "meeting", "core",
    "group", "assessment", "pathway", "personal", "education", "young", "people", "adult", "adults", "early",
    "help", "medway", "coventry", "hertfordshire", "birmingham", "kent", "police", "school", "nhs", "hospital",
    "duty", "level", "grade", "legal", "planning", "meetings", "conferences", "strategy", "discussion",
}  # fmt: skip


def identifying_details(text: str, known_words: Collection[str] = ()) -> list[str]:
    """What in the text looks like it identifies someone: an empty list when nothing does.

    `known_words` (lower case) are words of the policies themselves, e.g. "Graduate Diploma": a pair
    of capitalised words is only taken for a name when neither is one of them.
    """
    text = plain_letters(text)
    found = []
    if any(_nhs_valid("".join(m.groups())) for m in _NHS.finditer(text)):
        found.append("an NHS number")
    if _DOB.search(text) or _DATE.search(text):
        found.append("a date of birth or other exact date")
    if _POSTCODE.search(text) or _STREET.search(text):
        found.append("an address or postcode")
    if _PHONE.search(text) or _EMAIL.search(text):
        found.append("contact details")
    if _TITLE_NAME.search(text) or _names(text, known_words):
        found.append("what looks like a person's full name")
    return found


def plain_letters(text: str) -> str:
    """The text as the patterns expect it: compatibility forms folded (NFKC: full-width letters and
    digits), then every letter as its ASCII look-alike (Cyrillic "С" as "S"), every kind of space as a
    space and zero-width characters gone, so "John\u00a0Smith" is seen as the name it is."""
    return re.sub(r"[^\S\n]", " ", anyascii(unicodedata.normalize("NFKC", text)))


def _names(text: str, known_words: Collection[str]) -> bool:
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for match in _NAME_PAIR.finditer(sentence):
            pair = (match.group(1).lower(), match.group(2).lower())
            if not any(word in _NOT_NAMES or word in known_words for word in pair):
                return True
    return False


def _nhs_valid(digits: str) -> bool:
    """NHS numbers carry a modulus 11 check digit, which keeps other ten-digit numbers out."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def clean(text: str) -> str:
    """Text without control characters (other than new lines and tabs), trimmed."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e]", "", text).strip()
