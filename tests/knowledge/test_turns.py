"""A cited section whose next section turns it ("However, ...") is said with that turn."""

from __future__ import annotations

from knowledge.library import Library


def test_a_statement_the_document_goes_on_to_qualify_is_said_with_the_qualification(library: Library) -> None:
    # Hertfordshire §2.11: "In the normal course of events, Team Managers do not hold any cases"; §2.12:
    # "However, given our vacancies, Team Managers are having to cover casework". The old code stopped at
    # §2.11, telling the asker the opposite of what the report goes on to say.
    answer = library.ask("hertfordshire", "are team managers in herts holding any casework?")
    assert "do not hold any cases" in answer.text
    assert "However, given our vacancies, Team Managers are having to cover casework" in answer.text
    assert "§2.12" in answer.text


def test_a_section_followed_by_no_turn_is_said_alone(library: Library) -> None:
    answer = library.ask("medway", "how much is spinal point 39?")
    assert "However" not in answer.text
