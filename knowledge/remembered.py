"""Answers already worked out, given again when the same question is asked with the same inputs.

An answer is a function of the organisation's pack (with the index and speller built from it), the
organisation's reviewed local procedure, the question's text and the asker's roster facts (Asker,
`today` included: without it the asker's service is dated by the clock, and nothing is kept). So an
answer is kept under exactly the organisation, the question as asked and the whole Asker, and the
Library that owns this memory forgets an organisation's answers whenever it (re)loads that
organisation's pack or local procedure. Two askers share an answer only when every fact of their
records is the same, and then they would have been given the same words: nothing personal crosses
between people. HR's procedures recorded in chat and panel dates are read by the chat turn outside the
Library, afresh every turn, so they are never part of what is kept here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from knowledge.asker import Asker
from knowledge.replies import Answer

KEPT = 4096  # answers per library, least recently asked dropped first (each is a few kilobytes)

Key = tuple[str, str, Asker]


class RememberedAnswers:
    """One library's answers, least recently used dropped past `kept`; safe for several threads."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._answers: OrderedDict[Key, Answer] = OrderedDict()  # Answer is frozen: safe to hand out twice
        self._loads: dict[str, int] = {}  # per organisation, how many times its inputs were (re)loaded
        self._lock = threading.Lock()

    def answer(self, org: str, question: str, asker: Asker, work_out: Callable[[], Answer]) -> Answer:
        """The answer kept for these inputs, else `work_out()`'s, kept unless the organisation's pack or
        procedure was reloaded while it was being worked out (it may come from the old one)."""
        key = (org, question, asker)
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None:
                self._answers.move_to_end(key)
                return kept
            loads = self._loads.get(org, 0)
        answer = work_out()  # outside the lock: other questions go on
        with self._lock:
            if self._loads.get(org, 0) == loads:
                self._answers[key] = answer
                while len(self._answers) > self.kept:
                    self._answers.popitem(last=False)
        return answer

    def forget(self, org: str) -> None:
        """Drop every answer for the organisation: its pack or local procedure has just been (re)loaded."""
        with self._lock:
            self._loads[org] = self._loads.get(org, 0) + 1
            for key in [key for key in self._answers if key[0] == org]:
                del self._answers[key]
