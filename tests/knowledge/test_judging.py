"""One mechanism: candidates are judged best first, and a candidate that fails (a silence, an ask not given,
a term unheard) becomes its decline, ranked just below it, so a next candidate nearly as good that passes is
given instead; a decline stays where nothing near the top passes."""

from __future__ import annotations

from knowledge.answer import chosen, ranked
from knowledge.judging import judged
from knowledge.library import Library
from knowledge.proposals import proposals
from knowledge.understand import understand

QUESTION = "how many cases would a child protection social worker carry"


def test_each_candidate_carries_its_verdict_and_the_decline_is_one(library: Library) -> None:
    index = library.indexes["coventry"]
    question = understand(QUESTION, index, library.speller_for("coventry"))
    assert [c.producer for _, c in ranked(index, question, [])] == ["nothing"]  # the decline is a candidate
    candidates = ranked(index, question, proposals(index, question))
    top = judged(index, question, candidates[0][1])
    assert not top.passes and not top.verifies  # it quotes the fact recording a silence on the numbers
    said = chosen(index, question, candidates)
    assert said.answered and "14 per social worker" in said.text
