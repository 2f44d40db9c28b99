"""Answers the library keeps (knowledge/remembered.py): the same question from the same dated record is
answered from what was kept, and only ever with the answer the library would work out again, so a new
record, day, pack or local procedure is answered afresh."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial

from knowledge.asker import Asker
from knowledge.library import Library
from knowledge.models import LocalProcedure
from knowledge.remembered import RememberedAnswers
from knowledge.replies import Answer

ASKER = Asker(level="level-2", spinal_point=37, framework="children", today=date(2026, 11, 23))
PAY = "what is my pay?"
SIGN_OFF = "who signs off my progression?"


def own(library: Library) -> Library:
    """A library of its own (the shared one is never reloaded by a test)."""
    return Library(dict(library.packs), dict(library.local))


def test_the_same_question_from_the_same_record_is_worked_out_once(library: Library) -> None:
    mine = own(library)
    first = mine.ask("medway", PAY, ASKER)
    assert mine.ask("medway", PAY, ASKER) is first  # the kept object, not a new one worked out again
    assert mine.ask("medway", PAY, replace(ASKER, spinal_point=33)) is not first
    assert mine.ask("medway", PAY, replace(ASKER, today=date(2026, 11, 24))) is not first


def test_an_undated_asker_is_worked_out_each_time(library: Library) -> None:
    mine = own(library)  # without `today` the asker's service is dated by the clock
    assert mine.ask("medway", PAY, replace(ASKER, today=None)) is not mine.ask(
        "medway", PAY, replace(ASKER, today=None)
    )
    assert mine.ask("medway", PAY) is not mine.ask("medway", PAY)


def test_a_reloaded_pack_changes_the_answer(library: Library) -> None:
    mine = own(library)
    before = mine.ask("medway", SIGN_OFF, ASKER)
    pack = mine.packs["medway"]
    signoff = [s.model_copy(update={"text": f"{s.text} (as amended)"}) for s in pack.process.signoff]
    mine.replace_pack(
        pack.model_copy(update={"process": pack.process.model_copy(update={"signoff": signoff})})
    )
    after = mine.ask("medway", SIGN_OFF, ASKER)
    assert "(as amended)" not in before.text and "(as amended)" in after.text
    assert mine.ask("medway", SIGN_OFF, ASKER) is after  # kept again, from the new pack


def test_a_reloaded_local_procedure_forgets_the_organisations_answers(library: Library) -> None:
    mine = own(library)
    first = mine.ask("hertfordshire", SIGN_OFF, ASKER)
    medway = mine.ask("medway", SIGN_OFF, ASKER)
    recorded = LocalProcedure.model_construct(organisation="hertfordshire", recorded_by="HR", text="A route.")
    mine.replace_local_procedure(recorded)
    assert mine.local["hertfordshire"] is recorded
    assert mine.ask("hertfordshire", SIGN_OFF, ASKER) is not first
    assert mine.ask("medway", SIGN_OFF, ASKER) is medway  # another organisation's are kept


def test_an_answer_worked_out_while_its_pack_is_reloaded_is_not_kept() -> None:
    answers = RememberedAnswers()
    stale = Answer(answered=True, text="from the old pack", sources=[])

    def reloaded_meanwhile() -> Answer:
        answers.forget("medway")  # the pack is replaced while this answer is being worked out
        return stale

    assert answers.answer("medway", PAY, ASKER, reloaded_meanwhile) is stale
    fresh = Answer(answered=True, text="from the new pack", sources=[])
    assert answers.answer("medway", PAY, ASKER, lambda: fresh) is fresh


def test_the_least_recently_asked_is_dropped_past_the_limit() -> None:
    answers = RememberedAnswers(kept=2)
    made: list[str] = []

    def work_out(question: str) -> Answer:
        made.append(question)
        return Answer(answered=True, text=question, sources=[])

    for question in ("a", "b", "a", "c", "b"):  # "c" drops "b", the least recently asked
        answers.answer("medway", question, ASKER, partial(work_out, question))
    assert made == ["a", "b", "c", "b"]
