"""One glossary of UK social-work terms, shared by every pack: each concept with the words people and
documents use for it. A question in one council's words finds a fact in another's ("ASYE" finds "newly
qualified"); the answer quotes the fact, so it keeps the document's own term. A new council needs no new
synonyms in code: its document's words for a concept are already here, or are added here once for all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache
from types import MappingProxyType

from knowledge.text import normalise, stem, words

CONCEPTS: tuple[tuple[str, ...], ...] = (
    ("newly qualified", "asye", "nqsw", "assessed and supported year in employment", "first year in practice",
     "just qualified", "recently qualified"),
    ("review", "appeal", "challenge the decision", "dispute the decision"),
    ("progression", "promotion", "promoted", "moving up", "step up", "career progression"),
    ("post qualifying", "pq", "post qualification", "post qualifying training", "pq training"),
    ("advanced practitioner", "advanced social worker"),
    ("senior practitioner", "senior social worker"),
    ("attendance", "sickness record", "absence record", "time off sick"),
    ("practice educator", "practice teacher", "practice teaching", "peps"),
    ("portfolio", "evidence file"),
    ("increment", "yearly increment", "annual increment", "annual salary progression", "pay progression"),
    ("secondary employment", "second job", "agency shifts", "locum work", "another job"),
    ("repayment agreement", "clawback", "pay back", "refund"),
    ("market supplement", "market force supplement", "market related supplement", "recruitment and retention payment"),
    ("caseload", "number of cases", "case load"),
    ("probation", "probationary period", "probation period"),
    ("continuing professional development", "cpd", "professional development", "learning and development"),
    ("professional assistant", "unqualified worker", "support worker"),
)  # fmt: skip


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    compiled = []
    for concept in CONCEPTS:
        phrases = tuple(normalise(p) for p in concept)
        for phrase in phrases:
            compiled.append((re.compile(rf"\b{re.escape(phrase)}\b"), phrases))
    return tuple(compiled)


@lru_cache(maxsize=16384)
def _uses(corpus: str, pattern: str) -> bool:
    """Whether a pack's text uses a phrase: asked again for every question, so remembered."""
    return re.search(pattern, corpus) is not None


def related_terms(text: str, corpus: str) -> list[tuple[str, ...]]:
    """For each concept the (normalised) question names in words this pack's document does not use, the
    names the document does use,
    as one retrieval term of stemmed words (weighed once, like an abbreviation with its gloss)."""
    terms: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for pattern, phrases in _patterns():
        if phrases in seen or not pattern.search(text) or _uses(corpus, pattern.pattern):
            continue  # the document uses the asker's own word: nothing to translate
        seen.add(phrases)
        others = [p for p in phrases if p not in text and _uses(corpus, rf"\b{re.escape(p)}\b")]
        stems = tuple(dict.fromkeys(stem(w) for p in others for w in words(p)))
        if stems:
            terms.append(stems)
    return terms


@lru_cache(maxsize=4096)
def concept_alternatives(text: str) -> Mapping[str, frozenset[str]]:
    """For each stemmed word of a glossary phrase the (normalised) text uses, the stems of every name of
    that concept: saying any of them says the word ("asye" is said by "newly qualified")."""
    found: dict[str, set[str]] = {}
    for pattern, phrases in _patterns():
        if not pattern.search(text):
            continue
        named = {stem(w) for p in phrases for w in words(p)}
        for phrase in (p for p in phrases if pattern.pattern == rf"\b{re.escape(p)}\b"):
            for w in words(phrase):
                found.setdefault(stem(w), set()).update(named)
    return MappingProxyType({word: frozenset(stems) for word, stems in found.items()})
