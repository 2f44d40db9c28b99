"""A fact that records where the document is silent (`silent_on`) answers that ask with a silence: the
reply says the policy doesn't say it, first, then the fact, and is not counted as answered."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from knowledge.asks import Ask, says_nothing
from knowledge.index import PackIndex
from knowledge.library import Library
from knowledge.models import Fact, Source


def test_a_fact_silent_on_the_amount_asked_is_not_an_answer(library: Library) -> None:
    # Medway's document names the duty and assessment allowances but gives no figures: the old code sent its
    # fact ("This policy does not give the amounts") as answered, its "2009" read as a figure.
    answer = library.ask(
        "medway", "how much extra do team managers in duty and assessment get as an allowance?"
    )
    assert not answer.answered
    assert answer.text.startswith("Medway's policy doesn't say")
    assert "October 2009 report" in answer.text  # the fact that helps follows


def test_a_silence_in_one_part_leaves_the_question_unanswered(library: Library) -> None:
    answer = library.ask(
        "medway", "what does level 3 pay, and how much is the duty and assessment allowance?"
    )
    assert not answer.answered
    assert "£36,313" in answer.text  # the part the policy does answer is still given
    assert "doesn't say how much the duty and assessment allowance is" in answer.text


def test_a_fact_silent_on_who_decides_answers_no_who_question(library: Library) -> None:
    answer = library.ask("hertfordshire", "who would assess my evidence to become a senior practitioner?")
    assert not answer.answered
    assert answer.text.startswith("Hertfordshire's policy doesn't say")


def test_a_silent_fact_never_gives_what_it_is_silent_on(library: Library) -> None:
    index: PackIndex = library.indexes["medway"]
    silent = [i for i, p in enumerate(index.passages) if p.silent]
    assert silent, "Medway's pack records a silence"
    assert all(not index.passages[i].silent & index.gives[i] for i in silent)


def test_a_fact_cannot_answer_and_be_silent_on_the_same_ask() -> None:
    with pytest.raises(ValidationError, match="both answers and is silent on"):
        Fact(id="x", topics=["pay"], text="t", answers=[Ask.amount], silent_on=[Ask.amount],
             source=Source(section="1"))  # fmt: skip


def test_a_fact_giving_one_thing_but_no_other_is_silent_on_the_other(library: Library) -> None:
    # BCC's fact "gives the months the Progression Panel meets (September and June) but no deadline for
    # submissions": asked the deadline, the old code answered with it as though it gave one.
    assert says_nothing("The policy gives the months the panel meets but no deadline for submissions.")
    assert not says_nothing("You may apply again, but no one may apply more than twice a year.")
    answer = library.ask("bcc", "what's the deadline for getting my portfolio in for the september panel?")
    assert not answer.answered and answer.text.startswith("BCC's policy doesn't say")
    assert "September" in answer.text and "June" in answer.text  # the months it does give follow


def test_a_silence_on_the_detail_asked_by_its_name_is_the_answer(library: Library) -> None:
    # BCC gives the panel's months "but no deadline for submissions". Asked for the deadline by name, the old
    # code answered with the months: "deadline" asks when, but its cue was written "deadlines?", so the word
    # was not known as the detail asked, and the silence beside the months was not heard as the answer.
    answer = library.ask("bcc", "whens the deadline for my portfolio for the september panel?")
    assert not answer.answered
    assert "no deadline for submissions" in answer.text


def test_a_silence_on_the_askers_own_time_leaves_what_applies_to_them_open(library: Library) -> None:
    # Hertfordshire's pack records that the report "does not say which applies at exactly 4 years". The old code
    # quoted that silence to a worker with exactly 4 years' service and marked the reply answered.
    answer = library.ask(
        "hertfordshire", "I'm on exactly 4 years service in a quadrant CP team, which supplement is mine?"
    )
    assert not answer.answered
    assert "does not say which applies at exactly 4 years" in answer.text


def test_a_silence_naming_the_organisation_as_the_question_does_leaves_the_yes_or_no_open(
    library: Library,
) -> None:
    # Coventry's pack says the report "does not say whether that experience must be with Coventry". Asked
    # just that, the old code answered "On service, yes ... You have told me about 4 years": the silence named
    # only one word of the question once the organisation's own name was left out of both.
    answer = library.ask(
        "coventry",
        "I have 4 years PQE. does it have to be experience at Coventry or would my years at another council count?",
    )
    assert not answer.answered
    assert answer.text.startswith(
        "Coventry's policy doesn't say whether it does have to be experience at coventry"
    )


def test_asked_for_a_detail_the_organisations_name_is_only_where_it_is_asked(library: Library) -> None:
    answer = library.ask(
        "coventry", "how much experience do I need to become an advanced practitioner in Coventry?"
    )
    assert answer.answered and "3 years post qualifying experience" in answer.text  # a guard


def test_a_figure_given_only_for_another_time_than_the_askers_is_not_theirs(library: Library) -> None:
    # BCC gives the refund only for leaving after twelve months ("half back") and "does not give the other points
    # of the scale": the old code answered 15 months as though the rule gave its figure.
    answer = library.ask(
        "bcc", "I'm leaving bcc 15 months after my PEPS course finished - how much will I have to pay back?"
    )
    assert not answer.answered and answer.text.startswith(
        "BCC's policy doesn't say how much you will have to pay back"
    )
    at_twelve = library.ask("bcc", "I'm leaving 12 months after finishing my course, how much do I pay back?")
    assert at_twelve.answered and "half back" in at_twelve.text  # the time the rule gives a figure for
