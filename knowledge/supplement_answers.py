"""Answers about supplements, honoraria and allowances: which ones the question is about, by name, kind,
the service the worker describes and the roles it names."""

from __future__ import annotations

import re

from knowledge.asks import Ask, answers
from knowledge.index import PackIndex, Passage, supplement_headline
from knowledge.models import Pack, Supplement, Topic
from knowledge.replies import Answer, compose, join_list, not_stated, sentence
from knowledge.retrieval import ranked, topic_facts
from knowledge.text import normalise, tokens
from knowledge.understand import Question
from knowledge.windows import as_said


def supplements(index: PackIndex, question: Question, topic: Topic) -> Answer:
    pack = index.pack
    if not pack.supplements:
        return topic_facts(index, question, topic)
    asked_kinds = {kind for kind, pattern in _KIND_WORDS.items() if pattern.search(question.text)}
    if (
        asked_kinds
        and not question.ids("supplement")
        and not any(s.kind in asked_kinds for s in pack.supplements)
    ):
        return not_stated(pack, topic, join_list([_KIND_NAMES[k] for k in sorted(asked_kinds)]))
    chosen = _supplements_for(pack, question)
    if not chosen:
        return not_stated(pack, topic, "a supplement for that situation")
    shown = chosen[:4]
    lines = [line for s in shown if (line := not_yet(question, s))]
    lines += [supplement_headline(s) for s in shown]
    related = _related_supplement_fact(index, question, {s.amount for s in shown})
    lines += [p.text for p in related]
    conditions: list[str] = []
    for supplement in shown:
        conditions += [sentence(c) for c in supplement.conditions if sentence(c) not in conditions]
    # A condition that gives what was asked ("how is it paid": "in two instalments"), or every condition when
    # asked what it depends on, is the answer: said first.
    # (A sum asked for is the headline's: a condition naming one is no better answer.)
    asked = set(question.asks) - {Ask.amount, Ask.money, Ask.number}
    leading = [c for c in conditions if Ask.condition in asked or asked & answers(c)]
    lines = [
        *leading,
        *(ln for ln in lines if ln not in leading),
        *(c for c in conditions if c not in leading),
    ]
    return compose(pack, lines, [*(s.source for s in shown), *(p.source for p in related)], topic)


_KIND_WORDS = {
    "honorarium": re.compile(r"\bhonorari"),
    "market_supplement": re.compile(r"\bsupplements?\b|\bmarket\b"),
    "allowance": re.compile(r"\ballowances?\b"),
}


_KIND_NAMES = {
    "honorarium": "an honorarium",
    "market_supplement": "a market supplement",
    "allowance": "an allowance",
}


def _supplements_for(pack: Pack, question: Question) -> list[Supplement]:
    """The supplements the question is about: named ones, else those of the kind asked for, narrowed by the
    service the worker describes and then by the roles the question shares words with."""
    named = question.ids("supplement")
    kinds = {kind for kind, pattern in _KIND_WORDS.items() if pattern.search(question.text)}
    of_kind = [s for s in pack.supplements if s.kind in kinds] or list(pack.supplements)
    pool = [s for s in pack.supplements if s.id in named] or of_kind
    service = [d for d in question.durations if d.basis != "any" or question.personal]
    if service and any(s.min_years is not None or s.max_years is not None for s in pool):
        met = _by_service(pool, service[0].years)
        # A supplement named whose service the asker has not reached yet stays the one answered ("not yet"),
        # rather than another one their service would meet.
        short = [s for s in pool if s.id in named and s.min_years and service[0].years < s.min_years]
        pool = met or short or ([] if not named else _by_service(of_kind, service[0].years))
    asked = set(index_tokens(question.text))
    scored = [(len(asked & set(index_tokens(f"{s.who} {' '.join(s.roles + s.aliases)}"))), s) for s in pool]
    best = max((score for score, _ in scored), default=0)
    if best > 0 and len(pool) > 1:
        pool = [s for score, s in scored if score == best]
    return pool


def asker_service(question: Question) -> float | None:
    """The service the asker gives for themselves, in years."""
    service = [d for d in question.durations if d.basis != "any" or question.personal]
    return service[0].years if service else None


def not_yet(question: Question, supplement: Supplement) -> str | None:
    """ "Not yet" where the asker's own service is short of the supplement's, with how much longer to go."""
    years = asker_service(question)
    if years is None or not supplement.min_years or years >= supplement.min_years:
        return None
    needed = as_said(supplement.min_years)
    return (
        f"Not yet: the {supplement.name} needs {needed} service, and you say {as_said(years)}; "
        f"that is another {as_said(supplement.min_years - years)}."
    )


def _by_service(supplements: list[Supplement], years: float) -> list[Supplement]:
    return [
        s
        for s in supplements
        if (s.min_years is not None or s.max_years is not None)
        and (s.min_years or 0) <= years
        and (s.max_years is None or years < s.max_years)
    ]


def _related_supplement_fact(index: PackIndex, question: Question, amounts: set[int]) -> list[Passage]:
    """The policy's other words on supplements that best answer what else is asked ("why", "comparable"),
    never one quoting an amount other than those being shown."""
    asked = set(index_tokens(question.text))
    facts = [
        i
        for i in index.with_topic(Topic.supplements)
        if index.passages[i].kind == "fact"
        and {int(a.replace(",", "")) for a in re.findall(r"£([\d,]+)", index.passages[i].text)} <= amounts
    ]
    for passage in ranked(index, question, facts):
        if asked & set(index_tokens(f"{passage.text} {passage.keywords}")):
            return [passage]
    return []


_GENERIC_WORDS = {
    "market", "supplement", "social", "worker", "qualifi", "pay", "paid", "payment", "year", "servic", "get",
    "one", "go", "amount", "receiv", "entitl", "honorarium", "allow", "forc", "work",
}  # fmt: skip


def index_tokens(text: str) -> list[str]:
    return [t for t in tokens(normalise(text)) if t not in _GENERIC_WORDS and not t.isdigit()]
