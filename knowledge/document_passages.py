"""The organisation's document itself, made searchable sentence by sentence, each with its section label.

The pack records the facts people usually ask about; the document says more (who wrote it, what it costs,
who was consulted, what inspectors found). Quoting the document verbatim, cited by section, is within the
truth rule (it IS the policy), so when no pack fact fits, the best passage is quoted as it stands.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from knowledge.loader import DOCUMENTS_DIR
from knowledge.text import normalise, tokens

# A numbered paragraph or heading ("2.1 In 2006 ...", "- 4.5.2 Areas for improvement", "3. Background").
_NUMBERED = re.compile(r"^\s*(?:[-•*]\s*)?(?P<label>\d{1,2}(?:\.\d{1,2})*)\.?\s+(?P<rest>\S.*)$")
_MONTH = re.compile(
    r"^(january|february|march|april|may|june|july|august|september|october|november|december)\b", re.I
)
# (A sentence does not end at "e.g." or "i.e.": "presenting to formal groups e.g. Panels.")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)\s+(?=[A-Z£(\"'])")
# The documents keep some of the markup they were converted from (paragraph and table tags, "◆" bullets):
# a block tag or a bullet starts a paragraph of its own, other tags are dropped, so what is quoted is the
# document's words as a reader sees them, never "<p align=...>".
_BLOCK = re.compile(r"</?(?:p|ul|ol|li|tr|table|div|br|h\d)\b[^>]*>|(?=◆)", re.I)
_TAG = re.compile(r"<[^>]*>")
STEM_PREFIX = 6  # stems sharing this many first letters are one word ("qualifi", "qualif")
MAX_HEADING = 80  # a short line without a full stop is a heading (a section's name)


@dataclass(frozen=True)
class DocumentSentence:
    text: str  # verbatim from the document
    section: str  # the label of the numbered paragraph or heading it sits under
    paragraph: int  # which paragraph (line) of the document


@dataclass
class DocumentIndex:
    """One document's sentences, their stemmed words, and BM25 over them."""

    sentences: list[DocumentSentence] = field(default_factory=list)
    words: list[frozenset[str]] = field(default_factory=list)
    # The words of the headings a sentence sits under (its section's and the sections' above it): a line
    # under "Legal implications" or "Areas for improvement" speaks of them.
    context: list[frozenset[str]] = field(default_factory=list)
    vocabulary: frozenset[str] = frozenset()  # every stemmed word the document uses
    prefixes: frozenset[str] = frozenset()  # the first STEM_PREFIX letters of each of its stems
    sections: dict[str, str] = field(default_factory=dict)  # label -> the section's text
    # label -> the section after it in the document and that section's first sentence (a "However, ..." that
    # turns it is said with it: knowledge.turns), worked out once rather than for every answer
    following: dict[str, tuple[str, str]] = field(default_factory=dict)
    _using: dict[str, set[int]] = field(default_factory=dict)  # stem -> the sentences using it
    raw: str = ""
    _bm25: BM25Okapi | None = None
    _scored: dict[str, np.typing.NDArray[np.float64]] = field(
        default_factory=dict
    )  # word -> BM25 per sentence

    @classmethod
    def build(cls, text: str) -> DocumentIndex:
        lines = list(plain_paragraphs(text))
        index = cls(raw="\n".join(lines))
        label = ""
        headings: dict[str, str] = {}
        for number, line in enumerate(lines):
            numbered = _NUMBERED.match(line)
            if numbered and not _MONTH.match(numbered.group("rest")):
                label = numbered.group("label")
                line = numbered.group("rest")
                if _heading(line):
                    headings[label] = line
            elif _heading(line) and line[0].isupper():
                label = line.rstrip(":")
                headings[label] = label
            index.sections[label] = f"{index.sections.get(label, '')} {line}".strip()
            for piece in _SENTENCE_END.split(line):
                if piece.strip():
                    index.sentences.append(DocumentSentence(piece.strip(), label, number))
        corpus = [tokens(normalise(s.text)) or ["_"] for s in index.sentences]
        index.words = [frozenset(c) for c in corpus]
        above = {label: frozenset(tokens(normalise(" ".join(_above(label, headings))))) for label in headings}
        index.context = [above.get(s.section, frozenset()) for s in index.sentences]
        index.vocabulary = frozenset().union(*index.words) if index.words else frozenset()
        index.prefixes = frozenset(w[:STEM_PREFIX] for w in index.vocabulary if len(w) >= STEM_PREFIX)
        for i, sentence_words in enumerate(index.words):
            for word in sentence_words:
                index._using.setdefault(word, set()).add(i)
        # A sentence is found by its headings' words too ("what are the legal implications" finds the line
        # under "Legal implications").
        index._bm25 = (
            BM25Okapi([c + sorted(h) for c, h in zip(corpus, index.context, strict=True)]) if corpus else None
        )
        firsts: dict[str, str] = {}
        for sentence in index.sentences:
            firsts.setdefault(sentence.section, sentence.text)
        labels = list(index.sections)
        index.following = {label: (after, firsts.get(after, "")) for label, after in pairwise(labels)}
        return index

    def share(self, stems: frozenset[str]) -> float:
        """The share of the document's sentences using any of the stems."""
        if not self.sentences:
            return 0.0
        using = set().union(*(self._using.get(s, set()) for s in stems))
        return len(using) / len(self.sentences)

    def section_text(self, label: str) -> str:
        """A section's own text and its subsections' ("3" holds 3.1 and 3.2); for a name that is no label
        here (a heading inside a table), the text that follows where the document first uses it."""
        if label in self.sections:
            inner = [t for key, t in self.sections.items() if key == label or key.startswith(f"{label}.")]
            return " ".join(inner)
        at = self.raw.lower().find(label.lower())
        return self.raw[at : at + 1500] if at >= 0 else ""

    def scores(self, terms: list[tuple[str, ...]]) -> np.typing.NDArray[np.float64]:
        """BM25 of every sentence for the terms (a term's alternatives score as their best)."""
        total = np.zeros(len(self.sentences))
        if self._bm25 is None:
            return total
        for term in terms:
            total += np.array([self._word_scores(word) for word in term]).max(axis=0)
        return total

    def _word_scores(self, word: str) -> np.typing.NDArray[np.float64]:
        """BM25 of every sentence for one word: the same whatever the question, so remembered."""
        found = self._scored.get(word)
        if found is None:
            assert self._bm25 is not None
            found = self._scored[word] = self._bm25.get_scores([word])
        return found


def plain_paragraphs(text: str) -> Iterator[str]:
    """The document's paragraphs as plain text: markup dropped, a table cell or bulleted item a line of its
    own (the bullet as "- ", still marking an item), white space collapsed."""
    for line in text.splitlines():
        for piece in _BLOCK.split(line):
            plain = " ".join(html.unescape(_TAG.sub(" ", piece)).split())
            if plain.startswith("◆"):
                plain = f"- {plain[1:].lstrip()}"
            if plain and plain != "-":
                yield plain


def _heading(line: str) -> bool:
    """A short line without a closing full stop: a section's name, not its text."""
    # (A table's row, "Difference £ 3,599", is no heading: a section is never named by a sum.)
    return len(line) <= MAX_HEADING and not line.endswith((".", ",", ";")) and "£" not in line


def _above(label: str, headings: dict[str, str]) -> list[str]:
    """The headings of a section and of the sections it is numbered under ("4.5.2" is under 4.5 and 4)."""
    parts = label.split(".")
    return [
        headings[key] for key in (".".join(parts[:n]) for n in range(len(parts), 0, -1)) if key in headings
    ]


@cache
def section_text(document: str, label: str) -> str:
    return document_index(document).section_text(label)


@cache
def document_index(document: str, documents_dir: Path = DOCUMENTS_DIR) -> DocumentIndex:
    return DocumentIndex.build((documents_dir / f"{document}.txt").read_text(encoding="utf-8"))


@cache
def _normalised(document: str) -> str:
    return f" {normalise(document_index(document).raw)} "


def names(document: str, phrase: str) -> bool:
    """Whether the document uses the (normalised) phrase as words of its own ("bg9" in "BG9 below SCP 28")."""
    return f" {phrase} " in _normalised(document)
