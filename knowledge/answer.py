"""From an understood question to an answer composed of one pack's facts.

Every producer proposes its candidate answers (knowledge.proposals); one scoring chooses the one that
answers most of what was asked, the ask about the subject (knowledge.scoring); the chosen answer is kept
only where it gives what was asked (knowledge.fitting: otherwise the precise "doesn't say") and speaks to
every salient term of the question (knowledge.verification).
"""

from __future__ import annotations

from knowledge.fitting import fit_to_ask
from knowledge.index import PackIndex
from knowledge.models import Source
from knowledge.proposals import Candidate, fallback, proposals
from knowledge.replies import Answer
from knowledge.scoring import read, score
from knowledge.understand import Question
from knowledge.verification import verified


def respond(index: PackIndex, question: Question) -> Answer:
    chosen = best(index, question, proposals(index, question))
    return verified(index, question, fit_to_ask(index, question, chosen.answer))


def best(index: PackIndex, question: Question, candidates: list[Candidate]) -> Candidate:
    """The candidate that answers most of the question; the honest decline when none is proposed."""
    reading = read(index, question)
    nothing = fallback(index, question)
    scored = [(score(index, reading, c), c) for c in candidates]
    top, chosen = max(scored, key=lambda pair: pair[0], default=(float("-inf"), nothing))
    return nothing if score(index, reading, nothing) > top else chosen


__all__ = ["Answer", "Source", "respond"]
