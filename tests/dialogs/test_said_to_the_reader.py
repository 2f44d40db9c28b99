"""Transcripts of what each person reads (issue 16): cards addressed to their recipient with the story
so far, every party told each outcome that concerns them, status in plain sentences, help by role,
and a legend for the checklist's marks."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from dialogs.messages import Reply
from knowledge.models import RouteStage
from tests.dialogs.conftest import Chat, all_text, find_button
from tests.dialogs.test_reassign_delegate_escalate import app_id
from tests.dialogs.test_workflows import submit

WORKER, MANAGER, SERVICE, HR = (
    "worker@medway.example", "tm@medway.example", "sm@medway.example", "hr@medway.example"
)  # fmt: skip
MEDWAY_FIELDS = {"competencies": "met", "attendance_punctuality_diversity": "have"}


def card_text(replies: list[Reply]) -> str:
    """Everything a card shows: its title, fields and body."""
    shown = []
    for reply in replies:
        if reply.card is not None:
            shown += [
                reply.card.title,
                *(f"{f.label}: {f.value}" for f in reply.card.fields),
                reply.card.body,
            ]
    return "\n".join(shown)


def recommend(chat: Chat, note: str = "") -> None:
    card = chat.inbox(MANAGER)
    chat.press(MANAGER, find_button(card, "Progressed"), note=note, **MEDWAY_FIELDS)


def test_the_line_managers_card_speaks_to_the_line_manager(chat: Chat) -> None:
    submit(chat, WORKER, "apply for level 3")
    shown = card_text(chat.inbox(MANAGER))
    assert (
        "Wendy Worker asks you, as their line manager, for your recommendation on their application for Level 3 Social Worker."
        in shown
    )
    assert "Your line manager" not in shown and "whether you are progressed" not in shown
    assert "The line manager records whether the applicant is progressed" in shown
    assert "• Wendy Worker sent it on 23 November 2026." in shown


def test_the_authorisers_card_says_who_recommended_when_and_with_what_note(chat: Chat) -> None:
    submit(chat, WORKER, "apply for level 3")
    recommend(chat, note="Strong court work this year")
    shown = card_text(chat.inbox(SERVICE))
    assert (
        "Wendy Worker asks you, as service manager, to authorise their application for Level 3 Social Worker, or not."
        in shown
    )
    assert "Tara Manager recommended it ('Progressed') on 23 November 2026." in shown
    assert "Recorded: All the competencies appropriate: met;" in shown
    assert "Note: Strong court work this year." in shown


def test_the_line_manager_is_told_what_the_authoriser_decided(chat: Chat) -> None:
    submit(chat, WORKER, "apply for level 3")
    recommend(chat)
    sams = chat.inbox(SERVICE)
    chat.press(SERVICE, find_button(sams, "Do not authorise"), reasons="The evidence is thin on court work",
               actions="Add two court examples")  # fmt: skip
    told = all_text(chat.inbox(MANAGER))
    assert (
        "News of Wendy Worker's application for Level 3 Social Worker (you made the Line manager's recommendation)"
        in told
    )
    assert "Sam Service did not authorise it ('Do not authorise') on 23 November 2026." in told
    assert "Reasons: The evidence is thin on court work." in told and "It was not agreed this time." in told


def test_the_line_manager_is_told_of_an_approval_too(chat: Chat) -> None:
    submit(chat, WORKER, "apply for level 3")
    recommend(chat)
    chat.press(SERVICE, find_button(chat.inbox(SERVICE), "Authorise"))
    told = all_text(chat.inbox(MANAGER))
    assert "Sam Service authorised it ('Authorise') on 23 November 2026." in told
    assert "It was approved, effective from 23 November 2026." in told


def test_the_line_manager_hears_the_outcome_of_a_decision_passed_on_from_them(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    chat.say(HR, f"reassign {app_id(sessions)} to tm2@medway.example")
    chat.inbox(MANAGER)
    chat.press(
        "tm2@medway.example", find_button(chat.inbox("tm2@medway.example"), "Progressed"), **MEDWAY_FIELDS
    )
    told = all_text(chat.inbox(MANAGER))
    assert "News of Wendy Worker's application for Level 3 Social Worker (you are their line manager)" in told
    assert (
        "Tom Other recommended it ('Progressed')" in told
        and "It is with Sam Service for the Authorisation" in told
    )


def test_status_lines_are_plain_sentences(chat: Chat) -> None:
    submit(chat, WORKER, "apply for level 3")
    waiting = all_text(chat.say(WORKER, "status"))
    assert "It is with Tara Manager for the Line manager's recommendation, since 23 November 2026." in waiting
    mine = all_text(chat.say(MANAGER, "status"))
    assert re.search(
        r"Wendy Worker's application for Level 3 Social Worker \(#\d+\) needs the Line manager's recommendation from you",
        mine,
    )
    recommend(chat)
    chat.press(SERVICE, find_button(chat.inbox(SERVICE), "Do not authorise"), reasons="r", actions="a")
    ended = all_text(chat.say(WORKER, "status"))
    assert "Tara Manager recommended it ('Progressed') on 23 November 2026." in ended
    assert "Sam Service did not authorise it" in ended and ended.endswith("It was not agreed this time.")
    for jargon in (
        "Not approved.",
        "not approved by",
        "(recommend)",
        "Waiting for the",
        ": Do not authorise, by",
    ):
        assert jargon not in ended + mine, jargon


def test_help_and_welcome_by_role(chat: Chat) -> None:
    worker = all_text(chat.say(WORKER, "help"))
    assert "To apply: 'apply'" in worker and "HR tools" not in worker and "out of office" not in worker
    manager = chat.say(MANAGER, "help")
    assert "arrive here as cards addressed to you" in all_text(
        manager
    ) and "'out of office until" in all_text(manager)
    assert find_button(manager, "Out of office").action.name == "delegate"
    service = all_text(chat.say(SERVICE, "help"))
    assert "Decisions escalated to you come with a Reassign button" in service
    hr = chat.say(HR, "help")
    text = all_text(hr)
    for tool in ("'hr' opens the menu", "'reassign <number> to <email>'", "'deactivate <email>'", "'posts'"):
        assert tool in text, tool
    assert "To apply" not in text and find_button(hr, "HR tools").action.name == "hr_menu"
    menu = chat.press(HR, find_button(hr, "HR tools"))
    assert "reassign" in all_text(menu) and find_button(menu, "Posts")


def test_the_checklists_marks_have_a_legend(chat: Chat) -> None:
    asked = chat.say(WORKER, "apply for level 3")
    assert "Marks: ? your record doesn't show it" in all_text(
        asked
    ) and "◦ desirable, not essential" in all_text(asked)
    submit(chat, "nq@medway.example", "apply for level 2")
    shown = card_text(chat.inbox(MANAGER))
    assert "Marks: " in shown and "? the roster doesn't show it: for you to judge from the evidence" in shown


def test_a_route_stage_may_not_speak_to_you() -> None:
    stage = {"id": "recommend", "kind": "recommendation", "name": "Line manager's recommendation",
             "decider": "line_manager", "source": {"document": "d", "section": "1"}}  # fmt: skip
    RouteStage.model_validate({**stage, "text": "The line manager records whether the applicant progresses."})
    with pytest.raises(ValidationError, match="not to 'you'"):
        RouteStage.model_validate({**stage, "text": "Your line manager records whether you are progressed."})
