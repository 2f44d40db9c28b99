"""Whether a candidate answer, as it stands, answers the question: what it would say if chosen.

A candidate fits the ask when it gives the kind of answer asked for (a figure to "how much", a person to
"who": knowledge.fitting), and verifies when it speaks to the question's salient terms in this
organisation's document and rests on no silence the pack records (knowledge.verification). A candidate that
fails says instead, precisely, what the policy doesn't say; one whose facts miss a term the document speaks
to may be given the document's own words. Judging costs more than scoring, so it is asked only of the
candidates the scoring ranks best (knowledge.answer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.fitting import fitted
from knowledge.index import PackIndex
from knowledge.proposals import Candidate
from knowledge.replies import Answer
from knowledge.stated_silence import with_stated_silence
from knowledge.understand import Question
from knowledge.verification import speaks_of_what_is_named, verified
from knowledge.windows import holds, periods_in


@dataclass(frozen=True)
class Verdict:
    """A candidate judged: what it would say, and whether that still answers."""

    said: Answer  # the candidate itself, the document's words, the question asked back, or the decline
    fits: bool  # it gives the kind of answer asked for
    verifies: bool  # it speaks to what was asked, in the document's terms

    stands: bool = True  # it is about what was asked at all (one that is not is no reply, not even a decline)

    @property
    def passes(self) -> bool:
        return self.said.answered or bool(self.said.clarify)


def judged(index: PackIndex, question: Question, candidate: Candidate) -> Verdict:
    if candidate.situation and not speaks_of_what_is_named(index, question, candidate.answer):
        # The asker's service against the rule of a level ("For H9 ...") to a question about the supplements
        # it names ("exactly 4 years: is it the £2k or the £3k?"): about the asker, not what they ask.
        return Verdict(candidate.answer, fits=False, verifies=False, stands=False)
    if _a_rule_for_others(question, candidate.answer):
        return Verdict(candidate.answer, fits=False, verifies=False, stands=False)
    fit = fitted(index, question, candidate.answer)
    said = with_stated_silence(index, question, verified(index, question, fit))
    return Verdict(
        said, fits=fit.answered or not candidate.answer.answered, verifies=said.answered or not fit.answered
    )


def _a_rule_for_others(question: Question, answer: Answer) -> bool:
    """Asked which of something is theirs (not "can I ...?", where "not yet" answers), the answer's direct line
    is a rule whose period the asker's own time does not meet ("more than 4 years service: £3,000" to
    "exactly four years: which do I get?"): it is the rule for others, no answer to them."""
    given = [d for d in question.durations if d.since is None]
    if not answer.answered or not question.personal or len(given) != 1 or not _CHOICE.search(question.text):
        return False
    lead = next((ln for ln in answer.text.split("\n") if ln and not ln.endswith(":")), "")
    periods = periods_in(lead)
    # (A line that sets both sides, "less than 4 years ... more than 4 years", is the rule's whole shape.)
    return len({(p.relation, p.years) for p in periods}) == 1 and holds(given[0], periods[0]) is False


# Asked to choose between alternatives ("which do I get", "is it the £2k or the £3k"), not yes or no.
_CHOICE = re.compile(r"\bwhich\b|\b(the|a) \S+( one)? or (the|a)\b")
