"""A part of a question that points back by a pronoun ("how long is it?") is asked of what the part before
asks about; and what a pack says of a whole grade is said of each level on it."""

from knowledge.library import Library
from knowledge.parts import own_words, refers_back


def test_a_parts_own_words_leave_out_the_shared_scene() -> None:
    before = "I'm an NQSW joining bcc is there a probation period"
    part = "I'm an NQSW joining bcc how long is it?"
    assert own_words(part, before) == "how long is it?"
    assert refers_back(part, before) == "how long is it?"
    assert refers_back("I'm an NQSW joining bcc what does level 2 pay?", before) is None


def test_how_long_is_it_asks_the_length_of_the_probation_period(library: Library) -> None:
    # The old code read "how long is it?" on its own (with the scene) and said the policy doesn't say.
    answer = library.ask(
        "bcc", "I'm an NQSW joining bcc children's - is there a probation period and how long is it?"
    )
    assert answer.answered
    assert "one year probation period" in answer.text


def test_a_fact_of_the_whole_grade_is_said_of_the_asye_on_it(library: Library) -> None:
    # BCC's probation fact is said of BG10, the grade the ASYE is on. The old code took it for another
    # level's and gave an empty reply, marked answered.
    answer = library.ask("bcc", "I'm an NQSW joining bcc children's is there a probation period")
    assert answer.answered
    assert answer.text.startswith("You will have a one year probation period")
