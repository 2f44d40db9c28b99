"""Leavers through the real core: a complete roster that leaves a line manager out makes them inactive,
unable to act; the recommendation waiting on them goes to the next one up, who can make it; HR is told.
And levels as HR's systems write them, checked against the real packs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs import authorisation
from dialogs.leavers import Handover, mark_leavers
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import directory
from storage.db import transaction
from storage.roster_rows import HEADER_LINE, RosterRejected
from storage.tables import Application, Person
from tests.dialogs.conftest import ROSTER, Chat, Clock, all_text, find_button

WORKER, MANAGER, SERVICE, HR = (
    "worker@medway.example",
    "tm@medway.example",
    "sm@medway.example",
    "hr@medway.example",
)


NEW_MANAGER = "tm2@medway.example"


def person(session: Session, email: str) -> Person:
    found = directory.find_person_by_email(session, "medway", email, include_inactive=True)
    assert found is not None
    return found


def submitted_to_tara(sessions: sessionmaker[Session], chat: Chat) -> int:
    """Wendy's level 3 application, waiting on her line manager Tara, who has the card."""
    replies = chat.say(WORKER, "I want to go for level 3")
    chat.press(WORKER, find_button(replies, "Continue"))
    with transaction(sessions) as session:
        app = session.scalars(select(Application)).one()
        tara = person(session, MANAGER)
        app.status, app.line_manager_id = "awaiting:recommend", tara.id
        authorisation.assign(app, "recommend", [tara])  # as if her card had been sent
        return app.id


def without_tara() -> str:
    """The complete Medway roster, Tara gone and her people moved to Tom."""
    lines = [
        line
        for line in ROSTER.splitlines()
        if line.startswith(("org,", "medway,")) and MANAGER not in line.split(",")[1]
    ]
    return "\n".join(line.replace(f",{MANAGER},", ",tm2@medway.example,") for line in lines) + "\n"


def test_a_full_import_makes_a_leaver_who_cannot_act_and_hands_their_decision_up(
    chat: Chat, sessions: sessionmaker[Session], library: Library, clock: Clock
) -> None:
    app_id = submitted_to_tara(sessions, chat)
    with transaction(sessions) as session:
        result, handovers = import_staff(
            session, library, without_tara(), full=True, now=clock.now, channel="console"
        )
        tara = person(session, MANAGER)
        assert result.absent == [tara.id] and not tara.active
    assert handovers == [
        Handover(
            "medway", app_id, "Wendy Worker", "Line manager's recommendation", "Tara Manager", ["Tom Other"]
        )
    ]

    card = next(r for r in chat.inbox(NEW_MANAGER) if r.card)  # the roster's line manager now
    assert card.card is not None and "Wendy Worker" in card.card.title
    told = all_text(chat.inbox(HR))
    assert (
        "Marked as leavers (left out of a complete roster import): Tara Manager (tm@medway.example)." in told
    )
    assert (
        f"Wendy Worker's application (#{app_id}, Line manager's recommendation) now waits on Tom Other."
        in told
    )

    given = {"competencies": "met", "attendance_punctuality_diversity": "have"}
    refused = chat.press(MANAGER, find_button([card], "Progressed"), **given)
    assert "I can't find you on Medway" in all_text(refused)  # a leaver acts on nothing
    with transaction(sessions) as session:
        assert directory.find_person_by_email(session, "medway", MANAGER) is None
        assert session.get_one(Application, app_id).status == "awaiting:recommend"
    recorded = chat.press(NEW_MANAGER, find_button([card], "Progressed"), **given)
    assert "Recorded: Progressed (Line manager's recommendation)" in all_text(recorded)


def test_deactivating_one_person_with_nothing_pending_tells_hr(
    chat: Chat, sessions: sessionmaker[Session], library: Library, clock: Clock
) -> None:
    with transaction(sessions) as session:
        handovers = mark_leavers(
            session, library, [person(session, "nq@medway.example")], clock.now, "web", "deactivated by HR"
        )
    assert handovers == []
    told = all_text(chat.inbox(HR))
    assert "Marked as leavers (deactivated by HR): Ned New (nq@medway.example)." in told
    assert "No decision was waiting on them." in told
    assert "staff list" in all_text(chat.say("nq@medway.example", "status"))


def test_levels_as_hr_systems_write_them_are_stored_as_the_packs_ids(
    session_factory: sessionmaker[Session], library: Library
) -> None:
    rows = [
        "medway,a@medway.example,A,worker,,,children,Level 2,,,,",
        "medway,b@medway.example,B,worker,,,children,L2,,,,",
        "medway,c@medway.example,C,worker,,,children,Level 2 Social Worker,,,,",
        "bcc,d@bcc.example,D,worker,,,,BG11,,,,",
        "bcc,e@bcc.example,E,worker,,,,bg 10,,,,",
        "hertfordshire,f@herts.example,F,worker,,,,H9,,,,",
        "hertfordshire,g@herts.example,G,worker,,,,M1 Senior Practitioner,,,,",
        "coventry,h@coventry.example,H,worker,,,,grade 8,,,,",
    ]
    with transaction(session_factory) as session:
        import_staff(session, library, "\n".join([HEADER_LINE, *rows]) + "\n")
        stored = {p.email: p.level for p in session.scalars(select(Person))}
    assert stored == {
        "a@medway.example": "level-2", "b@medway.example": "level-2", "c@medway.example": "level-2",
        "d@bcc.example": "bg11", "e@bcc.example": "bg10", "f@herts.example": "h9",
        "g@herts.example": "senior-practitioner", "h@coventry.example": "advanced-social-worker",
    }  # fmt: skip


def test_a_level_no_pack_defines_is_refused_by_line(
    session_factory: sessionmaker[Session], library: Library
) -> None:
    text = f"{HEADER_LINE}\nmedway,a@medway.example,A,worker,,,children,Level 4,,,,\n"
    try:
        with transaction(session_factory) as session:
            import_staff(session, library, text)
    except RosterRejected as rejected:
        assert [str(p) for p in rejected.problems] == [
            "line 2: level: 'Level 4' is not a level of medway (levels: level-1, level-2, level-3)"
        ]
    else:
        raise AssertionError("a level Medway does not have was imported")


def test_hr_marks_a_leaver_in_chat_and_no_one_else_can(chat: Chat, sessions: sessionmaker[Session]) -> None:
    app_id = submitted_to_tara(sessions, chat)
    assert "Only HR" in all_text(chat.say("nq@medway.example", f"deactivate {MANAGER}"))
    asked = chat.say(HR, f"deactivate {MANAGER.upper()}")
    assert "Mark Tara Manager (tm@medway.example, manager) as a leaver?" in all_text(asked)
    refused = chat.press("nq@medway.example", find_button(asked, "Mark Tara Manager as a leaver"))
    assert "Only HR" in all_text(refused)
    done = chat.press(HR, find_button(asked, "Mark Tara Manager as a leaver"))
    assert all_text(done) == (
        f"Tara Manager is now marked as a leaver.\nWendy Worker's application (#{app_id}) now waits on Sam Service."
    )
    assert "not an active member" in all_text(chat.press(HR, find_button(asked, "Mark Tara Manager")))
    assert "not an active person" in all_text(chat.say(HR, f"deactivate {MANAGER}"))
    assert "yourself" in all_text(chat.say(HR, f"deactivate {HR}"))
    assert any("Tara Manager has left" in r.text for r in chat.inbox(SERVICE))
