"""Questions are read into the kind of answer wanted; an answer that does not give it is not passed off as one."""

from __future__ import annotations

import pytest

from knowledge.asks import Ask, answers, read_asks
from knowledge.coverage import facts_answering_nothing
from knowledge.glossary import related_terms
from knowledge.library import Library
from knowledge.loader import load_packs
from knowledge.models import Fact, Source
from knowledge.text import normalise
from knowledge.understand import understand
from knowledge.wording import main_clause, what_was_asked


@pytest.mark.parametrize(
    ("question", "ask"),
    [
        ("how long have I got to ask for a review", Ask.duration),
        ("how many years post qualifying do i need before going for level 3?", Ask.duration),
        ("who has the final say?", Ask.who),
        ("when's the next panel?", Ask.when),
        # A date asked for by name, in a request's register.
        ("please confirm the date on which the committee agreed the framework", Ask.when),
        ("what was the date the framework took effect?", Ask.when),
        ("do I have to pay the course fees back if I leave?", Ask.repay),
        ("will my pay rise be backdated?", Ask.backdated),
        ("is it automatic after a year?", Ask.automatic),
        ("how much does level 3 pay", Ask.amount),
    ],
)
def test_a_question_is_read_into_the_kind_of_answer_it_wants(question: str, ask: Ask) -> None:
    assert ask in read_asks(normalise(question))


def test_how_many_years_wants_a_duration_not_any_figure() -> None:
    assert read_asks(normalise("how many years experience do I need before BG11?")) == [Ask.duration]


@pytest.mark.parametrize(
    ("org", "question", "what"),
    [
        # Medway gives no years for level 3 (its one-year rule is for newly qualified workers before level 2).
        ("medway", "how many years post qualifying do i need before going for level 3?",
         "medway's policy doesn't say how many years post qualifying you need before going for level 3"),
        # Coventry's report says the supplement is being removed, never when it stops.
        ("coventry", "when exactly does the supplement stop?", "coventry's policy doesn't say"),
        # Medway's framework says nothing about repaying course fees; its pay table is no answer to that.
        ("medway", "If I leave Medway after they've paid for my PQ, do I have to pay the course back?",
         "medway's policy doesn't say whether you have to pay the course back"),
    ],
)  # fmt: skip
def test_a_neighbouring_fact_is_not_passed_off_as_the_answer(
    library: Library, org: str, question: str, what: str
) -> None:
    answer = library.ask(org, question)
    assert not answer.answered
    assert what in answer.text.lower()
    assert "£" not in answer.text.split("\n")[0]


def test_the_answer_that_gives_what_was_asked_is_kept(library: Library) -> None:
    answer = library.ask("medway", "how long have I got to ask for a review?")
    assert answer.answered and "10 working days" in answer.text


@pytest.mark.parametrize(
    ("question", "what"),
    [
        (
            "how many years experience do I need before BG11?",
            "how many years experience you need before bg11",
        ),
        (
            "what's the target for numbers on career pathways?",
            "what the target for numbers on career pathways is",
        ),
        ("will there be pay protection?", "whether there will be pay protection"),
        ("who signs off SP applications?", "who signs off sp applications"),
    ],
)
def test_what_was_asked_is_said_in_the_askers_words(question: str, what: str) -> None:
    assert what_was_asked(question) == what


def test_every_shipped_fact_answers_some_kind_of_question() -> None:
    assert {org: facts_answering_nothing(pack) for org, pack in load_packs().items()} == {
        org: [] for org in load_packs()
    }


def test_a_fact_that_answers_nothing_is_reported() -> None:
    pack = load_packs()["medway"]
    idle = Fact(
        id="idle",
        topics=["overview"],
        text="The framework was discussed.",
        source=Source(document="x", section="1"),
    )
    reported = facts_answering_nothing(pack.model_copy(update={"facts": [*pack.facts, idle]}))
    assert reported == [r for r in reported if r.startswith("facts.idle:")] and reported


def test_the_glossary_translates_a_word_the_document_does_not_use(library: Library) -> None:
    corpus = library.indexes["medway"].corpus
    assert related_terms(normalise("does my sickness record count against me"), corpus) == [("attend",)]
    assert related_terms(normalise("what is the review process"), corpus) == []  # Medway's own word


def test_what_the_asker_says_they_are_not_is_not_what_they_are(library: Library) -> None:
    index = library.indexes["bcc"]
    question = understand(
        "I'm NOT in children's, I'm an adult SW: what's mandatory for me?", index, library.speller
    )
    assert question.ids("framework") == ["adults"]
    told = library.ask(
        "bcc", "I'm NOT in children's, I'm an adult SW: what training is mandatory for me?"
    ).text
    assert "Safeguarding Adults" in told and "Signs of Safety" not in told


def test_a_fact_recording_the_document_is_silent_on_the_ask_is_a_decline(library: Library) -> None:
    answer = library.ask("hertfordshire", "who approves senior practitioner applications?")
    assert not answer.answered and "does not describe" in answer.text
    dated = library.ask("hertfordshire", "when did this policy start")  # silent on a start date, not on when
    assert dated.answered and "1 April 2005" in dated.text


def test_is_it_automatic_is_answered_with_what_it_depends_on(library: Library) -> None:
    answer = library.ask("hertfordshire", "does H8 to H9 happen automatically?")
    assert answer.answered
    assert answer.text.startswith("Not automatically") and "experience and competencies" in answer.text


def test_every_thing_a_formal_request_asks_for_is_answered(library: Library) -> None:
    answer = library.ask(
        "coventry",
        "Please provide the number of social workers receiving the market supplement, its value, the total "
        "social work workforce, and the number of posts to be converted to Advanced Social Worker.",
    )
    assert answer.answered and len(answer.text) <= 1200
    for figure in ("43", "£5,000", "303", "50 FTE"):  # §3.1, §3.2, §6.2
        assert figure in answer.text


def test_each_part_of_a_question_is_answered(library: Library) -> None:
    answer = library.ask(
        "hertfordshire",
        "what's the M1 range, how many years do I need, and what supplement would I get in a quadrant CP team?",
    )
    assert answer.answered
    for said in ("£27,420", "£30,594", "4 or more years", "£3,000"):  # §2.14, §3.4
        assert said in answer.text


def test_a_sickness_record_is_the_attendance_the_policy_weighs(library: Library) -> None:
    answer = library.ask("medway", "Does my sickness record come into whether I get progressed?")
    assert answer.answered and "good attendance" in answer.text
    assert not library.ask("medway", "what's the sick pay policy").answered  # sick pay is not progression


def test_how_a_sum_is_paid_is_answered_by_how_it_is_paid_not_how_much(library: Library) -> None:
    # Hertfordshire §3.3: the market supplements "will be paid in two instalments, with clawback clauses".
    # The old code read no ask in "how is it paid" and answered with the amounts alone.
    assert Ask.payment in read_asks(normalise("is the supplement paid as a lump sum?"))
    answer = library.ask("hertfordshire", "how will the market supplement be paid?")
    assert answer.answered and "two instalments" in answer.text.split("\n")[0]


def test_in_advance_says_when(library: Library) -> None:
    # BCC §1.4: the chief officer's consent "should be sought in advance". The old code found no time in it
    # and said the policy doesn't say who must consent and when.
    assert Ask.when in answers("You need your chief officer's consent, sought in advance.")
    answer = library.ask(
        "bcc",
        "I'm on BG9 above SCP 28 and have been offered locum work. Who has to consent and when must I ask?",
    )
    assert answer.answered and "chief officer" in answer.text and "in advance" in answer.text


def test_whose_opens_the_clause_that_asks() -> None:
    # The old code took the scene ("I'm BG9 on SCP 26 ...") for the asking clause, so its spinal point made
    # it a pay question ("BCC's policy doesn't say anything about a salary for spinal point 26").
    question = "I'm BG9 on SCP 26 and want to do some sessional work. Whose permission do I need?"
    assert main_clause(question) == "whose permission do i need"


def test_a_condition_before_the_asking_words_is_not_the_scene() -> None:
    # "if it goes through is ..." asks after the condition it sets: the old code found no clause that asks
    # and took the scene ("i'm on point 37 ...") instead.
    question = "I'm on point 37 and going for level 3. if it goes through is the rise backdated?"
    assert main_clause(question) == "is the rise backdated"
    assert (
        main_clause("I'm level 1. once I've done induction can I apply for level 2?")
        == "can i apply for level 2"
    )


def test_a_chat_shortening_opens_the_clause_that_asks() -> None:
    # "whats" is "what is": the old code passed over the first clause and took "is it just an interview" for
    # what was asked.
    question = "whats the selection process for the advanced SW role, is it just an interview?"
    assert main_clause(question) == "whats the selection process for the advanced sw role"
