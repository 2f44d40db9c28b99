"""Asked what the next point up pays, a worker who gives their spinal point gets the point above's pay
from the same table, told when it belongs to the next level (reached by progressing, not by increment)."""

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
