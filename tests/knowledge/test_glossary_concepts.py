"""The shared glossary: a question in a social worker's own term for a concept reaches the fact the
document states under its term, and the answer keeps the document's word; a term of employment that a
document never names in any of its words is declined by name, never answered with a neighbouring fact.
Each case fails without its glossary entry (the word is the asker's, not the document's)."""

from __future__ import annotations

import pytest

from knowledge.library import Library
from knowledge.text import normalise

# (organisation, question in the worker's term, the document's own words the answer must carry)
REACHED = [
    # "fast track" is Medway's acceleration (5.5: 37 -> 41).
    ("medway", "can I be fast tracked to level 3?", "accelerate"),
    # A PDR is BCC's appraisal and Hertfordshire's performance management plan.
    ("bcc", "does my PDR link to progression?", "appraisal"),
    ("hertfordshire", "how often is my PDR reviewed?", "performance management plan"),
    # Attrition is turnover (2.4: 17%).
    ("hertfordshire", "what is the attrition rate in herts?", "turnover rate is 17%"),
    # The front door is Medway's Duty and Assessment Teams and Hertfordshire's Referral & Assessment.
    ("medway", "what support do front door teams get?", "Duty and Assessment Teams"),
    ("hertfordshire", "how many front door social workers are in post?", "Referral & Assessment"),
    # The redesign is Coventry's restructure; staff unhappy with their area can request internal transfers (5.3).
    ("coventry", "unhappy with my new team since the redesign, can I move?", "internal transfers"),
    # NAAS is BCC's national system of assessment and accreditation (2.3).
    ("bcc", "what is NAAS?", "accreditation"),
]  # fmt: skip


# (organisation, question naming a term of employment its document never names, the name in the decline)
NOT_NAMED = [
    ("medway", "can I act up into a senior practitioner role?", "act up"),
    ("medway", "will I be pay protected if I progress?", "pay protected"),
    ("hertfordshire", "is there london weighting for herts social workers?", "london weighting"),
]  # fmt: skip

CASES = [(org, q, True, said) for org, q, said in REACHED] + [
    (org, q, False, f"doesn't say anything about {named}") for org, q, named in NOT_NAMED
]


def test_one_to_ones_reach_supervision_without_borrowing_another_review_s_frequency(library: Library) -> None:
    """ "One to ones" are supervision; the report says it is regular, not how often (the performance
    management plan's "twice annually" is another thing's frequency), so it says so and gives the line."""
    answer = library.ask("hertfordshire", "how often do I get one to ones with my manager?")
    assert not answer.answered and "doesn't say how often" in answer.text
    assert "regular supervision" in answer.text


@pytest.mark.parametrize(("org", "question", "answered", "said"), CASES)
def test_the_workers_term_reaches_the_documents_words(
    library: Library, org: str, question: str, answered: bool, said: str
) -> None:
    answer = library.ask(org, question)
    assert answer.answered is answered and said in answer.text, answer.text


def test_chat_shortenings_of_a_post_are_read_as_the_post() -> None:
    # "senior prac", "quals": how workers write them; the old reading kept "prac" and "quals" as words
    # no policy uses.
    assert normalise("I'm not a senior prac, are my quals enough?") == (
        "i am not a senior practitioner are my qualifications enough"
    )


def test_coming_into_force_is_being_implemented(library: Library) -> None:
    # Coventry §8.1: the recommendations "can be implemented immediately". The old code answered with when
    # the board agreed them.
    answer = library.ask("coventry", "when will the recommendations come into force?")
    assert "implemented immediately" in answer.text.split("\n")[0]


def test_coming_into_force_is_taking_effect(library: Library) -> None:
    # Medway §11.1: the revised framework "with effect from 1 April 2010". The old code found nothing that
    # answers "when did it come into force?".
    answer = library.ask("medway", "when did the competency framework come into force?")
    assert answer.answered and "1 April 2010" in answer.text


def test_on_paper_is_the_written_evidence(library: Library) -> None:
    # Medway: "The assessment is objective, based on the written evidence you provide". Asked whether it is done
    # "on paper", the old code found nothing in the document's words and declined.
    answer = library.ask("medway", "is my progression assessed on paper?")
    assert answer.answered and "based on the written evidence you provide" in answer.text
