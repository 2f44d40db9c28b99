"""An answer whose only word on what was asked is a silence: the facts say the document does not say it.

A fact may record, in its own words, that the document is silent on something ("The report does not say
whether there will be pay protection", "it gives no salary figures"). Where such a clause is the only part of
the answer that speaks to a salient term of the question (the thing asked about), the answer's substance on
it is that silence: the policy doesn't say that, so the reply says so first, keeps the facts as what helps,
and is `answered: false`. A silence on something else beside an answer ("4 or more years service. The report
does not say whether service counts from qualifying") leaves the answer standing: the term is spoken to
outside the silence too.
"""

from __future__ import annotations

import re

from knowledge.asks import SILENCE

# Where a silence clause ends: the end of its sentence or list item, or a turn to what the document does say
# ("...no waiting time before you can apply again: you receive a full written statement").
_CLAUSE_END = re.compile(r"[.;:!?]\s|[.;:!?]$|,? but |,? although |\. ")
_SEGMENT = re.compile(r"(?<=[.!?])\s+|;\s+")


def split_silences(body: str) -> tuple[str, str]:
    """The (lower-case) text of the silence clauses in the answer's lines, and the rest of its text."""
    silent, spoken = silence_clauses(body)
    return " ".join(silent), " ".join(spoken)


def silence_clauses(body: str) -> tuple[list[str], list[str]]:
    """The (lower-case) silence clauses of the answer's lines, and the pieces of text around them."""
    silent: list[str] = []
    spoken: list[str] = []
    for line in body.lower().split("\n"):
        for segment in _SEGMENT.split(line):
            rest = segment
            while (found := SILENCE.search(rest)) is not None:
                end = _CLAUSE_END.search(rest, found.end())
                stop = end.start() if end else len(rest)
                spoken.append(rest[: found.start()])
                silent.append(rest[found.start() : stop])
                rest = rest[stop:]
            spoken.append(rest)
    return silent, spoken


def undecided(body: str) -> list[str]:
    """The silence clauses that leave a yes or no open ("does not say whether there will be pay
    protection"): each answers a yes-or-no question about what it names with "the policy doesn't say"."""
    return [clause for clause in silence_clauses(body)[0] if re.search(r"\bwhether\b|\bif\b", clause)]
