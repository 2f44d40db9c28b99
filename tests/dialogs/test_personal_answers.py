"""In chat the bot knows who is asking: "my pay" and "my next level" use the roster record, and say so."""

from __future__ import annotations

from tests.dialogs.conftest import Chat, all_text


def test_my_pay_comes_from_my_spinal_point_on_the_roster(chat: Chat) -> None:
    told = all_text(chat.say("worker@medway.example", "what's my pay?"))
    assert "From your record: Level 2 Social Worker, spinal point 37." in told
    assert "£30,851" in told  # point 37 in Medway's pay table, §3.1


def test_my_next_level_is_the_one_above_mine_on_the_roster(chat: Chat) -> None:
    told = all_text(chat.say("worker@medway.example", "what do I need for my next level?"))
    assert "Level 3 Social Worker" in told and "Broad experience across the full range" in told
    assert "From your record: Level 2 Social Worker" in told


def test_a_question_about_someone_else_does_not_use_my_record(chat: Chat) -> None:
    told = all_text(chat.say("worker@medway.example", "how much is level 3?"))
    assert "From your record" not in told and "£36,313" in told


def test_a_question_with_two_readings_is_asked_back_with_a_button_for_each(chat: Chat) -> None:
    replies = chat.say("hr@bcc.example", "what training is mandatory for me?")  # HR's record has no framework
    assert "Which do you mean?" in all_text(replies)
    labels = [b.label for b in replies[0].buttons]
    assert labels == [
        "what training is mandatory for me (Children and Families social work)",
        "what training is mandatory for me (Adult social work)",
    ]
    chosen = chat.press("hr@bcc.example", replies[0].buttons[1])
    assert "Safeguarding Adults" in all_text(chosen) and "Signs of Safety" not in all_text(chosen)


def test_the_record_says_which_reading_is_mine(chat: Chat) -> None:
    told = all_text(chat.say("worker@bcc.example", "what training is mandatory for me?"))
    assert "Which do you mean?" not in told and "Signs of Safety" in told  # Will works in children's
