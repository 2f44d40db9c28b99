"""Answers given again for the same question and the same inputs (dialogs/remembered_answers.py): only
ever the answer Library.ask gives for those inputs, so a record, a pack or a local procedure that
changed is answered afresh and nothing personal reaches anyone else."""

from __future__ import annotations

import gc
import weakref
from dataclasses import replace
from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from dialogs import remembered_answers
from dialogs.remembered_answers import RememberedAnswers, remembered
from knowledge.asker import Asker
from knowledge.library import Library
from knowledge.models import LocalProcedure
from knowledge.replies import Answer
from storage.db import transaction
from storage.tables import Person
from tests.dialogs.conftest import Chat

WORKER, NEWCOMER = "worker@medway.example", "nq@medway.example"  # spinal points 37 and 33
ASKER = Asker(level="level-2", spinal_point=37, framework="children", today=date(2026, 11, 23))
PAY = "what is my pay?"


class Counted(Library):
    """A real library that counts how often it works an answer out."""

    asked = 0

    def ask(self, org: str, question: str, asker: Asker | None = None) -> Answer:
        self.asked += 1
        return super().ask(org, question, asker)


def counted(library: Library) -> Counted:
    return Counted(dict(library.packs), dict(library.local))


def test_each_asker_gets_their_own_record_in_a_personal_answer(chat: Chat) -> None:
    for _ in range(2):  # the second time round from what was kept
        assert "spinal point 37" in chat.say(WORKER, PAY)[0].text
        assert "spinal point 33" in chat.say(NEWCOMER, PAY)[0].text


def test_a_changed_record_is_answered_afresh(chat: Chat, sessions: sessionmaker[Session]) -> None:
    assert "spinal point 37" in chat.say(WORKER, PAY)[0].text
    with transaction(sessions) as session:
        session.execute(update(Person).where(Person.email == WORKER).values(spinal_point=39))
    assert "spinal point 39" in chat.say(WORKER, PAY)[0].text


def test_the_same_question_with_the_same_inputs_is_worked_out_once(library: Library) -> None:
    own = counted(library)
    answers = RememberedAnswers()
    first = answers.ask(own, "medway", PAY, ASKER)
    assert answers.ask(own, "medway", PAY, ASKER) == first == own.ask("medway", PAY, ASKER)
    assert own.asked == 2  # the first ask and the check beside it, not the second
    answers.ask(own, "medway", PAY, replace(ASKER, spinal_point=30))
    answers.ask(own, "medway", PAY, replace(ASKER, today=date(2026, 11, 24)))
    assert own.asked == 4  # another record, another day: worked out for each


def test_a_new_pack_or_local_procedure_is_answered_from(library: Library) -> None:
    own = counted(library)
    answers = RememberedAnswers()
    question = "who signs off my progression?"
    answers.ask(own, "medway", question, ASKER)
    own.packs["medway"] = own.packs["medway"].model_copy()  # loaded again: another object
    answers.ask(own, "medway", question, ASKER)
    assert own.asked == 2
    recorded = LocalProcedure.model_construct(organisation="medway", recorded_by="HR", text="A route.")
    own.local["medway"] = recorded
    answers.ask(own, "medway", question, ASKER)
    answers.ask(own, "medway", question, ASKER)
    assert own.asked == 3


def test_another_library_keeps_answers_of_its_own(library: Library) -> None:
    assert remembered(library) is remembered(library)
    assert remembered(counted(library)) is not remembered(library)


def test_the_least_recently_asked_is_dropped_past_the_limit(library: Library) -> None:
    own = counted(library)
    answers = RememberedAnswers(kept=2)
    for question in ("how much is SCP 39?", "who signs off my progression?", "how much is SCP 39?"):
        answers.ask(own, "medway", question, ASKER)
    assert own.asked == 2
    answers.ask(own, "medway", "what do I need for level 3?", ASKER)  # drops "who signs off"
    answers.ask(own, "medway", "who signs off my progression?", ASKER)
    assert own.asked == 4


def test_a_library_no_longer_used_is_let_go_with_its_answers(library: Library) -> None:
    own = counted(library)
    remembered_answers.ask(own, "medway", PAY, ASKER)
    gone = weakref.ref(own)
    del own
    gc.collect()
    assert gone() is None
