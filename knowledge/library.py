"""All organisations' packs, indexed once at start-up, answering questions by organisation."""

from __future__ import annotations

from pathlib import Path

from knowledge.answer import respond
from knowledge.index import PackIndex
from knowledge.loader import PACKS_DIR, load_packs
from knowledge.local import load_local_procedures
from knowledge.models import LocalProcedure, Pack
from knowledge.replies import Answer
from knowledge.text import ABBREVIATIONS, CHAT_WORDS, STOPWORDS
from knowledge.understand import Speller, cue_vocabulary, understand, vocabulary_of

MAX_QUESTION_CHARS = 2000


class UnknownOrganisation(KeyError):
    pass


class Library:
    def __init__(self, packs: dict[str, Pack], local: dict[str, LocalProcedure] | None = None) -> None:
        self.packs = packs
        self.local = local or {}  # reviewed local procedures, for organisations whose policy states no route
        self.indexes = {org: PackIndex.build(pack) for org, pack in packs.items()}
        texts = [p.text + " " + p.keywords for index in self.indexes.values() for p in index.passages]
        texts += [pattern.pattern for index in self.indexes.values() for pattern, _, _ in index.aliases]
        vocabulary = vocabulary_of(texts) | cue_vocabulary() | set(STOPWORDS)
        vocabulary |= set(CHAT_WORDS.values()) | set(ABBREVIATIONS)
        self.speller = Speller(vocabulary)

    @classmethod
    def load(cls, directory: Path = PACKS_DIR) -> Library:
        return cls(load_packs(directory), load_local_procedures(directory / "local"))

    @property
    def organisations(self) -> list[str]:
        return sorted(self.packs)

    def ask(self, org: str, question: str) -> Answer:
        index = self.indexes.get(org)
        if index is None:
            raise UnknownOrganisation(org)
        understood = understand(question[:MAX_QUESTION_CHARS], index, self.speller)
        return respond(index, understood)
