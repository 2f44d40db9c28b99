"""Which of a pack's facts answer no kind of question: neither declared, nor given by their kind, nor plain
from their words. Such a fact can never be chosen for what someone asks, so `pathway policy check` reports it
(declare what it answers with `answers: [...]`, see knowledge.asks.Ask)."""

from __future__ import annotations

from knowledge.asks import Ask
from knowledge.index import PackIndex
from knowledge.models import Pack


def facts_answering_nothing(pack: Pack) -> list[str]:
    index = PackIndex.build(pack)
    return [
        f"facts.{fact.id}: answers no kind of question; declare `answers:` (one of {_ASK_NAMES})"
        for fact, gives in zip(pack.facts, _fact_gives(index), strict=True)
        if not gives
    ]


def _fact_gives(index: PackIndex) -> list[frozenset[str]]:
    return [frozenset(g) for p, g in zip(index.passages, index.gives, strict=True) if p.kind == "fact"]


_ASK_NAMES = ", ".join(sorted(Ask))
