"""Answers already worked out, given again when the same question is asked with the same inputs.

Library.ask is a function of the organisation's pack (with the index and speller built from it), the
organisation's reviewed local procedure, the question's text and the asker's roster facts (Asker,
`today` included: without it Library.ask reads the clock, and nothing is kept); it reads nothing else
(no database). So an answer is kept under
exactly those: the organisation, the question as asked, and the whole Asker, and is given again only
while the library still holds the same pack and local procedure objects for that organisation (a new
pack or procedure is a new object, so the old answers are not used). Two askers share an answer only
when every fact of their records is the same, and then Library.ask would have given both the same words:
nothing personal crosses between people. HR's procedures recorded in chat and panel dates are read by
the turn outside Library.ask, afresh every turn, so they are never part of what is kept here.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

from knowledge.asker import Asker
from knowledge.library import Library
from knowledge.models import LocalProcedure, Pack
from knowledge.replies import Answer

KEPT = 4096  # answers per library, least recently asked dropped first (each is a few kilobytes)

Key = tuple[str, str, Asker]


@dataclass(frozen=True)
class Kept:
    pack: Pack  # what the answer was worked out from: used again only while these are still the library's
    local: LocalProcedure | None
    answer: Answer  # frozen: handing the same object out twice is safe


class RememberedAnswers:
    """One library's answers, least recently used dropped past `kept`; safe for several threads."""

    def __init__(self, kept: int = KEPT) -> None:
        # The library is passed to each ask, not held: held, it would keep its own entry in _by_library
        # (a weak-keyed map) alive for ever.
        self.kept = kept
        self._answers: OrderedDict[Key, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def ask(self, library: Library, org: str, question: str, asker: Asker) -> Answer:
        """`library`'s answer (always the same library for one RememberedAnswers: see remembered)."""
        if asker.today is None:  # Library.ask would date the asker's service by the clock: not kept
            return library.ask(org, question, asker=asker)
        pack, local = library.packs[org], library.local.get(org)
        key = (org, question, asker)
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None and kept.pack is pack and kept.local is local:
                self._answers.move_to_end(key)
                return kept.answer
        answer = library.ask(org, question, asker=asker)  # outside the lock: other turns go on
        with self._lock:
            self._answers[key] = Kept(pack, local, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.kept:
                self._answers.popitem(last=False)
        return answer


_by_library: weakref.WeakKeyDictionary[Library, RememberedAnswers] = weakref.WeakKeyDictionary()
_by_library_guard = threading.Lock()


def ask(library: Library, org: str, question: str, asker: Asker) -> Answer:
    """Library.ask, from the answers kept for this library when it has answered the same before (every
    conversation on the library shares them)."""
    return remembered(library).ask(library, org, question, asker)


def remembered(library: Library) -> RememberedAnswers:
    """The answers kept for this library."""
    with _by_library_guard:
        answers = _by_library.get(library)
        if answers is None:
            answers = _by_library[library] = RememberedAnswers()
        return answers
