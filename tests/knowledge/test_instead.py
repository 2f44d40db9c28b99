"""Asked whether something is automatic, a no goes on to the policy's steps: what the asker does instead."""

from knowledge.library import Library


def test_no_automatic_transfer_is_followed_by_how_to_get_there(library: Library) -> None:
    # The old code said only that there is no automatic transfer.
    answer = library.ask(
        "coventry", "I'm on the market supplement now. Will I be moved across to the AP role automatically?"
    )
    assert answer.answered
    lines = answer.text.split("\n")
    assert "no automatic transfer" in lines[0]
    assert lines[1].startswith("Instead: 1. ")
    assert "Apply for an advanced social worker role" in answer.text


def test_a_question_that_does_not_ask_automatically_gets_no_steps_added(library: Library) -> None:
    answer = library.ask("coventry", "what is the market supplement?")
    assert "Instead: " not in answer.text


def test_the_steps_are_not_added_twice(library: Library) -> None:
    answer = library.ask("coventry", "how do I apply to be an AP, is it automatic?")
    assert answer.text.count("1. Check you have 3 years") <= 1


def test_moving_up_after_a_route_is_answered_by_how_anyone_progresses(library: Library) -> None:
    # BCC §1: progression is based on a vacancy and the portfolio, then recruitment. The rule is said of no
    # route in particular, so the old code found it not "about" PEPS and declined.
    answer = library.ask("bcc", "once I've finished PEPS stage 1 will I move up a grade automatically?")
    assert answer.answered and answer.text.startswith("Not automatically")
    assert "vacancy" in answer.text
