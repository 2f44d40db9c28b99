"""The ask's kind and the detail it is about must be given by the chosen fact's own sentence; where the pack
covers the subject but gives no such detail, or says in its own words that the document does not, the reply
says the policy doesn't say that (answered: false). Answers given in other words than the question's stand.
(Made-up questions about the packs' facts, not the evaluation batches' questions.)"""

from __future__ import annotations

import pytest

from knowledge.asks import Ask, answers, read_asks
from knowledge.glossary import concept_alternatives
from knowledge.library import Library
from knowledge.stated_silence import silence_clauses
from knowledge.text import normalise


@pytest.mark.parametrize(
    ("question", "ask"),
    [
        ("what is the pass mark for the exam", Ask.amount),  # a measure asked by its name
        ("is there a minimum period before i can apply again", Ask.duration),
        ("is there a waiting period before reapplying", Ask.duration),
        ("how many hours a week can i work", Ask.duration),
        ("what is the starting salary for level 1", Ask.money),
        ("what percentage of it do i repay", Ask.share),
    ],
)
def test_the_kind_of_detail_is_read_from_how_it_is_asked(question: str, ask: Ask) -> None:
    assert ask in read_asks(normalise(question))


def test_a_share_asked_is_not_a_sum_asked() -> None:
    asks = read_asks(normalise("what proportion of the cost do i pay back"))
    assert Ask.share in asks and Ask.amount not in asks and Ask.money not in asks
    assert Ask.share in answers("if you leave after twelve months you pay half back")
    assert Ask.share not in answers("£2,000 for qualified social workers")


def test_hours_and_hyphenated_lengths_are_lengths_of_time() -> None:
    assert Ask.duration in answers("you should not exceed 48 working hours per week")
    assert Ask.duration in answers("it is a 3-year course")


def test_a_silence_clause_ends_where_the_document_speaks_again() -> None:
    silent, spoken = silence_clauses(
        "The policy says the scale rewards skill, but it gives no salary figures for any grade.\n"
        "The framework sets no waiting time before you can apply again: you receive a written statement."
    )
    assert silent == [
        "gives no salary figures for any grade",
        "sets no waiting time before you can apply again",
    ]
    assert "rewards skill" in " ".join(spoken) and "written statement" in " ".join(spoken)


def test_a_concepts_small_words_are_not_its_names() -> None:
    # "one to one" is a name for supervision: "one year's probation" is no supervision.
    stems = concept_alternatives(normalise("how often is supervision"))
    assert "supervis" in stems["supervis"]
    assert not {"one", "1", "to"} & stems["supervis"]


def test_a_stated_silence_on_the_yes_or_no_asked_is_no_answer(library: Library) -> None:
    # Coventry's pack records that the report does not say whether there will be pay protection; the old code
    # answered with the supplement's facts, as answered.
    answer = library.ask(
        "coventry", "Will there be any pay protection for people who lose the market supplement?"
    )
    assert not answer.answered
    assert answer.text.startswith("Coventry's policy doesn't say whether")
    assert "does not say whether there will be pay protection" in answer.text


def test_a_silence_the_pack_states_elsewhere_outranks_a_figure_of_something_else(library: Library) -> None:
    # The one year's service before a first application is not a wait after a refusal; Medway's pack says the
    # framework sets no waiting time. The old code answered with that silence, as answered.
    answer = library.ask("medway", "after a refusal is there a waiting period before reapplying for level 3?")
    assert not answer.answered
    assert answer.text.startswith("Medway's policy doesn't say")
    assert "sets no waiting time" in answer.text


@pytest.mark.parametrize(
    ("org", "question"),
    [
        ("medway", "what is the pass mark for the level 3 competency assessment?"),
        ("hertfordshire", "what percentage of the supplement is paid in the first instalment?"),
    ],
)
def test_a_detail_no_fact_gives_is_said_not_to_be_in_the_policy(
    library: Library, org: str, question: str
) -> None:
    answer = library.ask(org, question)
    assert not answer.answered
    assert "policy doesn't say" in answer.text.split("\n")[0]


def test_the_decline_names_the_detail_rather_than_nothing_about_that(library: Library) -> None:
    # The old code said "Medway's policy doesn't say anything about that": the pack covers levels 2 and 3,
    # and only the waiting time is missing.
    answer = library.ask(
        "medway", "Is there a set period I have to wait on Level 2 before applying for Level 3?"
    )
    assert not answer.answered
    first = answer.text.split("\n")[0]
    assert first.startswith("Medway's policy doesn't say whether") and "level 3" in first.lower()
    assert "What it does say that might help:" in answer.text


@pytest.mark.parametrize(
    ("org", "question", "said"),
    [
        ("bcc", "how many hours a week can I do on a second job?", "48 working hours"),
        ("medway", "how long have I got to challenge the decision?", "10 working days"),
        (
            "hertfordshire",
            "how long is the social work degree course at the University of Hertfordshire?",
            "3-year",
        ),
        (
            "bcc",
            "what proportion of the course cost do I pay back if I leave 12 months after finishing?",
            "half",
        ),
    ],
)
def test_a_detail_given_in_other_words_stands(library: Library, org: str, question: str, said: str) -> None:
    answer = library.ask(org, question)
    assert answer.answered
    assert said in answer.text
