"""All organisations' packs, answering questions by organisation.

Packs are validated at start-up (a broken pack stops it), but an organisation's index and speller are
built when it is first asked: with hundreds of councils, start-up stays quick and a council nobody asks
costs nothing but its pack. The library keeps the answers it has worked out for askers whose record is
dated (knowledge.remembered), and forgets an organisation's whenever its pack or local procedure is
(re)loaded, so what it holds is only ever what it would work out again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from knowledge.answer import respond
from knowledge.asker import Asker, record_line, with_record
from knowledge.asks import STRICT
from knowledge.index import PackIndex
from knowledge.judging import judged
from knowledge.loader import PACKS_DIR, load_packs
from knowledge.local import load_local_procedures
from knowledge.models import LocalProcedure, Pack
from knowledge.parts import combined, question_parts, refers_back
from knowledge.proposals import Candidate
from knowledge.remembered import RememberedAnswers
from knowledge.replies import Answer
from knowledge.text import ABBREVIATIONS, CHAT_WORDS, STOPWORDS, normalise, tokens
from knowledge.understand import Question, Speller, cue_vocabulary, understand, vocabulary_of
from knowledge.verification import content_terms

MAX_QUESTION_CHARS = 2000


class UnknownOrganisation(KeyError):
    pass


def _saying_what_came_from_the_record(answer: Answer, used: list[str]) -> Answer:
    if not used or not answer.answered:
        return answer
    return answer.model_copy(update={"text": f"{record_line(used)}\n{answer.text}"})


class LazyIndexes(Mapping[str, PackIndex]):
    """Each organisation's index, built on first use (once, even with several threads asking)."""

    def __init__(self, packs: dict[str, Pack]) -> None:
        self._packs = packs
        self._built: dict[str, PackIndex] = {}
        self._lock = threading.Lock()

    def __getitem__(self, org: str) -> PackIndex:
        index = self._built.get(org)
        if index is None:
            with self._lock:  # the pack read under the lock: a replaced pack's forget waits for this build
                index = self._built.get(org) or PackIndex.build(self._packs[org])
                self._built[org] = index
        return index

    def forget(self, org: str) -> None:
        """Drop the organisation's index: its pack has been replaced, so the next question builds it anew."""
        with self._lock:
            self._built.pop(org, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._packs)

    def __len__(self) -> int:
        return len(self._packs)


def pack_vocabulary(index: PackIndex) -> set[str]:
    """The words a speller may correct to for this pack: its own, the cue words, and chat words."""
    texts = [p.text + " " + p.keywords for p in index.passages]
    texts += [pattern.pattern for pattern, _, _ in index.aliases]
    return vocabulary_of(texts) | _COMMON_VOCABULARY


_COMMON_VOCABULARY = cue_vocabulary() | set(STOPWORDS) | set(CHAT_WORDS.values()) | set(ABBREVIATIONS)


def _answered_elsewhere(index: PackIndex, answers: list[Answer], parts: list[Question]) -> list[int]:
    """The parts to answer in turn: a part declined on its own is left out where another part's answer
    answers it ("who chaired the group, and how many times did they meet?": the chair's line says the members
    met 4 times)."""
    return [
        i
        for i, answer in enumerate(answers)
        if answer.answered
        or not any(_answers_it(index, parts[i], other) for j, other in enumerate(answers) if j != i)
    ]


def _answers_it(index: PackIndex, part: Question, other: Answer) -> bool:
    """Another part's answer, judged as the answer to this part, passes: asked for a detail (a figure, a
    person, a time), with the document's words on it said first or not; asked a plain yes or no, or heard as
    outside career progression, as it stands. (Not a part asking for a list, the steps, a reason...: "is
    there a list?" is not answered by another part's bullets.)"""
    detail = any(ask in STRICT for ask in part.asks)
    if not other.answered or not (detail or part.off_topic or not part.asks):
        return False
    if not _says_what_the_part_asks_about(index, part, other):
        return False  # (judging reads the cited sections too: the words must be the answer's own)
    verdict = judged(index, part, Candidate(other, "another_part"))
    return verdict.passes if detail else verdict.said == other


SAID_SHARE = 0.5  # of a part's content words, at least this share in another answer's own words


def _says_what_the_part_asks_about(index: PackIndex, part: Question, answer: Answer) -> bool:
    """Another part's answer uses most of this part's content words itself (judging reads the sections it
    cites too, so a level's pay cited from a section naming allowances would "answer" an allowance).
    (Most, not all: "did they meet" against "met 4 times".)"""
    said = frozenset(tokens(normalise(answer.text)))
    terms = content_terms(index, part)
    return bool(terms) and sum(t.covered_by(said) for t in terms) >= SAID_SHARE * len(terms)


class Library:
    def __init__(
        self, packs: dict[str, Pack], local: dict[str, LocalProcedure] | None = None, *, traced: bool = False
    ) -> None:
        self._packs = dict(packs)
        self._local = dict(
            local or {}
        )  # reviewed local procedures, for organisations whose policy states no route
        self.traced = traced  # every pack was traced to its document as it loaded (knowledge.tracing)
        self.indexes = LazyIndexes(self._packs)
        self.remembered = RememberedAnswers()
        self._spellers: dict[str, Speller] = {}
        self._lock = threading.Lock()

    @property
    def packs(self) -> Mapping[str, Pack]:
        """Each organisation's pack, read-only: replace_pack changes one, so its answers are forgotten."""
        return MappingProxyType(self._packs)

    @property
    def local(self) -> Mapping[str, LocalProcedure]:
        """Each organisation's reviewed local procedure, read-only: see replace_local_procedure."""
        return MappingProxyType(self._local)

    def replace_pack(self, pack: Pack) -> None:
        """Load a new or changed pack for its organisation (checked and traced by the caller, as at start-up):
        the organisation's index and spellers are built again and the answers kept for it are forgotten."""
        org = pack.organisation.id
        with self._lock:
            self._packs[org] = pack
            self.indexes.forget(org)
            self._spellers.pop(org, None)
            self.__dict__.pop("speller", None)  # every pack's words: built again when next wanted
        self.remembered.forget(org)

    def replace_local_procedure(self, procedure: LocalProcedure) -> None:
        """Load a new or changed reviewed local procedure for its organisation; its kept answers are forgotten."""
        with self._lock:
            self._local[procedure.organisation] = procedure
        self.remembered.forget(procedure.organisation)

    @classmethod
    def load(cls, directory: Path = PACKS_DIR) -> Library:
        return cls(load_packs(directory), load_local_procedures(directory / "local"))

    @property
    def organisations(self) -> list[str]:
        return sorted(self.packs)

    @cached_property
    def speller(self) -> Speller:
        """A speller over every pack's words (the words of the policies, for telling them from names)."""
        return Speller(set().union(*(pack_vocabulary(self.indexes[org]) for org in self.packs)))

    def speller_for(self, org: str) -> Speller:
        speller = self._spellers.get(org)
        if speller is None:
            with self._lock:
                speller = self._spellers.get(org) or Speller(pack_vocabulary(self.indexes[org]))
                self._spellers[org] = speller
        return speller

    def ask(self, org: str, question: str, asker: Asker | None = None) -> Answer:
        """The answer to a question; with the asker's roster record, personal questions use it. With a dated
        record (`asker.today`) the answer is kept, and the same question from the same record is answered
        from what was kept; without one, a personal answer would be dated by the clock, so it is worked out
        each time."""
        if org not in self._packs:
            raise UnknownOrganisation(org)
        if asker is None or asker.today is None:
            return self._work_out(org, question, asker)
        return self.remembered.answer(org, question, asker, lambda: self._work_out(org, question, asker))

    def _work_out(self, org: str, question: str, asker: Asker | None) -> Answer:
        index = self.indexes[org]
        speller = self.speller_for(org)
        answers, named, before = [], "", ""
        understood_parts: list[Question] = []
        for part in question_parts(question[:MAX_QUESTION_CHARS]):
            understood = understand(part, index, speller)
            own = refers_back(part, before) if before else None
            if before and not understood.topics:  # "can I appeal, and what's the deadline": the appeal's
                understood = understand(f"{before} {part}", index, speller)
            elif own and not understand(own, index, speller).topics:  # "... and how long is it?"
                understood = understand(f"{before} {own}", index, speller)
            elif not understood.mentions and named:  # "what's the M1 range, how many years do I need"
                understood = understand(f"{part} ({named})", index, speller)
            before = part
            named = " ".join(understood.text[m.start : m.end] for m in understood.mentions) or named
            understood, used = with_record(understood, asker, index.pack)
            understood_parts.append(understood)
            answers.append(_saying_what_came_from_the_record(respond(index, understood), used))
        if len(answers) == 1:
            return answers[0]
        kept = _answered_elsewhere(index, answers, understood_parts)
        return combined(index.pack, [answers[i] for i in kept], [understood_parts[i] for i in kept])
