"""A section the answer cites whose next section turns it ("2.11 In the normal course of events, Team Managers
do not hold any cases ..." / "2.12 However, given our vacancies, Team Managers are having to cover
casework ...") is said with that turn: the statement alone would tell the asker the opposite of what the
document goes on to say. The turn is the document's own sentence, cited by its own section, after the answer.
"""

from __future__ import annotations

import re

from knowledge.document_passages import document_index
from knowledge.index import PackIndex
from knowledge.models import Source
from knowledge.replies import Answer, compose

# A paragraph that opens by qualifying the one before it.
_TURN = re.compile(r"^(however|but|nevertheless|that said|in practice)\b", re.I)


def with_the_turn(index: PackIndex, answer: Answer) -> Answer:
    if not answer.answered:
        return answer
    document_id = index.pack.organisation.document
    following = document_index(document_id).following
    turns = [
        (label, first)
        for cited in answer.sources
        if cited.document == document_id and cited.section in following
        for label, first in [following[cited.section]]
        if _TURN.match(first) and first[:60] not in answer.text
    ]
    if not turns:
        return answer
    body = [ln for ln in answer.text.split("\n") if ln and not ln.startswith("Source:")]
    sources = [Source(document=c.document, section=c.section) for c in answer.sources]
    sources += [Source(document=document_id, section=label) for label, _ in turns]
    said = compose(index.pack, [*body, *(text for _, text in turns)], sources, None)
    if not all(text in said.text for _, text in turns):
        return answer  # the turn does not fit beside the answer in one message: the answer stands as it was
    return said.model_copy(update={"topic": answer.topic, "confidence": answer.confidence})
