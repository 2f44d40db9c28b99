"""Asked whether something happens automatically, an answer that says it does not goes on to say what the
asker does instead: the policy's own steps.

"Will I be moved onto the advanced practitioner role automatically?" answered only by "there is no automatic
transfer" leaves the asker to wonder how they get there. The steps come from the pack's process (its record
of the document), cited by their own section, and follow the no; the reply stays one chat message.
"""

from __future__ import annotations

import re

from knowledge.asks import Ask
from knowledge.index import PackIndex
from knowledge.models import Source
from knowledge.replies import Answer, compose
from knowledge.text import normalise
from knowledge.understand import Question

# The answer says it is not automatic ("there is no automatic transfer", "Not automatically, going by ...").
_NOT_AUTOMATIC = re.compile(r"\b(no|not|isn't|is not|never) (an )?automatic(ally)?\b")


def with_what_to_do_instead(index: PackIndex, question: Question, answer: Answer) -> Answer:
    """The answer, then the policy's steps, where it says no to "automatically?" and does not give them."""
    if (
        not answer.answered
        or Ask.automatic not in question.asks
        or not _NOT_AUTOMATIC.search(answer.text.lower())
    ):
        return answer
    steps = [p for p in index.passages if p.kind == "steps"]
    if not steps or normalise(steps[0].text)[:60] in normalise(answer.text):
        return answer
    body = [ln for ln in answer.text.split("\n") if ln and not ln.startswith("Source:")]
    sources = [Source(document=c.document, section=c.section) for c in answer.sources]
    said = compose(index.pack, [*body, f"Instead: {steps[0].text}"], [*sources, steps[0].source], None)
    if "Instead: " not in said.text:
        return answer  # the steps do not fit beside the answer in one message: the answer stands as it was
    return said.model_copy(update={"topic": answer.topic, "confidence": answer.confidence})
