"""A level's requirement quoted to someone it names goes with the level's other requirements of them.

"Can I apply for level 2 as soon as my induction's done?" from a newly qualified worker is answered by Medway's
"Newly qualified social workers must have completed the Council's induction programme before applying", and
the same list goes on: "Most newly qualified social workers are expected to have completed at least one
year's service with the Council before applying." Said alone, the first reads as the only condition. So where
an answer quotes a requirement that names someone the question names too, the level's other requirements
naming them follow it, in the pack's order: all of it is the pack's record of the document.
"""

from __future__ import annotations

from knowledge.index import PackIndex
from knowledge.models import Source
from knowledge.obligations import quoted_requirements
from knowledge.replies import Answer, compose
from knowledge.retrieval import NEUTRAL
from knowledge.text import GENERAL, normalise, tokens
from knowledge.understand import Question

MAX_ADDED = 2
NEW_WORDS = 4  # a requirement adding fewer words than this to the answer says nothing new
MIN_SHARED = 2  # of the words naming who the requirement is said of ("newly qualified")


def with_the_same_subjects_requirements(index: PackIndex, question: Question, answer: Answer) -> Answer:
    if not answer.answered or answer.clarify:
        return answer
    # (Not the levels it names, "H8 to H9": which level, not who)
    levels = {w for m in question.mentions for w in tokens(question.text[m.start : m.end])}
    asked = set(tokens(question.text)) - GENERAL - NEUTRAL - levels
    body = [ln for ln in answer.text.split("\n") if ln and not ln.startswith("Source:")]
    plain = normalise(answer.text)
    said = set(tokens(plain))
    added: list[str] = []
    sources: list[Source] = []
    for level, quoted in quoted_requirements(index, answer):
        # Who the requirement is said of, as the question names them: its words the question shares that only
        # a few of the level's requirements use ("newly qualified", not "social worker" or "level").
        words = {r.text: set(tokens(normalise(r.text))) for r in level.requirements}
        few = {w for w in words[quoted.text] if sum(w in ws for ws in words.values()) <= 2}
        named = few & asked
        if not named:
            continue
        for other in level.requirements:
            if (
                other is quoted
                or len(named & words[other.text]) < MIN_SHARED
                or normalise(other.text).rstrip(" .") in plain
            ):
                continue
            if len(words[other.text] - said) < NEW_WORDS:
                continue  # (the answer says it already, in other words)
            if other.text not in added and len(added) < MAX_ADDED:
                added.append(other.text)
                sources.append(other.source)
    if not added:
        return answer
    cited = [*(Source(document=c.document, section=c.section) for c in answer.sources), *sources]
    return compose(index.pack, [*body, *added], cited, None, confidence=answer.confidence).model_copy(
        update={"topic": answer.topic}
    )
