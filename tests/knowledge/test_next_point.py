"""A worker who gives spinal points gets each one's pay from the table; asked what the next point up pays,
the point above's, told when it belongs to the next level (reached by progressing, not by increment)."""

from __future__ import annotations

from knowledge.library import Library


def test_the_next_point_within_the_level(library: Library) -> None:
    # Medway §3.1: point 34 £28,636, point 35 £29,236 (both Level 1). The old code gave point 34 alone.
    answer = library.ask("medway", "I'm on SCP 34, what would the next point up pay?")
    assert answer.answered and "£28,636" in answer.text and "£29,236" in answer.text


def test_the_next_point_in_the_next_level_says_it_is_reached_by_progressing(library: Library) -> None:
    answer = library.ask("medway", "I'm on point 35 - what does my next increment pay?")
    assert "£30,011" in answer.text and "progressing to Level 2" in answer.text


def test_the_top_of_the_table_has_no_next_point(library: Library) -> None:
    answer = library.ask("medway", "I'm on SCP 43, what's the next point up worth?")
    assert "top of" in answer.text and "£36,313" in answer.text
    assert "44" not in answer.text


def test_every_point_of_a_list_is_priced(library: Library) -> None:
    # Medway §3.1: point 34 £28,636, point 40 £33,661. The old reading took only the first point of a list.
    answer = library.ask("medway", "what do spinal points 34 and 40 pay?")
    assert "£28,636" in answer.text and "£33,661" in answer.text
    listed = library.ask("medway", "what are points 36, 38 or 39 worth?").text
    assert all(figure in listed for figure in ("£30,011", "£31,754", "£32,800"))


def test_a_level_then_on_a_number_is_the_point_on_it(library: Library) -> None:
    # "L2 on 39" is point 39 of level 2: the old code read no point, and listed what level 3 needs instead of
    # where on it the asker would move.
    answer = library.ask("medway", "Im L2 on 39 and my evidence is at L3 standard, can I move up to L3 now?")
    assert answer.text.startswith(
        "If you can evidence Level 3 Social Worker competency, you could progress from"
    )
    assert "(point 39, £32,800)" in answer.text


def test_the_top_of_the_askers_own_level(library: Library) -> None:
    # "the most I can get before I'm out of my band" asks the top of the level their point is on: the old code
    # said only what their own point pays.
    answer = library.ask("medway", "I'm on point 37 - what's the most I can earn before I'm out of my band?")
    assert "The top of Level 2 Social Worker is spinal point 40, £33,661 a year." in answer.text
