"""Answers to what was asked (issue 13): each test is a question written for it, not one from a set, and
fails on the code before the change it guards."""

from __future__ import annotations

from knowledge.asks import Ask, read_asks
from knowledge.library import Library
from knowledge.text import normalise


def test_a_silence_quoted_beside_the_figure_gives_way_to_the_figure(library: Library) -> None:
    # The caseload topic's answer quotes the 14 beside a fact recording that the reduced numbers are not
    # given; judging only that answer declined. The facts giving the number are nearly as good and pass.
    answer = library.ask("coventry", "how many cases would a child protection social worker carry")
    assert answer.answered
    assert "14 per social worker" in answer.text


def test_how_many_needs_a_count_of_something(library: Library) -> None:
    # "how many" asks for a number (Ask.number is strict): the old code let a figure of another thing stand
    # ("approximately 3 practice examples" for each competency) as the number of supervision sessions.
    answer = library.ask("medway", "how many supervision sessions do I get each month?")
    assert not answer.answered
    assert answer.text.startswith("Medway's policy doesn't say")


def test_the_length_of_a_process_is_not_the_service_it_requires(library: Library) -> None:
    # Asked how long the application takes, the old code answered with the 3 years' post-qualifying
    # experience the role requires: a figure of the subject, not the one asked.
    answer = library.ask(
        "coventry", "how long does the advanced practitioner application take before I hear back?"
    )
    assert not answer.answered
    assert answer.text.startswith("Coventry's policy doesn't say")


def test_how_long_to_become_something_is_the_service_it_requires(library: Library) -> None:
    answer = library.ask("coventry", "how long does it take to become an advanced practitioner?")
    assert answer.answered
    assert "3 years post qualifying experience" in answer.text


def test_an_adverb_does_not_hide_a_how_to(library: Library) -> None:
    # "actually" stood between "how do I" and "apply": the old code read no ask and answered what level 3 is.
    answer = library.ask("medway", "how do I actually apply for level 3?")
    assert answer.answered
    assert answer.text.startswith("1. Work with your line manager")


def test_who_has_the_final_say_asks_who() -> None:
    # Asked as yes or no, "the final say" asks who decides: the answer must name who does, or say the policy
    # doesn't.
    assert Ask.who in read_asks(normalise("does the young people's panel get the final say?"))
    assert Ask.who in read_asks(normalise("who has the last word on my level 3?"))


def test_the_askers_time_is_weighed_against_the_rules_period(library: Library) -> None:
    # The old code quoted the two-year repayment rule and left the asker to work out where 20 months falls.
    inside = library.ask(
        "bcc", "I completed my PEPS course 20 months ago and may move council. do I repay it?"
    )
    assert inside.text.startswith("You say 20 months: that is within the two years.")
    beyond = library.ask("bcc", "I'm leaving four years after my course ended, will I owe the council money?")
    assert beyond.text.startswith("You say 4 years: that is beyond the two years.")


def test_on_the_boundary_only_the_boundary_is_said(library: Library) -> None:
    # Whether "within two years" takes in the second anniversary is the policy's to say, not ours.
    answer = library.ask("bcc", "if I leave 2 years after finishing my course do I pay back?")
    assert answer.text.startswith("You say 2 years: that is exactly the two years the rule sets.")


def test_a_grade_the_document_names_is_not_declined_as_unknown(library: Library) -> None:
    # BG9 is none of BCC's levels, but its document names it (the secondary employment rule); the old code
    # said "BCC's policy doesn't say anything about the post of BG9" and quoted only the other point's rule.
    answer = library.ask("bcc", "I'm BG9 on point 31 - who has to agree before I take a bank job?")
    assert answer.answered
    assert "chief officer" in answer.text
    assert "line manager's permission" not in answer.text  # the rule below SCP 28 is not theirs


def test_the_clause_for_the_askers_point_is_the_answer(library: Library) -> None:
    answer = library.ask("bcc", "i'm BG9 scp 26, who do i ask before doing agency shifts?")
    assert "line manager's permission" in answer.text
    assert "chief officer" not in answer.text


def test_on_a_threshold_the_policy_does_not_say_which(library: Library) -> None:
    answer = library.ask("bcc", "my point is SCP 28 on BG9, who signs off a second job?")
    assert answer.text.startswith(
        "Your spinal point, 28, is the threshold itself: the policy doesn't say which"
    )


def test_how_much_notice_is_the_notice_period_a_framework_may_not_give(library: Library) -> None:
    # The old code answered BCC's aims (Medway: its pay table) to a question about the notice period.
    answer = library.ask("bcc", "how much notice should I hand in before I leave bcc?")
    assert not answer.answered
    assert answer.text.startswith("BCC's policy doesn't say anything about how much notice")


def test_the_service_a_rule_requires_is_no_wait_before_applying_again(library: Library) -> None:
    # "one year's service" (with its 's) was taken for how long to wait after a refusal.
    answer = library.ask(
        "medway", "if my level 2 application is turned down, how long until I can apply again?"
    )
    assert not answer.answered
    assert answer.text.startswith("Medway's policy doesn't say")


def test_the_next_of_the_rules_months_after_the_askers(library: Library) -> None:
    # The old code gave the panel's months and left the asker to count on from December.
    answer = library.ask(
        "bcc", "my evidence will be done in December, which is the next panel I can submit to?"
    )
    assert answer.text.startswith("You say December: the next of those months after it is June.")
    same = library.ask("bcc", "I'll be ready in June, when is the next panel?")
    assert not same.text.startswith("You say")  # whether June's own panel is still open, it doesn't say
