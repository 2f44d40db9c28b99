"""A pack made searchable: every fact as a passage tagged with topics, and its names as aliases."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
from rank_bm25 import BM25Okapi

from knowledge.asks import Ask, answers
from knowledge.glossary import other_names
from knowledge.models import Level, Pack, Review, Source, Supplement, Topic
from knowledge.text import normalise, tokens

QUOTE_PREFIX = 48  # characters of a fact's normalised text that show an answer quotes it
GLOSS_SHARE = 0.3
_REMEMBERED_QUOTES = 256  # answers whose quoted passages are remembered
_REMEMBERED_SCORES = 64  # how much the other words of a multi-word term add to its best-matching word

EntityKind = Literal["level", "pathway", "competency", "supplement", "framework"]
_RENAMED = {"level", "pathway", "supplement"}  # what a worker may call by another of the glossary's names


@dataclass(frozen=True)
class Passage:
    """One answerable piece of a policy, with where it comes from."""

    text: str
    source: Source
    topics: frozenset[Topic]
    tags: frozenset[str] = frozenset()  # ids of levels, pathways, frameworks... it is about
    keywords: str = ""
    kind: str = "rule"  # "fact" for the pack's free-standing facts, else what structured part it comes from
    declared: frozenset[Ask] = frozenset()  # asks it answers by its kind or the pack's say-so
    # Asks it records the document does not answer (models.RecordsSilence): it never gives those.
    silent: frozenset[Ask] = frozenset()


@dataclass(frozen=True)
class Mention:
    kind: EntityKind
    id: str
    start: int
    end: int


@dataclass
class PackIndex:
    pack: Pack
    passages: list[Passage] = field(default_factory=list)
    aliases: list[tuple[re.Pattern[str], EntityKind, str]] = field(default_factory=list)
    corpus: str = ""  # every passage's text, normalised: what the document mentions at all
    words: list[frozenset[str]] = field(
        default_factory=list
    )  # each passage's stemmed words, text and keywords
    gives: list[frozenset[Ask]] = field(default_factory=list)  # each passage's asks: declared or in its words
    starts: list[str] = field(
        default_factory=list
    )  # each passage's first words, normalised: an answer quotes it
    vocabulary: frozenset[str] = frozenset()  # every stemmed word of the passages
    _bm25: BM25Okapi | None = None
    _scored: dict[tuple[tuple[str, ...], ...], list[float]] = field(default_factory=dict)
    _quotes: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, pack: Pack) -> PackIndex:
        index = cls(pack, passages=list(_passages(pack)), aliases=_aliases(pack))
        index.corpus = " ".join(normalise(p.text) for p in index.passages)
        corpus = [tokens(normalise(f"{p.text} {p.keywords}")) or ["_"] for p in index.passages]
        index.words = [frozenset(c) for c in corpus]
        index.gives = [(p.declared | answers(p.text)) - p.silent for p in index.passages]
        index.starts = [normalise(p.text)[:QUOTE_PREFIX] for p in index.passages]
        index.vocabulary = frozenset().union(*index.words)
        index._bm25 = BM25Okapi(corpus) if corpus else None
        return index

    def scores(self, terms: list[tuple[str, ...]]) -> list[float]:
        """BM25 of each passage for the question's terms; a term with several words (an abbreviation and
        its gloss) scores as its best word plus a share of the others. (Every producer asks for the same
        question's scores: the last few are remembered.)"""
        key = tuple(terms)
        found = self._scored.get(key)
        if found is None:
            found = self._scores(terms)
            if len(self._scored) >= _REMEMBERED_SCORES:
                self._scored.clear()
            self._scored[key] = found
        return found

    def _scores(self, terms: list[tuple[str, ...]]) -> list[float]:
        if self._bm25 is None or not terms:
            return [0.0] * len(self.passages)
        bm25 = self._bm25
        per_word = {word: bm25.get_scores([word]) for term in terms for word in term}
        total = np.zeros(len(self.passages))
        for term in terms:
            scored = np.array([per_word[word] for word in term])
            best = scored.max(axis=0)
            total += best + GLOSS_SHARE * (scored.sum(axis=0) - best)
        return [float(s) for s in total]

    def idf(self, word: str) -> float:
        """How much a (stemmed) word singles out the facts that use it: 0 for a word no fact uses."""
        if self._bm25 is None:
            return 0.0
        return float(self._bm25.idf.get(word, 0.0))

    def mentions(self, text: str) -> list[Mention]:
        """Names of this pack's levels, pathways, competencies... found in the text, longest first."""
        found: list[Mention] = []
        taken: list[tuple[int, int]] = []
        for pattern, kind, ident in self.aliases:
            for match in pattern.finditer(text):
                span = match.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                found.append(Mention(kind, ident, *span))
        return sorted(found, key=lambda m: m.start)

    @cached_property
    def renamed(self) -> tuple[tuple[re.Pattern[str], EntityKind, str], ...]:
        """The glossary's other names for this pack's levels, pathways and supplements ("consultant social
        worker" where an advanced practitioner is one), with what each names: found once, from the names."""
        found: dict[str, tuple[re.Pattern[str], EntityKind, str]] = {}
        for name, kind, ident in _names(self.pack):
            if kind in _RENAMED:
                for pattern in other_names(normalise(name)):
                    found.setdefault(pattern.pattern, (pattern, kind, ident))
        return tuple(found.values())

    def quoted(self, normalised: str) -> list[int]:
        """The passages a (normalised) text, an answer, quotes: whole or from their first words. (The scoring
        and the checks ask it of the same few answers: the last ones are remembered.)"""
        found = self._quotes.get(normalised)
        if found is None:
            if len(self._quotes) >= _REMEMBERED_QUOTES:
                self._quotes.clear()
            found = self._quotes[normalised] = [
                i for i, start in enumerate(self.starts) if start in normalised
            ]
        return found

    @cached_property
    def level_ids(self) -> frozenset[str]:
        return frozenset(level.id for level in self.pack.levels)

    @cached_property
    def grade_level_of(self) -> dict[str, str]:
        """Each level's grade, where the pack also has that grade as a level of its own (BCC's "bg10", named
        by the grade's label): the level that stands for the whole grade."""
        named_by_grade = {
            normalise(level.grade): level.id
            for level in self.pack.levels
            if level.grade and normalise(level.grade) in {normalise(a) for a in level.aliases}
        }
        return {
            level.id: grade_id
            for level in self.pack.levels
            if level.grade
            and (grade_id := named_by_grade.get(normalise(level.grade))) not in (None, level.id)
        }

    @cached_property
    def uses(self) -> dict[str, int]:
        """How many passages use each (stemmed) word: the same for every question, so counted once."""
        return dict(Counter(word for words in self.words for word in words))

    def with_topic(self, topic: Topic) -> list[int]:
        return list(self._by_topic.get(topic, ()))

    @cached_property
    def _by_topic(self) -> dict[Topic, tuple[int, ...]]:
        """The passages of each topic, in order: asked for several times a question (by topics, by the
        topics the pack lacks, in judging), so found once."""
        found: dict[Topic, list[int]] = {}
        for i, passage in enumerate(self.passages):
            for topic in passage.topics:
                found.setdefault(topic, []).append(i)
        return {topic: tuple(indices) for topic, indices in found.items()}


def _names(pack: Pack) -> list[tuple[str, EntityKind, str]]:
    """Every name of the pack's levels, pathways, competencies, supplements and frameworks."""
    names: list[tuple[str, EntityKind, str]] = []
    for level in pack.levels:
        names += [(n, "level", level.id) for n in (level.name, *level.aliases, level.grade or "")]
    for pathway in pack.pathways:
        names += [(n, "pathway", pathway.id) for n in (pathway.name, *pathway.aliases)]
    for comp in pack.competencies:
        names += [(n, "competency", comp.id) for n in (comp.name, *comp.aliases)]
    for supplement in pack.supplements:
        names += [(n, "supplement", supplement.id) for n in (supplement.name, *supplement.aliases)]
    for framework in pack.frameworks:
        names += [(n, "framework", framework.id) for n in (framework.name, *framework.aliases)]
    return names


def _aliases(pack: Pack) -> list[tuple[re.Pattern[str], EntityKind, str]]:
    names = _names(pack)
    seen: set[tuple[str, str]] = set()
    compiled = []
    for name, kind, ident in sorted(names, key=lambda n: -len(normalise(n[0]))):
        phrase = normalise(name)
        if len(phrase) < 2 or (phrase, kind) in seen:
            continue
        seen.add((phrase, kind))
        compiled.append((re.compile(rf"(?<![\w£]){_plural_free(phrase)}(?![\w])"), kind, ident))
    return compiled


def _plural_free(phrase: str) -> str:
    """A name as a pattern that also matches its singular or plural ("assessments", "assessment", "H9s")."""
    if phrase[-1].isdigit():
        return re.escape(phrase) + "s?"  # "what do H9s get paid"
    if len(phrase) < 4 or not phrase[-1].isalpha():
        return re.escape(phrase)
    if phrase.endswith("s") and not phrase.endswith("ss"):
        return re.escape(phrase[:-1]) + "s?"
    return re.escape(phrase) + "s?"


def _passages(pack: Pack) -> list[Passage]:
    out: list[Passage] = []
    for level in pack.levels:
        tags = frozenset({level.id, level.framework or ""} - {""})
        if level.summary:
            summary = f"{level.name}: {level.summary}"
            silent = frozenset(level.silent_on)
            out.append(Passage(summary, level.source, frozenset({Topic.overview}), tags, silent=silent))
        if level.pay:
            pay = Passage(pay_text(level), level.pay.source, frozenset({Topic.pay}), tags, kind="pay",
                          declared=frozenset({Ask.amount, Ask.money}))  # fmt: skip
            out.append(pay)
        for req in level.requirements:
            topics = {Topic.requirements} | _requirement_topics(req.kind)
            gives = frozenset({Ask.duration, Ask.when}) if req.kind == "service_length" else frozenset()
            silent = frozenset(req.silent_on)
            out.append(
                Passage(
                    req.text, req.source, frozenset(topics), tags, req.kind, declared=gives, silent=silent
                )
            )
    names = {level.id: level.name for level in pack.levels}
    for comp in pack.competencies:
        for level_id, expected in comp.descriptors.items():
            out.append(
                Passage(
                    f"{comp.name} at {names[level_id]}: {'; '.join(expected)}.",
                    comp.source,
                    frozenset({Topic.competencies}),
                    frozenset({level_id, comp.id}),
                    " ".join([comp.group, *comp.aliases]),
                    kind="descriptor",
                )
            )
    for pathway in pack.pathways:
        tags = frozenset({pathway.id, pathway.framework or ""} - {""})
        out.append(
            Passage(
                pathway.summary,
                pathway.source,
                frozenset({Topic.pathways}),
                tags,
                pathway.name,
                declared=frozenset({Ask.how}),
            )
        )
        for stage in pathway.stages:
            text = stage.text + (f" Modules: {'; '.join(stage.modules)}." if stage.modules else "")
            stage_topics = frozenset({Topic.pathways, Topic.training})
            out.append(
                Passage(
                    text,
                    stage.source,
                    stage_topics,
                    tags | {stage.level},
                    pathway.name,
                    declared=frozenset({Ask.how}),
                )
            )
    for training in pack.training:
        tags = frozenset({training.framework or "", training.stage} - {""})
        label = f"{training.name}: " + "; ".join(training.items) + "."
        topics = {Topic.training} | ({Topic.induction} if "induction" in training.stage.lower() else set())
        topics |= {Topic.cpd} if training.stage.lower() == "ongoing" else set()  # ongoing training is CPD
        out.append(Passage(label, training.source, frozenset(topics), tags, training.stage))
    out += _process_passages(pack)
    for supplement in pack.supplements:
        out.append(
            Passage(
                supplement_text(supplement),
                supplement.source,
                frozenset({Topic.supplements}),
                frozenset(supplement.roles),
                " ".join(supplement.aliases),
                declared=frozenset({Ask.amount, Ask.money, Ask.who}),
            )
        )
    for fact in pack.facts:
        out.append(
            Passage(
                fact.text,
                fact.source,
                frozenset(fact.topics),
                frozenset(fact.applies_to),
                " ".join(fact.keywords),
                kind="fact",
                declared=frozenset(fact.answers).union(*(TOPIC_ASKS.get(t, ()) for t in fact.topics)),
                silent=frozenset(fact.silent_on),
            )
        )
    return out


def _process_passages(pack: Pack) -> list[Passage]:
    process = pack.process
    out: list[Passage] = []
    if process.steps:
        steps = " ".join(f"{i}. {s.text}" for i, s in enumerate(process.steps, 1))
        out.append(
            Passage(
                steps,
                process.steps[0].source,
                frozenset({Topic.apply}),
                kind="steps",
                declared=frozenset({Ask.how}),
            )
        )
    if process.evidence:
        evidence = process.evidence
        gives = {Ask.how} | ({Ask.amount, Ask.number} if evidence.examples_per_competency else set())
        out.append(
            Passage(
                evidence.text,
                evidence.source,
                frozenset({Topic.evidence}),
                kind="evidence",
                declared=frozenset(gives),
                silent=frozenset(evidence.silent_on),
            )
        )
    for signoff in process.signoff:
        out.append(
            Passage(
                signoff.text,
                signoff.source,
                frozenset({Topic.signoff}),
                keywords=signoff.stage,
                declared=frozenset({Ask.who, Ask.how}),
            )
        )
    for form in process.forms:
        out.append(
            Passage(f"{form.name}: {form.text}", form.source, frozenset({Topic.forms}), keywords=form.name)
        )
    if process.backdating:
        out.append(
            Passage(
                process.backdating.text,
                process.backdating.source,
                frozenset({Topic.backdating}),
                declared=frozenset({Ask.backdated, Ask.when}),
            )
        )
    if process.not_approved and process.not_approved_source:
        out.append(
            Passage(
                process.not_approved,
                process.not_approved_source,
                frozenset({Topic.not_approved}),
                # (What it is about, in the words an asker puts it: "I haven't met the criteria", "turned down".)
                keywords="not approved not agreed not endorsed not met the criteria turned down",
                declared=frozenset({Ask.what_if}),
            )
        )
    if process.review:
        review = process.review
        out.append(
            Passage(
                review.text,
                review.source,
                frozenset({Topic.review}),
                keywords=f"{review.name} appeal",
                declared=frozenset(_review_asks(review)),
            )
        )
    if process.panel:
        panel = process.panel
        out.append(Passage(panel.text, panel.source, frozenset({Topic.panel}), keywords=panel.name))
        if panel.members:
            members = f"Who sits on the {panel.name}: {panel.members.rstrip('.')}."
            out.append(Passage(members, panel.source, frozenset({Topic.panel}), keywords="who sits members"))
        if panel.feedback_by:
            feedback = f"Feedback after the {panel.name}: {panel.feedback_by.rstrip('.')}."
            out.append(Passage(feedback, panel.source, frozenset({Topic.panel}), keywords="feedback"))
        if panel.not_yet:
            topics = frozenset({Topic.panel, Topic.not_approved})
            out.append(Passage(panel.not_yet, panel.source, topics, keywords="not yet further work plan"))
    return out


# Asks a free-standing fact answers by default, by its topics (a pack can declare more on the fact).
TOPIC_ASKS: dict[Topic, frozenset[Ask]] = {
    Topic.clawback: frozenset({Ask.repay}),
    Topic.backdating: frozenset({Ask.backdated}),
    Topic.signoff: frozenset({Ask.who}),
    Topic.not_approved: frozenset({Ask.what_if}),
    Topic.review: frozenset({Ask.what_if, Ask.how}),
    Topic.apply: frozenset({Ask.how}),
}


def _review_asks(review: Review) -> set[Ask]:
    asks = {Ask.what_if, Ask.how}
    asks |= {Ask.duration, Ask.when} if review.window_working_days or review.response_working_days else set()
    return asks | ({Ask.who} if review.to else set())


def _requirement_topics(kind: str) -> set[Topic]:
    return {
        "service_length": {Topic.eligibility},
        "induction": {Topic.eligibility, Topic.induction},
        "portfolio": {Topic.evidence},
        "competency_evidence": {Topic.evidence},
        "training": {Topic.training},
        "qualification": {Topic.training},
        "panel": {Topic.panel},
        "vacancy": {Topic.vacancy},
    }.get(kind, set())


def pay_text(level: Level) -> str:
    """A level's pay in one line: its spinal points and what each pays, or its range."""
    assert level.pay is not None
    pay = level.pay
    if pay.points:
        points = sorted(pay.points, key=lambda p: p.point)
        detail = ", ".join(f"point {p.point} £{p.salary:,}" for p in points)
        # (How many there are is said, not left to be counted: "how many points are there in level 2?")
        count = f"{len(points)} spinal points, " if len(points) > 1 else "spinal point "
        span = f"{points[0].point}–{points[-1].point}" if len(points) > 1 else f"{points[0].point}"
        return f"{level.name}: {count}{span}, {detail}."
    return f"{level.name}: £{pay.low:,} to £{pay.high:,} a year."


def supplement_headline(s: Supplement) -> str:
    status = {"current": "", "being_removed": " It is being removed.", "removed": " It has been removed."}[
        s.status
    ]
    return f"{s.name}: £{s.amount:,} for {s.who.rstrip('.')}.{status}"


def supplement_text(s: Supplement) -> str:
    conditions = "".join(f" {c.strip().rstrip('.')}." for c in s.conditions)
    return supplement_headline(s) + conditions
