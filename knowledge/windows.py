"""The asker's own length of time, or spinal point, against a period or threshold the chosen answer's rule sets.

"I finished PEPS 2 eighteen months ago ... will I have to pay anything back?" is answered by the repayment
rule ("if you leave the council within two years of successfully completing your course"); the answer then
says where the asker's 18 months falls against that rule's two years, in the rule's own words. The period
and the comparison both come from the quoted fact and the question: nothing is added from elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.personal import describe_years
from knowledge.replies import Answer
from knowledge.text import NUMBER_WORDS, normalise, tokens
from knowledge.understand import Duration

_PERIOD = re.compile(
    r"\b(?P<relation>within|more than|less than|over|under|at least|after)\s+(?P<count>\d+(?:\.\d+)?|"
    + "|".join(NUMBER_WORDS)
    + r")\s+(?P<unit>years?|months?)\b",
    re.I,
)
_WITHIN = {"within", "less than", "under"}  # the asker's time must not reach the period
_BEYOND = {"more than", "over"}  # it must pass it (else, "at least", "after": it must reach it)


@dataclass(frozen=True)
class Period:
    relation: str  # "within", "more than", "at least"...
    count: str  # as the rule writes it ("two", "4")
    unit: str  # "years", "months"
    years: float


def first_period(text: str) -> Period | None:
    """The first period a rule's text sets ("within two years", "more than 4 years")."""
    found = _PERIOD.search(text)
    return None if found is None else _period(found)


def periods_in(text: str) -> list[Period]:
    """Every period a rule's text sets."""
    return [_period(found) for found in _PERIOD.finditer(text)]


def _period(found: re.Match[str]) -> Period:
    count = found.group("count").lower()
    number = float(NUMBER_WORDS.get(count, count))
    years = number / 12 if found.group("unit").lower().startswith("month") else number
    return Period(found.group("relation").lower(), found.group("count"), found.group("unit"), years)


def comparison(duration: Duration, period: Period) -> str:
    """Where the asker's time falls against the period, in the rule's words (on the boundary itself, only
    that: whether "within two years" takes in the second anniversary is the policy's to say)."""
    mine = as_said(duration.years)
    length = f"{period.count} {period.unit}"
    if abs(duration.years - period.years) < 1e-6:
        return f"You say {mine}: that is exactly the {length} the rule sets."
    longer = duration.years > period.years
    if period.relation == "within":
        where = f"beyond the {length}" if longer else f"within the {length}"
    elif period.relation in _WITHIN:
        where = f"not {period.relation} {length}" if longer else f"{period.relation} {length}"
    elif period.relation in _BEYOND:
        where = f"{period.relation} {length}" if longer else f"not {period.relation} {length}"
    else:
        where = f"{period.relation} {length}" if longer else f"not yet {period.relation} {length}"
    return f"You say {mine}: that is {where}."


def holds(duration: Duration, period: Period) -> bool | None:
    """Whether the asker's time meets the period's condition; None on the boundary of "within", which the
    policy's words leave open. ("More than 4 years" is not met by exactly 4, nor is "less than 4".)"""
    on_it = abs(duration.years - period.years) < 1e-6
    if period.relation == "within":
        return None if on_it else duration.years < period.years
    if period.relation in _WITHIN:
        return duration.years < period.years and not on_it
    if period.relation in _BEYOND:
        return duration.years > period.years and not on_it
    return duration.years >= period.years or on_it


def as_said(years: float) -> str:
    """A length of time as people say it: "18 months" under two years, else in years."""
    months = round(years * 12)
    if years < 2 and abs(years * 12 - months) < 0.05:
        return f"{months} month{'s' if months != 1 else ''}"
    return describe_years(years)


def with_the_askers_time(
    answer: Answer, question_text: str, durations: list[Duration], personal: bool
) -> Answer:
    """The answer with the asker's own time compared against the period its first fact sets, where the asker
    gives one length of time (not dated service, which the service check already counts)."""
    given = [d for d in durations if d.since is None]
    if not answer.answered or not personal or len(given) != 1:
        return answer
    lead = answer.text.split("\n", 1)[0]
    period = first_period(lead)
    if (
        period is None
        or as_said(given[0].years) in answer.text
        or describe_years(given[0].years) in answer.text
    ):
        return answer  # (an answer that already weighs the asker's time against its rule, the service check)
    if re.search(rf"\b{period.relation} \S+ {period.unit.rstrip('s')}", question_text, re.I):
        return answer  # the asker restates the rule ("what if I leave within two years"): no time of theirs
    return answer.model_copy(update={"text": f"{comparison(given[0], period)}\n{answer.text}"})


_THRESHOLD = re.compile(
    r"\b(?P<side>below|under|above|over) (?:(?:scp|spinal point|point) ?)+(?P<point>\d{1,2})\b", re.I
)


def for_the_askers_point(answer: Answer, question_text: str, points: list[int], personal: bool) -> Answer:
    """Where the answer's rule goes by spinal point in clauses ("at BG9 below SCP 28 you need your line
    manager's permission; at BG9 above SCP28 ... your chief officer") and the asker gives theirs, the clauses
    whose condition their point does not meet are left out; on the threshold itself, neither is, and the
    answer says the policy doesn't say which applies. (An asker who puts it as the rule does, "if I'm above
    SCP 28", gives no point of theirs.)"""
    if not answer.answered or not personal or len(points) != 1 or _THRESHOLD.search(question_text):
        return answer
    mine = points[0]
    bounds = {int(t.group("point")) for t in _THRESHOLD.finditer(answer.text)}
    if mine in bounds:  # on the threshold itself no clause is theirs: all are kept, and that is said
        lines = [f"Your spinal point, {mine}, is the threshold itself: the policy doesn't say which applies."]
        # Which rule is theirs is what they asked, and the policy does not say it: not answered.
        return answer.model_copy(update={"text": "\n".join([*lines, answer.text]), "answered": False})
    lines = [kept for line in answer.text.split("\n") if (kept := _clauses_held(line, mine))]
    text = "\n".join(lines)
    return answer if text == answer.text else answer.model_copy(update={"text": text})


_CLAUSE = re.compile(r"(?<=[.;])\s+")  # a rule's sentences and its clauses after a semicolon


def _clauses_held(line: str, point: int) -> str:
    """The line without its clauses whose spinal-point condition the point does not meet (empty if none is
    left). A clause left first in its sentence starts it: "At BG9 above SCP28 ..."."""
    held = [p for p in _CLAUSE.split(line) if not _THRESHOLD.search(p) or _held(p, point)]
    kept = " ".join(
        p[:1].upper() + p[1:] if not i or held[i - 1].endswith(".") else p for i, p in enumerate(held)
    )
    return kept[:-1] + "." if kept.endswith(";") else kept


def _held(clause: str, point: int) -> bool:
    """A clause's condition holds for the point; one naming both sides of the threshold (the rule's whole
    shape) is for the threshold itself."""
    found = list(_THRESHOLD.finditer(clause))
    if len(found) > 1:
        return any(int(t.group("point")) == point for t in found)
    return _holds(found[0], point)


def _holds(threshold: re.Match[str] | None, point: int) -> bool:
    assert threshold is not None
    bound = int(threshold.group("point"))
    below = threshold.group("side").lower() in {"below", "under"}
    return point < bound if below else point > bound


_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = re.compile(rf"\b({'|'.join(_MONTHS)})\b", re.I)
_NEXT = re.compile(r"\bnext\b|\bearliest\b|\bsoonest\b|\bfirst (one|panel|chance)\b")


def with_the_next_month(answer: Answer, question_text: str) -> Answer:
    """Asked for the next of something the rule holds in given months ("meets twice a year, in September and
    June"), by an asker who names the month they are ready in ("ready in November"), the answer says which of
    the rule's months comes next after it."""
    asked = _MONTH.findall(question_text)
    if not answer.answered or len(asked) != 1 or not _NEXT.search(question_text):
        return answer
    lead = answer.text.split("\n", 1)[0]
    months = {m.lower() for m in _MONTH.findall(lead)}
    if len(months) < 2 or asked[0].lower() in months:
        return answer  # (ready in a month the rule names: whether that one is still open, it doesn't say)
    mine = _MONTHS.index(asked[0].lower())
    following = min(months, key=lambda m: (_MONTHS.index(m) - mine - 1) % 12)
    said = f"You say {asked[0].capitalize()}: the next of those months after it is {following.capitalize()}."
    return answer.model_copy(update={"text": f"{said}\n{answer.text}"})


# The event a backdating rule dates from: "backdated to the day the application was signed by ...".
_BACKDATED_TO = re.compile(
    r"\bback ?dated to (?:the (?:day|date) (?:that |on which |when )?)?(?P<event>[^.;\n]+)", re.I
)
_FROM_MONTH = re.compile(rf"\bfrom ({'|'.join(_MONTHS)})\b", re.I)


def with_the_askers_dates(answer: Answer, question_text: str) -> Answer:
    """Where the answer's rule backdates to an event ("the day the application was signed by the line
    manager") and the asker dates the events of their own case by month ("signed in January, approved in
    March"), the answer says which of the asker's months that is: the month whose clause tells of the
    rule's event most closely. Asked whether it is paid from a month, it says yes or no to that month."""
    if not answer.answered:
        return answer
    rule = _BACKDATED_TO.search(answer.text)
    dated = list(_MONTH.finditer(question_text))
    if rule is None or not dated:
        return answer
    event = rule.group("event").strip()
    said = set(tokens(normalise(event)))
    told: dict[str, int] = {}
    start = 0
    for found in dated:  # each month, with the clause that tells what happened in it
        clause = question_text[start : found.start()]
        start = found.end()
        month = found.group(1).lower()
        if _FROM_MONTH.search(question_text[max(0, found.start() - 5) : found.end()]):
            continue  # "paid from January" asks about a month; it tells of no event
        told[month] = max(told.get(month, 0), len(said & set(tokens(normalise(clause)))))
    if not told:
        return answer
    best = max(told.values())
    months = [m for m, n in told.items() if n == best]
    if best == 0 or len(months) != 1:
        return answer  # no month of theirs, or more than one, tells of the rule's event
    month = months[0].capitalize()
    asked = _FROM_MONTH.search(question_text)
    verdict = ""
    if asked:
        verdict = (
            "Yes: "
            if asked.group(1).lower() == months[0]
            else f"No, not from {asked.group(1).capitalize()}: "
        )
    line = (
        f"{verdict}going by this rule, it would be backdated to {month}, when, as you describe it, {event}."
    )
    return answer.model_copy(update={"text": f"{line[0].upper()}{line[1:]}\n{answer.text}"})
