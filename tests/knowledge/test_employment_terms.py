"""Agency workers and redundancy are terms of employment: a question about them is answered only by what the
policy says of them; and a figure's comma does not end the clause a decline repeats."""

from knowledge.library import Library
from knowledge.wording import what_was_asked


def test_agency_staff_asked_of_a_supplement_is_not_answered_by_who_it_is_for(library: Library) -> None:
    # The old code answered with the supplement's amounts, as though agency workers got it.
    answer = library.ask(
        "hertfordshire", "I'm an agency SW in a quadrant CP team. Do I get the £2,000 market supplement too?"
    )
    assert not answer.answered
    assert answer.text.startswith(
        "Hertfordshire's policy doesn't say whether you get the £2,000 market supplement"
    )


def test_being_made_redundant_is_not_answered_by_the_leaving_rule(library: Library) -> None:
    # The old code answered "You say 2 years: that is exactly the two years the rule sets." and the clawback.
    answer = library.ask(
        "bcc", "would I still have to repay the course money if I was made redundant within the two years?"
    )
    assert not answer.answered
    assert answer.text.startswith("BCC's policy doesn't say")


def test_a_figures_comma_stays_in_what_was_asked() -> None:
    assert (
        what_was_asked("Do I get the £2,000 market supplement too?")
        == "whether you get the £2,000 market supplement too"
    )


def test_a_glossary_name_in_the_plural_names_its_concept(library: Library) -> None:
    # "lease cars": the old code matched only "lease car", and answered with where the supplements apply.
    answer = library.ask("hertfordshire", "does herts offer lease cars to child protection social workers?")
    assert not answer.answered
    assert "lease cars" in answer.text


def test_a_cap_on_numbers_the_policy_never_mentions_is_said_not_to_be_set(library: Library) -> None:
    # The old code answered with level 3's card (pay and requirements) as though it answered the cap.
    answer = library.ask("medway", "is there a cap on how many social workers can be on level 3 at once?")
    assert not answer.answered
    assert answer.text.startswith("Medway's policy doesn't say anything about a limit on numbers.")


def test_a_condition_the_policy_never_names_is_not_answered_by_the_rule_for_everyone(
    library: Library,
) -> None:
    # Many of the question's other words are the clawback rule's, which outweighed the one unnamed concept.
    answer = library.ask(
        "bcc",
        "If I'm made redundant within two years of finishing my course do I still have to pay the training costs back?",
    )
    assert not answer.answered
    assert answer.text.startswith("BCC's policy doesn't say")


def test_locum_work_on_the_side_is_secondary_employment_not_agency_work(library: Library) -> None:
    answer = library.ask("bcc", "max hours per week if I do locum work")
    assert answer.answered
    assert "48 working hours" in answer.text


def test_a_limit_on_hours_is_a_length_of_time_not_a_limit_on_numbers(library: Library) -> None:
    # BCC §1.4: secondary employment "should not exceed 48 working hours per week". The old code heard "a
    # limit on how many" as a quota and said the policy doesn't say anything about a limit on numbers.
    answer = library.ask("bcc", "is there a limit on how many hours a week I can work with a second job?")
    assert answer.answered and "48 working hours" in answer.text


def test_a_decline_that_says_the_term_back_still_never_quotes_a_passage_for_it(library: Library) -> None:
    # Medway never names study leave. The decline says the asker's words back ("doesn't say how many days study
    # leave you get"), and the old code took that for the document using them: it quoted the review's "within
    # 10 working days" as the answer.
    answer = library.ask("medway", "how many days study leave do I get for my PQ?")
    assert not answer.answered
    assert answer.text.startswith("Medway's policy doesn't say how many days study leave you get")
