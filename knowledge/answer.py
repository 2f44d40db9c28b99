"""From an understood question to an answer composed of one pack's facts.

Every producer proposes its candidate answers (knowledge.proposals); one scoring chooses among them; the
chosen answer is kept only where it gives what was asked about what was asked (knowledge.fitting) and
speaks to every salient term of the question (knowledge.verification).
"""

from __future__ import annotations

from knowledge.fitting import fit_to_ask
from knowledge.index import PackIndex
from knowledge.models import Source
from knowledge.proposals import Candidate, proposals
from knowledge.replies import Answer
from knowledge.understand import Question
from knowledge.verification import verified


def respond(index: PackIndex, question: Question) -> Answer:
    chosen = best(proposals(index, question))
    return verified(index, question, fit_to_ask(index, question, chosen.answer))


def best(candidates: list[Candidate]) -> Candidate:
    return max(candidates, key=lambda c: c.prior)


__all__ = ["Answer", "Source", "respond"]
