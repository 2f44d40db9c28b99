"""How well a candidate answers the question: the ask (the kind of answer wanted) about the subject.

The question is read once (`Reading`): what it asks for (knowledge.asks: a figure, a person, a time, a list,
the steps...), what it names (levels, pathways, competencies, supplements; not the level the asker says
they are on, when they ask about another), the spinal points and service it gives, the topics its asking
clause points to, and its other words weighed by how rarely the pack uses them. Each candidate is then
measured (`Fit`) by what its text and the facts it quotes give: the asks they answer (their own words and
the facts' declared `answers:`), what they are about (the facts' tags, the names they use), the words they
use, and how well its first line (the direct answer) matches. The score adds these up (`Weights`); a
decline is a candidate too, scored by how sure it is that the policy lacks what was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.asks import PROCESS_LENGTH, STRICT, Ask
from knowledge.fitting import asks_given
from knowledge.framework_answers import competency_groups_asked
from knowledge.index import PackIndex
from knowledge.models import Topic
from knowledge.proposals import ABSENT_TOPIC, CLEARLY_ASKED, NOTHING, UNCOVERED, UNKNOWN_SUBJECT, Candidate
from knowledge.replies import Answer
from knowledge.retrieval import NEUTRAL
from knowledge.text import GENERAL, normalise, stem, tokens, words
from knowledge.topics import CUES
from knowledge.understand import Question

# Words that say how something is asked, never what about ("what's expected", "what does it involve").
_HOW = (
    GENERAL | NEUTRAL | {stem(w) for w in ("expected", "involve", "include", "count", "consider", "regard")}
)
# A competency, pathway or supplement named singles out more of the policy than a level does.
_KIND_WEIGHT = {"level": 1.0, "framework": 1.0, "competency": 2.0, "pathway": 2.0, "supplement": 2.0}
_BROAD = {Topic.pay, Topic.requirements, Topic.overview, Topic.apply, Topic.training, Topic.eligibility}
GROUP = "group:"  # what is named, when it is a group of competencies (by the group's name)


@dataclass(frozen=True)
class Weights:
    """What each part of answering the question is worth (tuned on the development sets: docs/accuracy.md).
    A topic weighs by the evidence for it in the clause that asks; a broad topic (pay, requirements...)
    weighs less than a specific one."""

    topic: float = 3.0  # the topics the candidate answers for, as asked (full at topic_full evidence)
    topic_full: float = 5.0
    broad: float = 0.75
    weak_topic: float = 0.6  # ... and a weakly cued one (below CLEARLY_ASKED)
    unasked_topic: float = 0.5  # it answers for topics the question does not point to at all
    clear_topic: float = 1.0  # it answers for a topic the question clearly asks about (CLEARLY_ASKED)
    coverage: float = 1.0  # the question's words (weighed by rarity) in what the candidate says
    self_described: float = 0.25  # ... less the words the asker describes themselves with ("if I'm a PA")
    lead: float = 1.5  # ... in its first line, the direct answer
    relevance: float = 0.5  # its direct answer's fact, against the pack's best match for the words
    strict_missing: float = 1.0  # the share of the figure, person or time asked for that it does not give
    unanswered: float = 1.0  # it gives none of them
    soft: float = 0.5  # the list, steps, consequence or reason asked for
    named: float = 0.75  # the levels, pathways... asked about
    named_missing: float = 0.5
    points: float = 2.0  # the spinal points asked about
    points_missing: float = 6.0
    service: float = 2.0  # the service the asker gives
    service_missing: float = 1.5
    confidence: float = 0.6  # the producer's own confidence (a retrieval guess is less sure)
    unknown_subject: float = 6.0  # decline: the post, level or specialism is not in this policy
    uncovered: float = 5.0  # decline: the topic's facts share nothing else asked (less as the topic is clear)
    nothing: float = 0.75  # decline: nothing answers
    said_no: float = 1.0  # a producer's "doesn't say" about its own subject, against an answer on it
    failed_check: float = 0.5  # a candidate that fails judging: its decline ranks this much below it


WEIGHTS = Weights()


@dataclass(frozen=True)
class Reading:
    """What the question asks, read once for scoring every candidate."""

    question: Question
    strict: frozenset[Ask]  # a figure, a person, a time...: the answer must give it
    soft: frozenset[Ask]  # a list, the steps, what happens if, why
    named: dict[str, float]  # ids of the levels, pathways... asked about, each with its weight
    points: frozenset[int]
    points_asked: bool  # the points are what is asked about, not where the asker says they are
    terms: tuple[tuple[tuple[str, ...], float], ...]  # its other words, each weighed by rarity in the pack
    bm25: tuple[float, ...]
    cued: dict[Topic, frozenset[str]]  # the question's words that cue each topic
    service_given: bool  # the asker says how long they have served or been qualified
    of_process: bool  # "how long" asks the length of a process or a payment, not the service a rule needs


def read(index: PackIndex, question: Question) -> Reading:
    strict = frozenset(ask for ask in question.asks if ask in STRICT)
    current = {ref.id for ref in question.levels if ref.role == "current"}
    elsewhere = {ref.id for ref in question.levels if ref.role != "current"}
    context = current if elsewhere else set()  # "I'm level 2, what do I need for level 3?"
    named = {
        m.id: _KIND_WEIGHT[m.kind] for m in question.mentions if m.kind != "framework" and m.id not in context
    }
    # A group of competencies named by its whole name ("the core skills") is named as a competency is.
    named |= {GROUP + g: _KIND_WEIGHT["competency"] for g in competency_groups_asked(index.pack, question)}
    org = index.pack.organisation
    own = {stem(w) for w in words(normalise(f"{org.short_name} {org.name}"))}  # "at BCC" says nothing
    about_asker = _about_the_asker(question.text)
    weighed = [
        (
            _distinctive(index, t),
            max(index.idf(w) for w in t) * (WEIGHTS.self_described if set(t) <= about_asker else 1.0),
        )
        for t in _unnamed_terms(index, question)
        if not set(t) <= own
    ]
    # A word asks about a topic only where the topic is clearly asked ("interview" alone is no vacancy question).
    cued = {
        t: _cued(question, t) if question.topics.get(t, 0.0) >= CLEARLY_ASKED else frozenset() for t in Topic
    }
    return Reading(
        question=question,
        strict=strict,
        soft=frozenset(question.asks) - strict,
        named=named,
        points=frozenset(question.points),
        points_asked=not question.personal,  # "I'm on SCP 30, can I have a second job": where they are
        terms=tuple((term, weight) for term, weight in weighed if weight > 0),
        bm25=tuple(index.scores(question.terms)),
        cued=cued,
        service_given=any(d.basis != "any" for d in question.durations)
        or bool(question.durations and Topic.eligibility in question.topics),
        of_process=PROCESS_LENGTH.search(question.text) is not None,
    )


@dataclass(frozen=True)
class Fit:
    """What of the question a candidate answers, and what it leaves out."""

    asks_given: frozenset[Ask]
    asks_missing: frozenset[Ask]
    soft_share: float | None
    named_share: float | None
    points_share: float | None  # of the spinal points asked about
    service_share: float | None  # whether it speaks to the service the asker gave
    topic: float  # the evidence for the topics it answers for, in the clause that asks (0 to 1)
    unasked: bool  # its producer answers for topics the question has no word for
    clear: bool  # it answers for a topic the clause that asks clearly points to
    coverage: float  # the share of the question's words (weighed by rarity) it uses
    lead: float  # the same, of its first line alone (the direct answer)
    relevance: float  # how well its direct answer's fact matches the question's words, beside the best


def fit(index: PackIndex, reading: Reading, candidate: Candidate, weights: Weights) -> Fit:
    answer = candidate.answer
    body = "\n".join(line for line in answer.text.split("\n") if not line.startswith("Source:"))
    plain = normalise(body)
    quoted = index.quoted(plain)
    gives = asks_given(index, body, quoted, of_process=reading.of_process)
    about = set().union(*(index.passages[i].tags for i in quoted))
    named_covered = sum(
        w
        for n, w in reading.named.items()
        if n in about
        or _names(index, n, plain)
        or (n.startswith(GROUP) and normalise(n[len(GROUP) :]) in plain)
    )
    topics = set().union(*(index.passages[i].topics for i in quoted)) | candidate.topics
    topics |= {Topic(answer.topic)} if answer.topic else set()
    cued = frozenset().union(*(reading.cued[t] for t in topics))  # an answer on a topic speaks to its cues
    said = set(tokens(plain)).union(*(index.words[i] for i in quoted)) | cued
    lead = normalise(next((ln for ln in body.split("\n") if ln.strip() and not ln.endswith(":")), ""))
    lead_quotes = index.quoted(lead)
    lead_said = set(tokens(lead)).union(*(index.words[i] for i in lead_quotes)) | cued
    points = {p for p in reading.points if re.search(rf"\bpoint {p}\b|\bscp ?{p}\b", body.lower())}
    best = max(reading.bm25, default=0.0)
    return Fit(
        asks_given=frozenset(reading.strict & gives),
        asks_missing=frozenset(reading.strict - gives),
        soft_share=_share(len(reading.soft & gives), len(reading.soft)),
        named_share=_share(named_covered, sum(reading.named.values())),
        # (The asker's own point echoed is no answer to what they ask about it: "I'm on point 37: is the rise
        # backdated?" is not answered by what point 37 pays.)
        points_share=None
        if not reading.points_asked and reading.strict and not reading.strict & gives
        else _share(len(points), len(points) if not reading.points_asked else len(reading.points)),
        service_share=(1.0 if candidate.situation else 0.0) if reading.service_given else None,
        topic=_topic_share(reading.question, candidate, topics, weights),
        # (What a level is, its card, answers any question about the level that asks nothing more.)
        # (A supplement named asks about supplements, whatever other words are used.)
        unasked=bool(candidate.topics - {Topic.overview})
        and not candidate.topics & (set(reading.question.topics) | _named_topics(reading.question)),
        clear=any(
            reading.question.asked_topics.get(t, 0.0) >= CLEARLY_ASKED for t in _declared(candidate, topics)
        ),
        coverage=_coverage(reading, said),
        lead=_coverage(reading, lead_said),
        # (A line of its own making leads with the facts it quotes, or those of the section it cites first:
        # "Spinal point 39 pays £32,800" is the pay table's.)
        relevance=max(
            (reading.bm25[i] for i in lead_quotes or _first(index, plain, quoted, answer)), default=0.0
        )
        / best
        if best > 0
        else 0.0,
    )


_KIND_TOPIC = {"supplement": Topic.supplements}


def _named_topics(question: Question) -> set[Topic]:
    return {_KIND_TOPIC[m.kind] for m in question.mentions if m.kind in _KIND_TOPIC}


def score(index: PackIndex, reading: Reading, candidate: Candidate, weights: Weights | None = None) -> float:
    """How much of what was asked the candidate answers: its topic, the subject named, the words, the ask."""
    weights = weights or WEIGHTS
    if candidate.producer == "out_of_scope":
        return float("inf")  # outside career progression: nothing else is proposed
    found = fit(index, reading, candidate, weights)
    if candidate.declines:
        if candidate.producer in UNKNOWN_SUBJECT:
            return weights.unknown_subject
        if candidate.producer == ABSENT_TOPIC:  # the subject may be in the scene ("I do bank shifts, ...")
            return weights.unknown_subject * _anywhere(reading, candidate, weights)
        if candidate.producer == UNCOVERED:
            return weights.uncovered * (1 - found.topic)
        if candidate.producer == NOTHING:
            return weights.nothing
        # A producer's "the policy doesn't say" about the topic or level it answers for: as well as it
        # speaks to the subject, less what an answer would add.
        return _about(reading, found, weights) - weights.said_no
    total = _about(reading, found, weights)
    total -= weights.unanswered if found.asks_missing and not found.asks_given else 0.0
    total += _part(_share(len(found.asks_given), len(reading.strict)), 0.0, weights.strict_missing)
    total += _part(found.soft_share, weights.soft, weights.soft)
    return total + weights.confidence * candidate.answer.confidence


def _about(reading: Reading, found: Fit, weights: Weights) -> float:
    """How well a candidate speaks to the subject: its topic, the words, what is named, points, service."""
    total = weights.topic * found.topic
    total -= weights.unasked_topic if found.unasked else 0.0
    total += weights.clear_topic if found.clear else 0.0
    total += (
        weights.coverage * found.coverage + weights.lead * found.lead + weights.relevance * found.relevance
    )
    total += _part(found.named_share, weights.named, weights.named_missing)
    total += _part(found.points_share, weights.points, weights.points_missing)
    return total + _part(found.service_share, weights.service, weights.service_missing)


def _part(share: float | None, gain: float, loss: float) -> float:
    return 0.0 if share is None else gain * share - loss * (1 - share)


def _share(covered: float, of: float) -> float | None:
    return covered / of if of else None


def _topic_share(question: Question, candidate: Candidate, topics: set[Topic], weights: Weights) -> float:
    """The evidence, in the clause that asks, for the topics the candidate answers for (up to 1): those its
    producer names, else its answer's topic, else those of the facts it quotes."""
    declared = set(candidate.topics) or (
        {Topic(candidate.answer.topic)} if candidate.answer.topic else topics
    )
    evidence = [_evidence(question, t, weights) for t in declared]
    return min(1.0, max(evidence, default=0.0) / weights.topic_full)


def _anywhere(reading: Reading, candidate: Candidate, weights: Weights) -> float:
    """The evidence for the candidate's topics anywhere in the question, the scene it sets included."""
    found = max((reading.question.topics.get(t, 0.0) for t in candidate.topics), default=0.0)
    return min(1.0, found / weights.topic_full)


def _declared(candidate: Candidate, topics: set[Topic]) -> set[Topic]:
    """The topics a candidate answers for: those its producer names, else its answer's, else its facts'."""
    return set(candidate.topics) or ({Topic(candidate.answer.topic)} if candidate.answer.topic else topics)


def _evidence(question: Question, topic: Topic, weights: Weights) -> float:
    """The evidence for a topic in the clause that asks: less for a broad topic, much less for one only
    weakly cued (one word that may mean it), against the question's own words picking out a fact."""
    found = question.asked_topics.get(topic, 0.0)
    found *= weights.broad if topic in _BROAD else 1.0
    return found if question.topics.get(topic, 0.0) >= CLEARLY_ASKED else found * weights.weak_topic


def _cued(question: Question, topic: Topic) -> frozenset[str]:
    """The (stemmed) words of the question that cue the topic ("disagree" cues a review)."""
    found: set[str] = set()
    for cue in CUES.get(topic, ()):
        for match in cue.pattern.finditer(question.text):
            found |= set(tokens(match.group(0)))
    return frozenset(found)


# "if I'm a professional assistant", "as a newly qualified worker": who is asking, not what they ask about.
_SELF = re.compile(r"\b(?:if i am|i am|as) an? ((?:\w+ ){0,3}\w+)")


def _about_the_asker(text: str) -> frozenset[str]:
    return frozenset(w for found in _SELF.finditer(text) for w in tokens(found.group(1)))


def _unnamed_terms(index: PackIndex, question: Question) -> list[tuple[str, ...]]:
    """The question's retrieval terms once the names of levels, pathways and the like are taken out (those
    are its named subject), without words that only say how it is asked."""
    named = {w for m in question.mentions for w in tokens(question.text[m.start : m.end])}
    terms = [t for t in question.terms if not set(t) <= named]
    # Numbers are the points or service the question gives (scored as such), not words to find.
    return [t for t in dict.fromkeys(terms) if not set(t) <= _HOW and not any(w.isdigit() for w in t)]


DISTINCTIVE = 0.4  # of a term's rarest word's rarity: a gloss's words commoner than this do not say it


def _distinctive(index: PackIndex, term: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a term that say it: an abbreviation's gloss ("nqsw newly qualified social worker") is
    not said by its everyday words alone ("social worker", in every fact), only by its telling ones."""
    if len(term) < 2:
        return term
    rarest = max(index.idf(w) for w in term)
    return tuple(w for w in term if index.idf(w) >= DISTINCTIVE * rarest) or term


def _coverage(reading: Reading, said: set[str] | frozenset[str]) -> float:
    """The share of the question's words the candidate uses, weighed by rarity."""
    total = sum(weight for _, weight in reading.terms)
    if not total:
        return 0.0
    share = sum(weight for term, weight in reading.terms if not said.isdisjoint(term)) / total
    return share


def _first(index: PackIndex, plain: str, quoted: list[int], answer: Answer) -> list[int]:
    """The fact quoted first in the (normalised) text; quoting none, the facts of the section cited first."""
    if quoted:
        return sorted(quoted, key=lambda i: plain.find(index.starts[i]))[:1]
    if not answer.sources:
        return []
    cited = answer.sources[0]
    return [
        i
        for i, p in enumerate(index.passages)
        if p.source.document == cited.document and p.source.section == cited.section
    ]


def _names(index: PackIndex, ident: str, said: str) -> bool:
    """The (normalised) answer names the entity by one of its names ("Level 2 Social Worker")."""
    return any(i == ident and pattern.search(said) for pattern, _, i in index.aliases)
