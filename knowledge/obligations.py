"""Asked whether something is compulsory, an answer that quotes the policy calling it desirable says no first,
then what the level does require.

"Do I have to have X for level 2?" answered by "X is desirable." leaves the asker to read the no out of it,
and to wonder what is required instead. The answer then leads with the no, in the requirement's own words,
and follows with the level's essential requirements (the rule the asker really has to meet). Both come from
the level's requirements in the pack: whether one is essential is the pack's record of the document.
"""

from __future__ import annotations

import re

from knowledge.index import PackIndex
from knowledge.models import Level, Requirement, Source
from knowledge.replies import Answer, compose, sentence
from knowledge.retrieval import unnamed_tokens
from knowledge.text import normalise, tokens
from knowledge.understand import Question

# Asking whether something must be had or done, as a yes or no ("do I have to", "is it compulsory").
_OBLIGED = re.compile(
    r"\b(compulsory|mandatory|essential|obligatory|required|a requirement|a must|have to|has to|need to have"
    r"|must i|must you|must have|need it|needed)\b"
)
# A question that asks what, which or how is no yes or no ("what do I need to have for level 3").
_OPEN = re.compile(r"^\s*(what|what's|whats|which|how|when|where|who|why)\b")
ESSENTIALS = 2  # of the level's essential requirements, said after the no


def with_what_is_required(index: PackIndex, question: Question, answer: Answer) -> Answer:
    """The answer led by "No, not essential" where the question asks whether something is compulsory and
    what it is asked about, of all the requirements the answer quotes, is one the policy calls desirable."""
    if not answer.answered or not _OBLIGED.search(question.text) or _OPEN.search(question.text):
        return answer
    quoted = quoted_requirements(index, answer)
    if not quoted:
        return answer
    # (A level's name says which level, not what of it; an abbreviation and its gloss weigh as one term.)
    unnamed = set(unnamed_tokens(index, question))
    asked = [t for t in question.terms if set(t) & unnamed]
    overlap = {id(r): _weight(index, asked, r) for _, r in quoted}
    desirable = [(lv, r) for lv, r in quoted if not r.essential and overlap[id(r)] > 0]
    essential_best = max((overlap[id(r)] for _, r in quoted if r.essential), default=0.0)
    if not desirable or essential_best > max(overlap[id(r)] for _, r in desirable):
        # What is asked about is a requirement (or nothing singles out a desirable one). On a tie the
        # desirable one stands: it is the document's rule about the thing itself, where an essential one
        # only names it by the way ("self development ... e.g. PQ training"), and is still said below.
        return answer
    level = desirable[0][0]
    required = [r for r in level.requirements if r.essential][:ESSENTIALS]
    said = " ".join(sentence(r.text) for _, r in desirable)
    lines = [f"No, it isn't essential: {said}"]
    lines += (
        [f"What {level.name} does require: " + " ".join(sentence(r.text) for r in required)]
        if required
        else []
    )
    body = [ln for ln in answer.text.split("\n") if ln and not ln.startswith("Source:")]
    used = {normalise(r.text) for _, r in desirable} | {normalise(r.text) for r in required}
    lines += [ln for ln in body if normalise(ln).rstrip(" .") not in {u.rstrip(" .") for u in used}]
    sources = [r.source for _, r in desirable] + [r.source for r in required]
    sources += [Source(document=c.document, section=c.section) for c in answer.sources]
    return compose(index.pack, lines, sources, None, confidence=answer.confidence).model_copy(
        update={"topic": answer.topic}
    )


def quoted_requirements(index: PackIndex, answer: Answer) -> list[tuple[Level, Requirement]]:
    """The levels' requirements whose words the answer quotes (each once, with its level)."""
    plain = normalise(answer.text)
    found: list[tuple[Level, Requirement]] = []
    for level in index.pack.levels:
        for requirement in level.requirements:
            text = normalise(requirement.text).rstrip(" .")
            if text and text in plain and all(r.text != requirement.text for _, r in found):
                found.append((level, requirement))
    return found


def _weight(index: PackIndex, asked: list[tuple[str, ...]], requirement: Requirement) -> float:
    """How much of what the question asks about the requirement's words say, each term weighed by rarity
    ("PQ" and "post qualification" are the same term, however the requirement spells it)."""
    said = set(tokens(normalise(requirement.text)))
    return sum(max(index.idf(w) for w in term) for term in dict.fromkeys(asked) if said.intersection(term))


# "can X count instead of Y", "would X do rather than Y": X is offered as one way of meeting a rule.
_OFFERED = re.compile(
    r"^(?:can|could|will|would|does|do|is|are|may)\s+(?P<offered>.+?)\s+(?:count|counts|do|be accepted|qualify"
    r"|work)\b.*\b(?:instead|rather than|in place of|as well as|or)\b"
)
_ALTERNATIVES = re.compile(r"\bone of:\s*(?P<items>[^\n]+)", re.I)
_ITEM_SPLIT = re.compile(r";\s*(?:or\s+)?|,?\s+or\s+", re.I)  # any council's items: no names of its awards


def with_the_option_said(index: PackIndex, question: Question, answer: Answer) -> Answer:
    """Asked whether something counts instead of something else, where the answer's rule gives several ways
    of meeting it ("One of: ...; ...; or PEPS stage 1") and the thing offered is one of them, the answer leads
    with the yes, naming it as the policy's own option."""
    if not answer.answered:
        return answer
    offered = _OFFERED.search(question.text)
    rule = _ALTERNATIVES.search(answer.text)
    if offered is None or rule is None:
        return answer
    asked = set(tokens(offered.group("offered")))  # (glossed: "PEPS 1" is "peps ... stage 1")
    items = [i.strip(" .;") for i in _ITEM_SPLIT.split(rule.group("items")) if i.strip(" .;")]
    matched = [i for i in items if _same_thing(asked, set(tokens(normalise(i))))]
    if len(matched) != 1 or len(items) < 2:
        return answer  # (the thing offered is not one of the rule's ways, or the words don't say which)
    line = f"Yes: {matched[0]} is one of the ways the policy gives of meeting it."
    return answer.model_copy(update={"text": f"{line}\n{answer.text}"})


def _same_thing(asked: set[str], item: set[str]) -> bool:
    """The words offered name the rule's item: one's words within the other's, more than a number shared."""
    shared = {w for w in asked & item if not w.isdigit()}
    return bool(shared) and (item <= asked or asked <= item)
