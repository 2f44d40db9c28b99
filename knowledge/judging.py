"""Whether a candidate answer, as it stands, answers the question: what it would say if chosen.

A candidate fits the ask when it gives the kind of answer asked for (a figure to "how much", a person to
"who": knowledge.fitting), and verifies when it speaks to the question's salient terms in this
organisation's document and rests on no silence the pack records (knowledge.verification). A candidate that
fails says instead, precisely, what the policy doesn't say; one whose facts miss a term the document speaks
to may be given the document's own words. Judging costs more than scoring, so it is asked only of the
candidates the scoring ranks best (knowledge.answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.fitting import fitted
from knowledge.index import PackIndex
from knowledge.proposals import Candidate
from knowledge.replies import Answer
from knowledge.understand import Question
from knowledge.verification import verified


@dataclass(frozen=True)
class Verdict:
    """A candidate judged: what it would say, and whether that still answers."""

    said: Answer  # the candidate itself, the document's words, the question asked back, or the decline
    fits: bool  # it gives the kind of answer asked for
    verifies: bool  # it speaks to what was asked, in the document's terms

    @property
    def passes(self) -> bool:
        return self.said.answered or bool(self.said.clarify)


def judged(index: PackIndex, question: Question, candidate: Candidate) -> Verdict:
    fit = fitted(index, question, candidate.answer)
    said = verified(index, question, fit)
    return Verdict(
        said, fits=fit.answered or not candidate.answer.answered, verifies=said.answered or not fit.answered
    )
