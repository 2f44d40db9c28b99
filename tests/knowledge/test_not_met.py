"""Not meeting the criteria is not being approved: what happens then is the process's own statement, in
whatever words the asker puts it ("I haven't met the criteria")."""

import pytest

from knowledge.library import Library
from knowledge.text import normalise


def test_negated_contractions_are_spelt_out() -> None:
    assert normalise("I haven't met it, it wasn't agreed and they aren't sure") == (
        "i have not met it it was not agreed and they are not sure"
    )


@pytest.mark.parametrize(
    "question",
    [
        "what happens if my manager decides I haven't met the criteria - do I get told why?",
        "what if my TM says I have not met the criteria for level 2?",
    ],
)
def test_not_meeting_the_criteria_is_answered_by_what_happens_when_not_endorsed(
    library: Library, question: str
) -> None:
    answer = library.ask("medway", question)
    assert answer.answered
    assert "full written statement of why" in answer.text
