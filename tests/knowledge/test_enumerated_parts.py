"""A question that numbers what it asks ("(1) ..., (2) ..., and (3) ...", the register of a formal request)
is answered item by item (knowledge.parts). The questions are written for this test, not taken from a set."""

from __future__ import annotations

from knowledge.library import Library
from knowledge.parts import question_parts


def test_numbered_items_are_parts() -> None:
    parts = question_parts(
        "Under the FOI Act please set out: (1) the vacancy rate in the report, (2) the date the framework was "
        "agreed, and (3) how long is the probation period?"
    )
    assert parts == [
        "what is the vacancy rate in the report?",
        "what is the date the framework was agreed?",
        "how long is the probation period?",
    ]


def test_lettered_items_that_ask_stay_as_asked() -> None:
    parts = question_parts("FOI: (a) when was the framework agreed, (b) who signs off a progression?")
    assert parts == ["when was the framework agreed", "who signs off a progression?"]


def test_one_numbered_item_is_not_split() -> None:
    text = "I'm on (1) point of level 1, what do I need for level 2?"
    assert question_parts(text) == [text]


def test_every_numbered_item_is_answered(library: Library) -> None:
    # The old code read the items after the colon as a scene and answered only the vacancy rate.
    answer = library.ask(
        "medway",
        "Freedom of Information request, please set out: (1) the social work vacancy rate given in the report, "
        "and (2) the date the three-tier framework was agreed.",
    )
    assert answer.answered
    assert "16%" in answer.text
    assert "13 October 2009" in answer.text
