""" "How many times a year" asks how often, and "a year" in it is a rate, not the asker's length of service."""

from knowledge.asks import Ask, read_asks
from knowledge.library import Library


def test_how_many_times_a_year_asks_when_not_a_count() -> None:
    asks = read_asks("how many times a year can i apply for accelerated progression")
    assert Ask.when in asks
    assert Ask.number not in asks


def test_how_many_posts_still_asks_a_count() -> None:
    assert Ask.number in read_asks("how many advanced social worker posts are there")


def test_a_rate_is_not_taken_for_the_askers_service(library: Library) -> None:
    # Medway's policy says nothing of how often one may apply: not "You have told me about 1 year".
    answer = library.ask("medway", "how many times a year can i apply for accelerated progression at medway?")
    assert "told me about" not in answer.text
    assert not answer.answered
    assert "doesn't say how many times a year" in answer.text
