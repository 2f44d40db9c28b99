"""All organisations' packs, answering questions by organisation.

Packs are validated at start-up (a broken pack stops it), but an organisation's index and speller are
built when it is first asked: with hundreds of councils, start-up stays quick and a council nobody asks
costs nothing but its pack.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path

from knowledge.answer import respond
from knowledge.asker import Asker, record_line, with_record
from knowledge.index import PackIndex
from knowledge.loader import PACKS_DIR, load_packs
from knowledge.local import load_local_procedures
from knowledge.models import LocalProcedure, Pack
from knowledge.parts import combined, question_parts
from knowledge.replies import Answer
from knowledge.text import ABBREVIATIONS, CHAT_WORDS, STOPWORDS
from knowledge.understand import Speller, cue_vocabulary, understand, vocabulary_of

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
            pack = self._packs[org]
            with self._lock:
                index = self._built.get(org) or PackIndex.build(pack)
                self._built[org] = index
        return index

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


class Library:
    def __init__(
        self, packs: dict[str, Pack], local: dict[str, LocalProcedure] | None = None, *, traced: bool = False
    ) -> None:
        self.packs = packs
        self.traced = traced  # every pack was traced to its document as it loaded (knowledge.tracing)
        self.local = local or {}  # reviewed local procedures, for organisations whose policy states no route
        self.indexes = LazyIndexes(packs)
        self._spellers: dict[str, Speller] = {}
        self._lock = threading.Lock()

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
        """The answer to a question; with the asker's roster record, personal questions use it."""
        if org not in self.packs:
            raise UnknownOrganisation(org)
        index = self.indexes[org]
        speller = self.speller_for(org)
        answers, named, before = [], "", ""
        for part in question_parts(question[:MAX_QUESTION_CHARS]):
            understood = understand(part, index, speller)
            if before and not understood.topics:  # "can I appeal, and what's the deadline": the appeal's
                understood = understand(f"{before} {part}", index, speller)
            elif not understood.mentions and named:  # "what's the M1 range, how many years do I need"
                understood = understand(f"{part} ({named})", index, speller)
            before = part
            named = " ".join(understood.text[m.start : m.end] for m in understood.mentions) or named
            understood, used = with_record(understood, asker, index.pack)
            answers.append(_saying_what_came_from_the_record(respond(index, understood), used))
        return answers[0] if len(answers) == 1 else combined(index.pack, answers)
