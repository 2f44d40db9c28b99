"""Transcripts of who decides when the roster's decider can't (issue 16): reassigning by HR and by a
service manager, out of office (delegation) until a UK date, and escalation to someone who can act;
all within the segregation rules, each move recorded and told to everyone it concerns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.messages import Action, Reply
from dialogs.reminders import ReminderPolicy, send_reminders
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import personal_data
from storage.db import transaction
from storage.tables import Application, AuditEntry, Person
from tests.dialogs.conftest import Chat, Clock, all_text, find_button
from tests.dialogs.test_workflows import submit

WORKER, NED, MANAGER, OTHER, SERVICE, HR = (
    "worker@medway.example", "nq@medway.example", "tm@medway.example", "tm2@medway.example",
    "sm@medway.example", "hr@medway.example",
)  # fmt: skip
DIRECTOR = "ad@medway.example"  # Ada Director: a service manager, above Sam (process_staff)
MEDWAY_FIELDS = {"competencies": "met", "attendance_punctuality_diversity": "have"}
ELSEWHERE = """org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on
medway,sm2@medway.example,Sue Elsewhere,service_manager,,Adults,adults,,,,,
"""


def app_id(sessions: sessionmaker[Session], email: str = WORKER) -> int:
    with sessions() as session:
        person = session.scalars(select(Person).where(Person.email == email)).one()
        return session.scalars(select(Application.id).where(Application.person_id == person.id)).one()


def buttons(replies: list[Reply]) -> list[str]:
    return [b.label for r in replies for b in [*r.buttons, *(r.card.buttons if r.card else [])]]


def remind(sessions: sessionmaker[Session], library: Library, at: datetime) -> None:
    with transaction(sessions) as session:
        send_reminders(session, library, at, ReminderPolicy(remind_after=3, escalate_after=6))


# --- reassigning ----------------------------------------------------------------------------------


def test_hr_reassigns_and_the_old_card_is_redrawn_and_everyone_is_told(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    old = chat.inbox(MANAGER)[0]
    assert old.card is not None
    chat.inbox(WORKER)
    number = app_id(sessions)

    done = all_text(chat.say(HR, f"reassign {number} to {OTHER}"))
    assert "now waits on Tom Other" in done

    redrawn = [r for r in chat.inbox(MANAGER) if r.replaces == old.card.key]
    assert (
        redrawn
        and "Harriet HR has passed the Line manager's recommendation on Wendy Worker's application to Tom Other"
        in redrawn[0].text
    )
    assert redrawn[0].card is not None and redrawn[0].card.buttons == []  # nothing left to press
    new = chat.inbox(OTHER)
    assert "Harriet HR has passed this decision to you (it was with Tara Manager)" in all_text(new)
    assert "asks you, in place of their line manager, for your recommendation" in all_text(new)
    told = all_text(chat.inbox(WORKER))
    assert "Your application's Line manager's recommendation is now with Tom Other" in told
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "reassigned")).one()
    assert entry.detail["from"] and entry.detail["why"] == "reassigned"
    story = all_text(chat.say(WORKER, "status"))
    assert "Harriet HR passed the Line manager's recommendation from Tara Manager to Tom Other" in story
    assert "It is with Tom Other for the Line manager's recommendation" in story


def test_a_service_manager_reassigns_decisions_of_the_people_below_them_only(
    chat: Chat, library: Library, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        import_staff(session, library, ELSEWHERE)
    submit(chat, WORKER, "apply for level 3")
    number = app_id(sessions)
    elsewhere = all_text(chat.say("sm2@medway.example", f"reassign {number} to {OTHER}"))
    assert "not below you on the roster; HR can reassign it" in elsewhere
    manager = all_text(chat.say(OTHER, f"reassign {number} to {OTHER}"))
    assert "Only HR, or a service manager above the person deciding" in manager
    assert "sent to Tara Manager" in all_text(
        chat.press(
            OTHER,
            Action(name="decide", data={"application": number, "stage": "recommend", "outcome": "approved"}),
        )
    )
    done = all_text(chat.say(SERVICE, f"reassign {number} to {OTHER}"))  # Sam manages Tara
    assert "now waits on Tom Other" in done
    card = chat.inbox(OTHER)
    assert "Sam Service has passed this decision to you" in all_text(card)
    assert "Recorded" in all_text(chat.press(OTHER, find_button(card, "Progressed"), **MEDWAY_FIELDS))


def test_reassigning_keeps_the_segregation_rules(chat: Chat, sessions: sessionmaker[Session]) -> None:
    submit(chat, WORKER, "apply for level 3")
    number = app_id(sessions)
    chat.press(MANAGER, find_button(chat.inbox(MANAGER), "Progressed"), **MEDWAY_FIELDS)
    # The authorisation now waits on Sam: Tara recommended, so she may not sign twice.
    twice = all_text(chat.say(HR, f"reassign {number} to {MANAGER}"))
    assert "already made one decision on this application" in twice
    own = all_text(chat.say(HR, f"reassign {number} to {WORKER}"))
    assert "can't decide on their own application" in own
    role = all_text(chat.say(HR, f"reassign {number} to {OTHER}"))
    assert "roster role (manager)" in role  # "authorised by Service Managers and above only"
    yourself = all_text(chat.say(SERVICE, f"reassign {number} to {SERVICE}"))
    assert "passes a decision to someone else" in yourself
    nobody = all_text(chat.say(HR, f"reassign {number} to nobody@medway.example"))
    assert "can't find nobody@medway.example" in nobody
    forged = all_text(
        chat.press(HR, Action(name="reassign", data={"application": number, "person": "x; drop"}))
    )
    assert "can't read that button" in forged
    other_org = all_text(
        chat.press("hr@bcc.example", Action(name="reassign", data={"application": number, "person": 1}))
    )
    assert "isn't waiting for a decision" in other_org
    with sessions() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "reassigned")).all() == []


# --- escalation -----------------------------------------------------------------------------------


def test_escalation_of_a_recommendation_offers_reassign_not_buttons_that_refuse(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    chat.inbox(MANAGER)
    remind(sessions, library, clock.now + timedelta(days=9))
    escalated = chat.inbox(SERVICE)
    assert len(escalated) == 1 and escalated[0].card is not None
    assert buttons(escalated) == ["Reassign", "Read all the evidence"]  # no Progressed: it would refuse Sam
    assert "waited 7 working days for Tara Manager" in all_text(escalated)
    assert "The policy doesn't name you to make it yourself" in all_text(escalated)
    refused = all_text(chat.press(SERVICE, Action(name="take_over", data={"application": app_id(sessions)})))
    assert "can't make the Line manager's recommendation yourself" in refused

    offered = chat.press(SERVICE, find_button(escalated, "Reassign"))
    assert "Reassign to Tom Other" in buttons(offered) and "Someone else (by email)" in buttons(offered)
    by_email = chat.press(SERVICE, find_button(offered, "Someone else"))
    assert by_email[0].form is not None and [f.name for f in by_email[0].form.fields] == ["email"]
    unknown = chat.press(SERVICE, by_email[0].form.submit, email="nobody@medway.example")
    assert "can't find nobody@medway.example" in all_text(unknown) and "Reassign to Tom Other" in buttons(
        unknown
    )
    assert "Reassign to Tara Manager" not in buttons(offered) and "Reassign to Wendy Worker" not in buttons(
        offered
    )
    assert "now waits on Tom Other" in all_text(
        chat.press(SERVICE, find_button(offered, "Reassign to Tom Other"))
    )
    assert chat.inbox(OTHER)


@pytest.mark.usefixtures("process_staff")
def test_escalation_of_an_authorisation_lets_a_service_manager_above_decide_citing_the_policy(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    chat.press(MANAGER, find_button(chat.inbox(MANAGER), "Progressed"), **MEDWAY_FIELDS)
    sams = chat.inbox(SERVICE)
    remind(sessions, library, clock.now + timedelta(days=9))
    escalated = chat.inbox(DIRECTOR)
    assert buttons(escalated) == ["Reassign", "Decide it myself", "Read all the evidence"]
    assert "Progressions can be authorised by Service Managers and above only" in all_text(escalated)
    assert "Manager Authorisation for Accelerated Social Worker Salary Progression" in all_text(escalated)

    taken = all_text(chat.press(DIRECTOR, find_button(escalated, "Decide it myself")))
    assert "is yours now" in taken
    card = chat.inbox(DIRECTOR)
    assert "asks you, as Assistant Director, Children's Care, to authorise their application" in all_text(
        card
    )
    redrawn = [r for r in chat.inbox(SERVICE) if sams[0].card and r.replaces == sams[0].card.key]
    assert redrawn and "Ada Director has taken over" in redrawn[0].text
    assert "sent to Ada Director" in all_text(chat.press(SERVICE, find_button(sams, "Authorise")))
    assert "Recorded: Authorise" in all_text(chat.press(DIRECTOR, find_button(card, "Authorise")))
    assert "took over the Authorisation when it was escalated" in all_text(chat.say(WORKER, "history"))


@pytest.mark.usefixtures("process_staff")
def test_an_escalated_review_reaches_hr_with_reassign_only(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    chat.press(
        MANAGER, find_button(chat.inbox(MANAGER), "NOT progressed"), reasons="r", actions="a", **MEDWAY_FIELDS
    )
    chat.press(WORKER, find_button(chat.inbox(WORKER), "Request a review"), reasons="I disagree")
    chat.inbox(DIRECTOR)
    remind(sessions, library, clock.now + timedelta(days=9))
    escalated = chat.inbox(HR)
    assert escalated and buttons(escalated) == ["Reassign", "Read all the evidence"]  # no Uphold, no Overturn
    assert "The review decision on Wendy Worker's application has waited 7 working days" in all_text(
        escalated
    )


# --- out of office ---------------------------------------------------------------------------------


def test_out_of_office_moves_waiting_decisions_sends_new_ones_and_ends_after_its_last_day(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    old = chat.inbox(MANAGER)[0]
    assert old.card is not None
    chat.inbox(WORKER)

    away = chat.say(MANAGER, f"out of office until 27/11/2026, delegate to {OTHER}")
    text = all_text(away)
    assert (
        "Out of office until Friday 27 November 2026" in text
        and "Moved to Tom Other now: Wendy Worker's" in text
    )
    redrawn = [r for r in chat.inbox(MANAGER) if r.replaces == old.card.key]
    assert redrawn and "While you are away, Tom Other decides" in redrawn[0].text
    covering = chat.inbox(OTHER)
    assert "Tara Manager is away until Friday 27 November 2026 and has asked you to cover" in all_text(
        covering
    )
    assert (
        "asks you, covering for Tara Manager, away until Friday 27 November 2026, for your recommendation"
        in all_text(covering)
    )
    assert "covering for Tara Manager while they are away" in all_text(chat.inbox(WORKER))
    assert "You are away until Friday 27 November 2026" in all_text(chat.say(MANAGER, "status"))
    assert "You are covering for Tara Manager until Friday 27 November 2026" in all_text(
        chat.say(OTHER, "status")
    )

    submit(chat, NED, "apply for level 2")  # a new application while she is away goes to her cover
    assert "It is with Tom Other (covering for Tara Manager, away until" in all_text(chat.say(NED, "status"))
    assert chat.inbox(MANAGER) == []
    assert "covering for Tara Manager" in all_text(chat.inbox(OTHER))

    remind(sessions, library, datetime(2026, 11, 27, 23, 30, tzinfo=UTC))  # still the 27th in the UK
    assert "ended" not in all_text(chat.inbox(OTHER))
    remind(sessions, library, datetime(2026, 11, 28, 0, 30, tzinfo=UTC))
    returned = chat.inbox(MANAGER)
    back = all_text(returned)
    assert "Your out of office has ended after its last day, Friday 27 November 2026" in back
    assert "Back with you: Wendy Worker's Line manager's recommendation" in back and "Ned New's" in back
    assert "Your cover for Tara Manager has ended" in all_text(chat.inbox(OTHER))
    assert "Recorded" in all_text(chat.press(MANAGER, find_button(returned, "Progressed"), **MEDWAY_FIELDS))


def test_out_of_office_keeps_what_the_cover_may_not_decide_and_can_end_early(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, WORKER, "apply for level 3")
    chat.press(MANAGER, find_button(chat.inbox(MANAGER), "Progressed"), **MEDWAY_FIELDS)
    chat.inbox(SERVICE)
    # Sam's authorisation can't go to a manager: "Service Managers and above only".
    away = all_text(chat.say(SERVICE, f"delegate to {OTHER} until 30 November 2026"))
    assert "Stays with you: Wendy Worker's Authorisation" in away and "roster role (manager)" in away
    assert chat.inbox(OTHER)[0].text.startswith("Sam Service is away until Monday 30 November 2026")
    ended = all_text(chat.say(SERVICE, "end delegation"))
    assert "your delegation has ended" in ended
    assert "You have no delegation to end" in all_text(chat.say(SERVICE, "I'm back"))


def test_out_of_office_refuses_what_it_cannot_do(chat: Chat, clock: Clock) -> None:
    asked = chat.say(MANAGER, "out of office")
    assert asked[0].form is not None and {f.name for f in asked[0].form.fields} == {"email", "until"}
    assert "couldn't read 'next week'" in all_text(
        chat.say(MANAGER, f"out of office until next week, delegate to {OTHER}")
    )
    assert "has passed" in all_text(chat.say(MANAGER, f"delegate to {OTHER} until 20 November 2026"))
    assert "can't delegate to yourself" in all_text(
        chat.say(MANAGER, f"delegate to {MANAGER} until 30 November 2026")
    )
    assert "can't take decisions" in all_text(
        chat.say(MANAGER, f"delegate to {WORKER} until 30 November 2026")
    )
    assert "none come to you" in all_text(chat.say(WORKER, f"delegate to {OTHER} until 30 November 2026"))
    chat.say(OTHER, f"delegate to {SERVICE} until 30 November 2026")
    assert "Tom Other is away themselves" in all_text(
        chat.say(MANAGER, f"delegate to {OTHER} until 30 November 2026")
    )


def test_out_of_office_is_in_a_subject_access_export(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat.say(MANAGER, f"delegate to {OTHER} until 30 November 2026")
    with sessions() as session:
        tara, tom = (session.scalars(select(Person).where(Person.email == e)).one() for e in (MANAGER, OTHER))
        assert personal_data.everything_about(session, tara)["out_of_office"][0] | {"set_at": None} == {
            "cover": "Tom Other", "until": "2026-11-30", "set_at": None, "ended_at": None}  # fmt: skip
        assert personal_data.everything_about(session, tom)["covering_for"][0]["for"] == "Tara Manager"
