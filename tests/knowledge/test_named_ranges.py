"""A grade's or level's name is no figure, nor is the far end of a range of names ("BG10 to 14")."""

import pytest

from knowledge.asks import Ask, answers
from knowledge.library import Library


@pytest.mark.parametrize("text", ["posts from BG10 to 14", "on BG10", "grades 7-8 only", "levels 1 to 3"])
def test_names_of_grades_give_no_figure(text: str) -> None:
    assert Ask.amount not in answers(text)


@pytest.mark.parametrize("text", ["BG12 pays 32000", "£29,236 at point 35", "50 FTE posts"])
def test_figures_beside_names_still_count(text: str) -> None:
    assert Ask.amount in answers(text)


def test_a_count_not_given_is_not_answered_by_a_range_of_grades(library: Library) -> None:
    answer = library.ask("bcc", "how many BG11 posts are there in adult services?")
    assert not answer.answered
    assert answer.text.startswith("BCC's policy doesn't say")


def test_a_levels_pay_says_how_many_points_it_has(library: Library) -> None:
    # The old reply listed points 36-40 and left the asker to count them.
    answer = library.ask("medway", "how many spinal points are there in level 2 at medway and which ones?")
    assert answer.text.startswith("Level 2 Social Worker: 5 spinal points, 36–40, point 36 £30,011")


def test_the_number_of_a_step_is_no_figure() -> None:
    assert Ask.amount not in answers(
        "1. Work with your line manager. 2. If you are newly qualified, complete it."
    )
    assert Ask.amount in answers("The caseload is 14. The rest is shared.")


def test_how_many_times_without_a_rate_is_still_a_count() -> None:
    from knowledge.asks import read_asks

    assert Ask.number in read_asks("is there a limit on how many times i can apply")
