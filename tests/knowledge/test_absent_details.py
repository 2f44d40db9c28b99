"""A subject the document names, with the figure or length of time asked for absent: the policy doesn't say
that, rather than a neighbouring figure said of something else."""

from __future__ import annotations

from knowledge.library import Library


def test_a_figure_said_of_another_item_is_not_the_answer(library: Library) -> None:
    # BCC lists Signs of Safety among its training with no length; the old code answered with the list in
    # which another course is "(3 days)".
    answer = library.ask("bcc", "how many days does the Signs of Safety training last?")
    assert not answer.answered
    assert answer.text.startswith("BCC's policy doesn't say")
    assert "Signs of Safety" in answer.text  # what the policy does say about it follows


def test_a_figure_said_of_the_subject_stands(library: Library) -> None:
    # "It is a 3-year course" speaks of the degree the sentence before it names.
    answer = library.ask(
        "hertfordshire", "how long is the social work degree course at the University of Hertfordshire?"
    )
    assert answer.answered
    assert "3-year" in answer.text


def test_a_figure_the_answer_gives_of_its_subject_is_kept(library: Library) -> None:
    answer = library.ask("coventry", "how much is the market supplement for child protection social workers?")
    assert answer.answered
    assert "£5,000" in answer.text


def test_a_figure_in_a_facts_first_sentence_speaks_for_the_sentences_after_it(library: Library) -> None:
    # "Give approximately 3 examples for each competency. Evidence should be examples of your practice ...":
    # the second sentence names more of the subject without a figure; the old code took that for absence.
    answer = library.ask("medway", "how many examples per competency does my progression evidence need?")
    assert answer.answered
    assert "approximately 3 examples" in answer.text


def test_the_length_of_another_move_between_levels_is_not_the_one_asked(library: Library) -> None:
    # The old code answered H7 to H8 with "H8 to H9 ... usually takes approximately 12/18 months" (and took
    # H7's "£19,185 to £21,282 a year" for a length of time).
    answer = library.ask("hertfordshire", "how long is it usually from H7 up to H8?")
    assert not answer.answered
    assert answer.text.startswith("Hertfordshire's policy doesn't say")


def test_the_length_of_the_move_asked_stands(library: Library) -> None:
    answer = library.ask("hertfordshire", "how long does progression from H8 to H9 take?")
    assert answer.answered
    assert "12/18 months" in answer.text


def test_a_figure_of_the_whole_is_not_the_figure_of_the_unit_asked(library: Library) -> None:
    # Coventry gives 50 advanced social worker posts in all and speaks of areas only for transfers; the old
    # code answered "each service area" with the total, since the figure named as much of the subject as
    # the line about areas did.
    answer = library.ask("coventry", "How many advanced social worker posts are there in each service area?")
    assert not answer.answered
    assert answer.text.startswith("Coventry's policy doesn't say")


def test_a_time_of_the_thing_not_of_the_event_asked_is_no_answer(library: Library) -> None:
    # Hertfordshire pays the supplement in two instalments and gives no dates; the old code answered with
    # the supplements' amounts, whose "4 years service" read as a time.
    answer = library.ask(
        "hertfordshire", "what date is the second instalment of the market supplement paid on?"
    )
    assert not answer.answered
    assert answer.text.startswith("Hertfordshire's policy doesn't say")
    assert "instalments" in answer.text  # what it does say of them follows


def test_the_total_asked_stands(library: Library) -> None:
    answer = library.ask("coventry", "how many advanced social worker posts are there?")
    assert answer.answered
    assert "50 FTE" in answer.text


def test_a_figure_asked_by_the_name_of_a_measure_the_document_never_names(library: Library) -> None:
    # BCC's document never speaks of a pass mark: the old code gave its "3 levels" of accreditation as one.
    answer = library.ask("bcc", "what is the pass mark for the national accreditation exam at bcc?")
    assert not answer.answered
    assert answer.text.startswith("BCC's policy doesn't say what the pass mark")
