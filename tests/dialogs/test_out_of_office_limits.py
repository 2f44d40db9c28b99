"""Out of office has Pathway's own upper limit, said as Pathway's (no policy sets one), its form picks
the date, and HR sees every delegation of their organisation and can end one (issue 16)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from tests.dialogs.conftest import Chat, Clock, all_text, find_button
from tests.dialogs.test_reassign_delegate_escalate import HR, MANAGER, MEDWAY_FIELDS, OTHER, WORKER
from tests.dialogs.test_workflows import submit


def test_an_out_of_office_beyond_pathways_limit_is_refused_as_pathways_own(chat: Chat, clock: Clock) -> None:
    too_far = clock.now.date() + timedelta(days=91)
    refused = chat.say(MANAGER, f"out of office until {too_far:%d/%m/%Y}, delegate to {OTHER}")
    text = all_text(refused)
    assert "Pathway takes an out of office of up to 90 days ahead" in text
    assert "That is Pathway's own limit, not Medway's policy" in text
    assert refused[0].form is not None  # asked again, with the date picker
    assert {f.name: f.kind for f in refused[0].form.fields}["until"] == "date"
    assert "You are away" not in all_text(chat.say(MANAGER, "status"))  # nothing was set
    furthest = clock.now.date() + timedelta(days=90)
    accepted = all_text(chat.say(MANAGER, f"out of office until {furthest.isoformat()}, delegate to {OTHER}"))
    assert "Out of office until" in accepted


def test_hr_sees_who_is_away_and_ends_a_delegation(chat: Chat, sessions: sessionmaker[Session]) -> None:
    assert "Nobody is out of office" in all_text(chat.say(HR, "delegations"))
    submit(chat, WORKER, "apply for level 3")
    chat.say(MANAGER, f"out of office until 27/11/2026, delegate to {OTHER}")
    chat.inbox(MANAGER), chat.inbox(OTHER)
    listed = chat.say(HR, "delegations")
    text = all_text(listed)
    assert "Tara Manager is away until Friday 27 November 2026; Tom Other covers" in text
    not_hr = all_text(chat.press(OTHER, find_button(listed, "End Tara Manager's out of office")))
    assert "Only HR can end someone else's out of office" in not_hr
    ended = all_text(chat.press(HR, find_button(listed, "End Tara Manager's out of office")))
    assert "Ended Tara Manager's out of office" in ended and "Back with Tara Manager: Wendy Worker's" in ended
    back = chat.inbox(MANAGER)
    assert "Your out of office has been ended by Harriet HR" in all_text(back)
    assert "Your cover for Tara Manager has been ended by Harriet HR" in all_text(chat.inbox(OTHER))
    assert "Recorded" in all_text(chat.press(MANAGER, find_button(back, "Progressed"), **MEDWAY_FIELDS))
    again = all_text(chat.press(HR, find_button(listed, "End Tara Manager's out of office")))
    assert "had already ended" in again
    assert "Nobody is out of office" in all_text(chat.say(HR, "delegations"))


def test_hrs_menu_and_status_lead_to_who_is_away(chat: Chat) -> None:
    chat.say(MANAGER, f"out of office until 27/11/2026, delegate to {OTHER}")
    menu = chat.say(HR, "hr")
    assert "who is out of office" in all_text(menu)
    listed = all_text(chat.press(HR, find_button(menu, "Out of office")))
    assert "Tara Manager is away until Friday 27 November 2026; Tom Other covers" in listed
    assert "who is out of office" in all_text(chat.say(HR, "status"))
    assert "Only HR" in all_text(chat.press(OTHER, find_button(menu, "Out of office")))
