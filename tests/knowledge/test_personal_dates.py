"""Arithmetic on the asker's dates: the roster's, or those they state ("I started in March 2025"), against the
policy's own minimum service, saying which facts came from their record."""

from __future__ import annotations

from datetime import date

from knowledge.asker import Asker, stated_service
from knowledge.library import Library
from knowledge.personal import add_years
from knowledge.text import normalise


def test_the_day_a_service_rule_is_met_is_worked_out_from_the_record(library: Library) -> None:
    # Medway: "at least one year's service with the Council before applying". The old code said "you have
    # told me about 9 months" of a length the worker never told, and not when the year is up.
    asker = Asker(level="level-1", started_on=date(2025, 10, 1), today=date(2026, 6, 1))
    answer = library.ask("medway", "how long until I can apply for level 2?", asker)
    assert answer.text.startswith("From your record:")
    assert "Not yet" in answer.text
    assert (
        "Your record says you started on 1 October 2025. 1 year from then is 1 October 2026." in answer.text
    )
    assert "told me" not in answer.text


def test_a_date_the_asker_states_is_counted_from(library: Library) -> None:
    # The old code listed level 2's requirements without a word on whether the year was up.
    asker = Asker(today=date(2026, 1, 5))
    answer = library.ask("medway", "I started in March 2025 - can I apply for level 2 yet?", asker)
    assert answer.text.startswith("Not yet, going by the policy.")
    assert "You started in March 2025. 1 year from then is March 2026." in answer.text
    assert "record" not in answer.text


def test_a_stated_date_is_counted_to_the_end_of_the_year_asked_about() -> None:
    (found,) = stated_service(
        normalise("I qualified in summer 2016, can I apply this year (2018)?"), date(2026, 1, 1)
    )
    assert (found.since, found.precision, found.basis) == (date(2016, 7, 1), "summer", "qualifying")
    assert 2.4 < found.years < 2.6
    assert stated_service(normalise("I started on 31 February 2024"), date(2026, 1, 1)) == []


def test_years_are_added_to_a_date_whole_months_at_a_time() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2025, 10, 31), 1.5) == date(2027, 4, 30)
