"""From an understood question to an answer composed of one pack's facts.

Every producer proposes its candidate answers (knowledge.proposals), declines included, and one scoring
ranks them by how much of what was asked they answer, the ask about the subject (knowledge.scoring). Each
candidate, best first, is then judged as it stands (knowledge.judging): does it give the kind of answer
asked for, and does it speak to every salient term of the question in this organisation's document? The
reply is the best candidate that passes. One that fails becomes its honest decline ("the policy doesn't
say ..."), itself a candidate ranked a little below the answer it replaces, so a next candidate nearly as
good that does pass is preferred to it, and a much weaker one is not. Judging is the costly part, so it is
done lazily: only down the ranking until a candidate passes or a decline outranks the rest.
"""

from __future__ import annotations

from knowledge.index import PackIndex
from knowledge.instead import with_what_to_do_instead
from knowledge.judging import judged
from knowledge.models import Source
from knowledge.obligations import with_the_option_said, with_what_is_required
from knowledge.proposals import NOTHING, Candidate, fallback, proposals
from knowledge.replies import Answer, instruction_declined, out_of_scope
from knowledge.same_subject import with_the_same_subjects_requirements
from knowledge.scoring import WEIGHTS, read, score
from knowledge.totals import with_the_levels_pay, with_the_total
from knowledge.turns import with_the_turn
from knowledge.understand import Question
from knowledge.windows import (
    for_the_askers_point,
    with_the_askers_dates,
    with_the_askers_time,
    with_the_next_month,
)


def respond(index: PackIndex, question: Question) -> Answer:
    said = chosen(index, question, ranked(index, question, proposals(index, question)))
    said = with_the_askers_time(said, question.text, question.durations, question.personal)
    said = for_the_askers_point(said, question.text, question.points, question.personal)
    said = with_the_next_month(said, question.text)
    said = with_the_askers_dates(said, question.text)
    said = with_what_is_required(index, question, said)
    said = with_the_same_subjects_requirements(index, question, said)
    said = with_the_option_said(index, question, said)
    said = with_what_to_do_instead(index, question, said)
    said = with_the_turn(index, said)
    said = with_the_total(index, question, said)
    said = with_the_levels_pay(index, question, said)
    if question.instructions:  # what the bot won't do is said first, then what the policy says
        return instruction_declined(index.pack, question.instructions, said)
    return said


def ranked(
    index: PackIndex, question: Question, candidates: list[Candidate]
) -> list[tuple[float, Candidate]]:
    """The candidates best first, the honest decline when nothing answers among them (on a tie, a producer's
    candidate before it, and the producers' own order)."""
    reading = read(index, question)
    scored = [(score(index, reading, c), c) for c in [*candidates, fallback(index, question)]]
    return sorted(scored, key=lambda pair: -pair[0])


def chosen(index: PackIndex, question: Question, candidates: list[tuple[float, Candidate]]) -> Answer:
    """What is said: the best candidate that passes judging, unless a failed one's decline outranks it."""
    decline: tuple[float, Answer] | None = None
    for value, candidate in candidates:
        if decline is not None and (value <= decline[0] or _said_nothing(index, candidate)):
            # (Rather than "doesn't say anything about that", the precise decline of an answer on the
            # subject that misses the detail asked: what the policy doesn't say, and what it does.)
            break
        verdict = judged(index, question, candidate)
        if not verdict.stands:
            continue  # about something else than what was asked: not even its decline is said
        if verdict.passes or candidate.declines:
            return verdict.said  # (a decline, judged, may become the document's own words)
        decline = decline or (value - WEIGHTS.failed_check, verdict.said)
    assert decline is not None  # the last candidate is the fallback, a decline: it returns
    return decline[1]


def _said_nothing(index: PackIndex, candidate: Candidate) -> bool:
    """The fallback's "the policy doesn't say anything about that" (not "outside career progression")."""
    return candidate.producer == NOTHING and candidate.answer.text != out_of_scope(index.pack).text


__all__ = ["Answer", "Source", "respond"]
