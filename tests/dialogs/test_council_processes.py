"""Each council's process step by step, as its policy states it, through the real core.

Medway: line manager recommends (recording the form's fields) -> Service Manager or above authorises
-> backdated to the line manager's signature; not progressed -> review to the Assistant Director ->
hearing (date, right to be represented, assessing manager told) -> outcome applied, backdated.
BCC: line manager approval -> Progression Panel (June/September, its members) -> "eligible, awaiting a
vacancy" -> recruitment. Coventry: two panels, no line-manager gate. Hertfordshire: no stated route.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.conversation import Conversation
from dialogs.messages import Action, Reply
from dialogs.reminders import ReminderPolicy, send_reminders
from dialogs.staff import import_staff
from knowledge.library import Library
from knowledge.working_days import add_working_days
from storage.db import transaction
from storage.tables import Application, Decision, Person, ReviewRequest
from tests.dialogs.conftest import Chat, Clock, all_text, find_button

pytestmark = pytest.mark.usefixtures("process_staff")
STATEMENT = "I hold the Post Graduate Diploma and my portfolio shows learning applied to complex casework over two years."
MEDWAY_FIELDS = {"competencies": "met", "attendance_punctuality_diversity": "have"}


def to_route_step(chat: Chat, who: str, start: str) -> list[Reply]:
    """Start an application and answer every step generically until the route is shown."""
    replies = chat.say(who, start)
    if "Which level" in all_text(replies):
        replies = chat.press(who, replies[-1].buttons[0])
    replies = chat.press(who, find_button(replies, "Continue"))
    for _ in range(100):
        if "Your application goes through these steps" in all_text(replies):
            return replies
        replies = chat.say(who, STATEMENT)
    raise AssertionError("never reached the route step")


def submit(chat: Chat, who: str, start: str) -> str:
    shown = to_route_step(chat, who, start)
    route = all_text(shown)
    replies = chat.press(who, find_button(shown, "Yes, send it"))
    sent = all_text(chat.press(who, find_button(replies, "Submit")))
    assert "Submitted" in sent, sent
    return route


def person(sessions: sessionmaker[Session], email: str) -> Person:
    with sessions() as session:
        return session.scalars(select(Person).where(Person.email == email)).one()


def application(sessions: sessionmaker[Session]) -> Application:
    with sessions() as session:
        return session.scalars(select(Application).order_by(Application.id.desc())).first()  # type: ignore[return-value]


# --- Medway ---------------------------------------------------------------------------------------


def test_medway_not_progressed_review_hearing_and_overturn_applied_backdated(
    chat: Chat, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    submit(chat, "worker@medway.example", "apply for level 3")
    signed_on = clock.now.date()
    card = chat.inbox("tm@medway.example")[0]
    chat.press("tm@medway.example", find_button([card], "NOT progressed"), reasons="Court work not yet evidenced",
               actions="Co-work two court cases", competencies="not met", attendance_punctuality_diversity="have")  # fmt: skip
    outcome = chat.inbox("worker@medway.example")
    assert "full written statement" in all_text(outcome)
    clock.advance(days=2)
    review_button = find_button(outcome, "Request a review")
    done = all_text(chat.press("worker@medway.example", review_button, reasons="My court work was praised"))
    due = add_working_days(clock.now.date(), 10)
    assert "gone to the Assistant Director, Children's Care (Ada Director)" in done
    assert f"due in writing by {due:%-d %B %Y} (10 working days)" in done

    assert chat.inbox("hr@medway.example") == []  # the review goes to the post the policy names, not HR
    ad_card = chat.inbox("ad@medway.example")
    request_id = ad_card[0].card.buttons[0].action.data["request"]  # type: ignore[union-attr]
    forged = chat.press("hr@medway.example", Action(name="review_decide", data={"request": request_id, "outcome": "approved"}),
                        reasons="x")  # fmt: skip
    assert "can't make the review decision" in all_text(forged)
    early = chat.press("ad@medway.example", find_button(ad_card, "Overturn"), reasons="Too soon")
    assert "hearing before the decision" in all_text(early)

    hearing_on = clock.now.date() + timedelta(days=7)
    arranged = chat.press(
        "ad@medway.example", find_button(ad_card, "Arrange the hearing"), hearing_on=f"{hearing_on:%d %B %Y}"
    )
    assert "Hearing arranged" in all_text(arranged)
    told = all_text(chat.inbox("worker@medway.example"))
    assert f"hearing is on {hearing_on:%-d %B %Y}" in told and "right to be represented" in told
    assert "explain your decision" in all_text(
        chat.inbox("tm@medway.example")
    )  # the assessing manager is told
    status = all_text(chat.say("worker@medway.example", "status"))
    assert f"the hearing is on {hearing_on:%-d %B %Y}" in status and f"due by {due:%-d %B %Y}" in status

    clock.now = clock.now + timedelta(days=7)
    chat.press("ad@medway.example", find_button(ad_card, "Overturn"), reasons="The court work meets level 3")
    final = chat.inbox("worker@medway.example")
    text = all_text(final)
    assert "you progress" in text and "final" in text
    assert f"effective from {signed_on:%-d %B %Y} (if approved, the award is backdated" in text
    assert (
        "The review of your decision on Wendy Worker's application: Ada Director upheld the challenge: they progress"
        in all_text(chat.inbox("tm@medway.example"))
    )  # the assessing manager hears how it ended (issue 16)
    assert any(r.attachment and "PAY002" in r.attachment.content for r in final)
    worker = person(sessions, "worker@medway.example")
    assert (worker.level, worker.spinal_point) == ("level-3", 41)
    app = application(sessions)
    assert app.status == "approved" and app.effective_date == signed_on


def test_medway_review_deadline_is_shown_and_chased_like_any_pending_decision(
    chat: Chat, clock: Clock, library: Library, sessions: sessionmaker[Session]
) -> None:
    submit(chat, "worker@medway.example", "apply for level 3")
    card = chat.inbox("tm@medway.example")[0]
    chat.press(
        "tm@medway.example", find_button([card], "NOT progressed"), reasons="r", actions="a", **MEDWAY_FIELDS
    )
    review_button = find_button(chat.inbox("worker@medway.example"), "Request a review")
    chat.press("worker@medway.example", review_button, reasons="I disagree")
    chat.inbox("ad@medway.example")
    with sessions() as session:
        due = session.scalars(select(ReviewRequest)).one().respond_by
    assert due is not None
    for days, reminded, escalated in ((2, 0, 0), (4, 1, 0), (9, 0, 1)):
        with transaction(sessions) as session:
            send_reminders(session, library, clock.now + timedelta(days=days), ReminderPolicy(3, 6))
        to_ad = chat.inbox("ad@medway.example")
        assert len(to_ad) == reminded, days
        if reminded:
            assert f"deadline for the decision is {due:%-d %B %Y}" in all_text(to_ad)
        assert len(chat.inbox("hr@medway.example")) == escalated, days  # nobody above the post holder


def test_medway_authoriser_comes_from_above_the_recommender(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, "worker@medway.example", "apply for level 3")
    card = chat.inbox("tm@medway.example")[0]
    chat.press("tm@medway.example", find_button([card], "Progressed"), **MEDWAY_FIELDS)
    assert chat.inbox("sm@medway.example")  # Tara's own service manager
    assert chat.inbox("ad@medway.example") == []
    other = chat.press("ad@medway.example", Action(name="decide", data={
        "application": application(sessions).id, "stage": "authorise", "outcome": "approved"}))  # fmt: skip
    assert "sent to Sam Service" in all_text(other)  # a card acts only for those it was sent to


def test_hr_reassigns_a_waiting_decision_within_the_same_rules(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    submit(chat, "worker@medway.example", "apply for level 3")
    card = chat.inbox("tm@medway.example")
    number = application(sessions).id
    to_self = all_text(chat.say("hr@medway.example", f"reassign {number} to worker@medway.example"))
    assert "can't decide on their own application" in to_self
    to_worker_role = all_text(chat.say("hr@medway.example", f"reassign {number} to nq@medway.example"))
    assert "roster role (worker)" in to_worker_role
    done = all_text(chat.say("hr@medway.example", f"reassign {number} to tm2@medway.example"))
    assert "now waits on Tom Other" in done
    assert "sent to Tom Other" in all_text(
        chat.press("tm@medway.example", find_button(card, "Progressed"), **MEDWAY_FIELDS)
    )
    new_card = chat.inbox("tm2@medway.example")
    assert "Recorded" in all_text(
        chat.press("tm2@medway.example", find_button(new_card, "Progressed"), **MEDWAY_FIELDS)
    )


# --- BCC ------------------------------------------------------------------------------------------


def test_bcc_line_manager_then_panel_in_its_months_then_vacancy(
    chat: Chat, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    route = submit(chat, "worker@bcc.example", "I want to apply for level 3")
    assert (
        "1. Line manager's approval (Mo Manager)\n2. Progression Panel\n3. Vacancy and recruitment" in route
    )
    chat.press("manager@bcc.example", find_button(chat.inbox("manager@bcc.example"), "Approve"))
    assert chat.inbox("hr@bcc.example") == []  # the panel is not an HR click
    panel = chat.inbox("pswc@bcc.example")
    assert panel and chat.inbox("lead@bcc.example") and chat.inbox("psw@bcc.example")  # the panel's members
    refused = chat.press("hr@bcc.example", find_button(panel, "Progress"), sat_on="14 September 2026")
    assert "can't make the Progression Panel" in all_text(refused)
    asked = chat.press("pswc@bcc.example", find_button(panel, "Progress"))
    assert asked[0].form is not None and "June or September" in all_text(asked)
    wrong = chat.press("pswc@bcc.example", find_button(panel, "Progress"), sat_on="10 November 2026")
    assert "sits in June or September" in all_text(wrong)
    chat.press("pswc@bcc.example", find_button(panel, "Progress"), sat_on="14 September 2026")
    told = all_text(chat.inbox("worker@bcc.example"))
    assert "eligible, awaiting a vacancy" in told and "recruitment process" in told
    assert person(sessions, "worker@bcc.example").level == "level-2"  # not a new level at once
    assert "feedback" in all_text(
        chat.inbox("lead@bcc.example")
    )  # the Lead Adult Social Worker gives feedback
    with sessions() as session:
        sat = session.scalars(select(Decision).where(Decision.stage == "panel")).one()
        assert f"{sat.sat_on}" == "2026-09-14" and sat.decided_by == person(sessions, "pswc@bcc.example").id

    vacancy = chat.inbox("psw@bcc.example")
    vacancy = [
        r for r in vacancy if r.card and "Vacancy and recruitment" in all_text([r]) + str(r.card.fields)
    ]
    chat.press("psw@bcc.example", find_button(vacancy, "Appointed after recruitment"))
    done = all_text(chat.inbox("worker@bcc.example"))
    assert "has been approved" in done and "doesn't say when the move takes effect" in done
    assert person(sessions, "worker@bcc.example").level == "level-3"
    assert application(sessions).effective_date is None  # BCC's policy sets no effective date


def test_bcc_panel_not_yet_carries_the_plan_and_there_is_no_appeal(chat: Chat) -> None:
    submit(chat, "worker@bcc.example", "I want to apply for level 3")
    chat.press("manager@bcc.example", find_button(chat.inbox("manager@bcc.example"), "Approve"))
    panel = chat.inbox("lead@bcc.example")
    chat.press("lead@bcc.example", find_button(panel, "Not yet"), sat_on="14 September 2026",
               reasons="Portfolio lacks evidence of impact", actions="Add two reflective accounts; resubmit in June")  # fmt: skip
    told = all_text(chat.inbox("worker@bcc.example"))
    assert "not agreed" in told and "resubmit in June" in told and "a plan" in told
    assert "doesn't set out a review or appeal" in all_text(
        chat.say("worker@bcc.example", "I want to appeal")
    )


def test_bcc_recruitment_posts_asye_and_level_1_are_not_applications(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    management = all_text(chat.say("worker@bcc.example", "I want to apply for a management post"))
    assert "achieved via interview" in management and "won't start an application" in management
    offered = chat.say("new@bcc.example", "apply")
    labels = [b.label for r in offered for b in r.buttons]
    assert labels and not any(
        "ASYE" in label or "Level 1" in label or "BG12, 13" in label for label in labels
    )
    chat.press("new@bcc.example", find_button(chat.say("new@bcc.example", "cancel"), "Yes, cancel it"))
    asye = all_text(chat.say("new@bcc.example", "apply for ASYE"))
    assert "not a level you apply to move up to" in asye
    with sessions() as session:
        assert session.scalars(select(Application)).all() == []


# --- Coventry -------------------------------------------------------------------------------------


def test_coventry_two_panels_without_a_line_manager_gate(chat: Chat, sessions: sessionmaker[Session]) -> None:
    route = submit(chat, "worker@coventry.example", "I want to apply for advanced social worker")
    assert "1. Young people's panel (Yasmin Youth)\n2. Panel of middle and senior managers" in route
    assert "line manager" not in route.lower()
    assert chat.inbox("manager@coventry.example") == []  # no gate the report never mentions
    first = chat.inbox("yp@coventry.example")
    chat.press("yp@coventry.example", find_button(first, "Meets the criteria"))
    assert "Next: Panel of middle and senior managers" in all_text(chat.inbox("worker@coventry.example"))
    second = chat.inbox("senior@coventry.example")
    again = chat.press("yp@coventry.example", Action(name="decide", data={
        "application": application(sessions).id, "stage": "managers-panel", "outcome": "approved"}))  # fmt: skip
    assert "already made one decision" in all_text(again)
    chat.press("senior@coventry.example", find_button(second, "Meets the criteria"))
    told = all_text(chat.inbox("worker@coventry.example"))
    assert "Advanced Social Worker (Grade 8) has been approved" in told and "spinal point" not in told
    assert "Coventry's policy doesn't say when the move takes effect" in told
    assert person(sessions, "worker@coventry.example").level == "advanced-social-worker"


# --- Hertfordshire: no stated route -----------------------------------------------------------------

LOCAL = """local procedure:
text: Applications for Senior Practitioner go to the line manager, who decides.
route:
  - id: line-manager
    kind: recommendation
    name: Line manager's decision
    text: The line manager decides on the application.
    decider: line_manager
    roles: [manager]
    approval_means: new_level
    source: "1"
"""


def test_hertfordshire_starts_no_application_until_hr_records_a_local_procedure(
    chat: Chat, sessions: sessionmaker[Session]
) -> None:
    refused = all_text(chat.say("worker@hertfordshire.example", "I want to apply for senior practitioner"))
    assert "doesn't set out how a progression application is made or who decides it" in refused
    assert "CSF Human Resources" in refused
    with sessions() as session:
        assert session.scalars(select(Application)).all() == []
    chat.say("worker@hertfordshire.example", LOCAL)  # not HR: not recorded (the next apply is still refused)
    assert "doesn't set out how" in all_text(chat.say("worker@hertfordshire.example", "apply"))
    bad = all_text(chat.say("hr@hertfordshire.example", "local procedure:\nroute: []"))
    assert "nothing was recorded" in bad
    recorded = all_text(chat.say("hr@hertfordshire.example", LOCAL))
    assert "Local procedure recorded by Holly HR on 23 November 2026" in recorded

    route = submit(chat, "worker@hertfordshire.example", "I want to apply for senior practitioner")
    assert (
        "1. Line manager's decision (Hal Manager)\n(Local procedure recorded by Holly HR on 23 November 2026)"
        in route
    )
    chat.press(
        "manager@hertfordshire.example", find_button(chat.inbox("manager@hertfordshire.example"), "Approve")
    )
    told = all_text(chat.inbox("worker@hertfordshire.example"))
    assert "has been approved" in told and "doesn't say when the move takes effect" in told
    assert "Route: Local procedure recorded by Holly HR on 23 November 2026" in told
    assert "Hertfordshire's policy" not in told  # the local procedure is never cited as the policy


# --- A newly added council whose document states no route ------------------------------------------

NEW_PACK = """
organisation: {id: newtown, name: Newtown Council, short_name: Newtown, document: newtown-policy,
               document_title: Newtown career policy, ask: Newtown HR}
frameworks: [{id: children, name: Children's social work}]
levels:
  - {id: social-worker, name: Social Worker, rank: 1, framework: children, source: "1"}
  - id: senior-social-worker
    name: Senior Social Worker
    rank: 2
    framework: children
    source: "2"
    requirements: [{kind: other, text: You show senior practice., source: "2"}]
  - id: principal-social-worker
    name: Principal Social Worker
    rank: 3
    framework: children
    source: "3"
    requirements: [{kind: other, text: You lead practice., source: "3"}]
process:
  moves:
    - levels: [principal-social-worker]
      how: application
      text: You need 12 months as a Senior Social Worker before applying.
      min_months_at_level: 12
      source: "3"
"""
NEW_LOCAL = """
organisation: newtown
recorded_by: Nadia HR
recorded_on: 2026-11-20
text: Applications go to the line manager, who decides.
route:
  - {id: line-manager, kind: recommendation, name: Line manager's decision, text: The line manager decides.,
     decider: line_manager, roles: [manager], source: "1"}
"""
NEW_ROSTER = """org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on
newtown,manager@newtown.example,Nat Manager,manager,,C,children,,,,,
newtown,worker@newtown.example,Noor Worker,worker,manager@newtown.example,C,children,social-worker,,,2019-01-01,2019-01-01
"""


def newtown_chat(tmp_path: Path, session_factory: sessionmaker[Session], clock: Clock, local: bool) -> Chat:
    packs = tmp_path / ("with-local" if local else "without")
    (packs / "local").mkdir(parents=True)
    (packs / "newtown.yaml").write_text(NEW_PACK, encoding="utf-8")
    if local:
        (packs / "local" / "newtown.yaml").write_text(NEW_LOCAL, encoding="utf-8")
    library = Library.load(packs)
    with transaction(session_factory) as session:
        import_staff(session, library, NEW_ROSTER)
    return Chat(Conversation(library, session_factory, clock=clock), session_factory)


def test_a_new_council_with_no_route_then_a_reviewed_local_procedure_file(
    tmp_path: Path, session_factory: sessionmaker[Session], clock: Clock
) -> None:
    chat = newtown_chat(tmp_path, session_factory, clock, local=False)
    refused = all_text(chat.say("worker@newtown.example", "apply"))
    assert "Newtown's policy doesn't set out how a progression application is made" in refused
    assert "Newtown HR" in refused
    with session_factory() as session:
        assert session.scalars(select(Application)).all() == []

    chat = newtown_chat(tmp_path, session_factory, clock, local=True)
    route = submit(chat, "worker@newtown.example", "apply for senior social worker")
    assert "(Local procedure recorded by Nadia HR on 20 November 2026)" in route
    chat.press("manager@newtown.example", find_button(chat.inbox("manager@newtown.example"), "Approve"))
    told = all_text(chat.inbox("worker@newtown.example"))
    assert "Senior Social Worker has been approved" in told
    assert (
        "Local procedure recorded by Nadia HR on 20 November 2026 doesn't say when the move takes effect"
        in told
    )
