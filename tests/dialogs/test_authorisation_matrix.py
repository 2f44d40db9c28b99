"""Segregation of duties: every roster role x every decision x whose application it is.

Each case sets an application waiting on one decision, with its card sent to the actor (as the roster
would have it, or as HR reassigned it), and the actor presses the button through the real core. Only
someone whose role (or post) the pack names, deciding someone else's application in their own
organisation, and only once per application, gets the decision recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dialogs.conversation import Conversation
from dialogs.messages import Action
from dialogs.staff import import_staff
from knowledge.library import Library
from storage import applications, decisions
from storage.db import transaction
from storage.posts import assign_post, release_post
from storage.tables import Person
from tests.dialogs.conftest import Chat, Clock, all_text

ROLES = ("worker", "manager", "service_manager", "hr", "admin")
RELATIONS = ("own", "other", "other_not_sent", "other_council", "second_decision")
HEADER = (
    "org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on"
)
SIGNED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Decision:
    """A decision to press: the organisation, the route stage or review action, and who may make it."""

    org: str
    key: str
    roles: tuple[str, ...]  # roster roles allowed; empty: only the post's holders
    post: str = ""


DECISIONS = {
    "recommend": Decision("medway", "recommend", ("manager", "service_manager")),
    "authorise": Decision("medway", "authorise", ("service_manager",)),  # (or the AD post: not given here)
    "panel": Decision("bcc", "panel", (), "principal-social-worker"),
    "vacancy": Decision("bcc", "vacancy", (), "recruiting-manager"),
    "hearing": Decision("medway", "review_hearing", (), "assistant-director-childrens-care"),
    "review": Decision("medway", "review_decide", (), "assistant-director-childrens-care"),
}
CASES = [(role, action, relation) for role in ROLES for action in DECISIONS for relation in RELATIONS]


def expected(role: str, action: str, relation: str, holds_post: bool) -> bool:
    rule = DECISIONS[action]
    entitled = role in rule.roles or (holds_post and bool(rule.post))
    return relation == "other" and entitled


def roster() -> str:
    lines = [HEADER, "medway,boss@medway.example,Bo Boss,service_manager,,C,children,,,,,",
             "bcc,boss@bcc.example,Bo Boss,service_manager,,C,children,,,,,"]  # fmt: skip
    for n, (role, action, relation) in enumerate(CASES):
        org = DECISIONS[action].org
        actor_org = "coventry" if relation == "other_council" else org
        level = "level-2" if actor_org != "coventry" else "social-worker"
        lines.append(f"{actor_org},a{n}@{actor_org}.example,Actor {n},{role},boss@{org}.example,C,children,{level},,37,2018-01-01,2018-01-01"
                     if actor_org != "coventry" else f"coventry,a{n}@coventry.example,Actor {n},{role},,C,children,,,,,")  # fmt: skip
        lines.append(f"{org},w{n}@{org}.example,Worker {n},worker,a{n}@{actor_org}.example,C,children,level-2,,37,2018-01-01,2018-01-01"
                     if actor_org == org else f"{org},w{n}@{org}.example,Worker {n},worker,boss@{org}.example,C,children,level-2,,37,2018-01-01,2018-01-01")  # fmt: skip
        lines.append(f"{org},m{n}@{org}.example,Earlier {n},manager,boss@{org}.example,C,children,,,,,")
    return "\n".join(lines) + "\n"


def set_up(session: Session, n: int, action: str, relation: str) -> tuple[str, Action]:
    """The application of case n, waiting on the decision, its card sent to the actor; the action to press."""
    rule = DECISIONS[action]
    people = {p.email: p for p in session.scalars(select(Person).where(Person.email.like(f"%{n}@%")))}
    actor = next(p for e, p in people.items() if e.startswith(f"a{n}@"))
    worker, earlier = people[f"w{n}@{rule.org}.example"], people[f"m{n}@{rule.org}.example"]
    applicant = actor if relation == "own" else worker
    if rule.post:
        assign_post(session, actor.org_id, rule.post, actor.id, None)
    stage = {"review_hearing": "review", "review_decide": "review"}.get(rule.key, rule.key)
    waiting = "not_approved" if stage == "review" else f"awaiting:{stage}"
    asked = {stage: [] if relation == "other_not_sent" else [actor.id]}
    app = applications.create_application(
        session, org_id=rule.org, person_id=applicant.id, target_level="level-3", from_level="level-2",
        from_point=37, status=waiting, data={"asked": asked},
    )  # fmt: skip
    applications.transition(session, app.id, waiting, waiting, manager_signed_at=SIGNED, decided_at=SIGNED)
    previous = {"authorise": "recommend", "vacancy": "panel", "review": "recommend"}.get(stage)
    decided_by = actor.id if relation == "second_decision" else earlier.id
    if previous:
        outcome = "not_approved" if stage == "review" else "approved"
        decisions.record_decision(session, app.id, previous, decided_by, outcome, "r", "a", SIGNED)  # type: ignore[arg-type]
    elif relation == "second_decision":  # a first stage: the actor made some other decision on it already
        decisions.record_decision(session, app.id, "earlier", actor.id, "approved", decided_at=SIGNED)
    if stage == "review":
        made = decisions.request_review(
            session, app.id, applicant.id, "I disagree", date(2026, 11, 30), None, SIGNED
        )
        if rule.key == "review_decide":
            decisions.arrange_hearing(session, made.id, actor.id, date(2026, 11, 20))
        data = {
            "request": made.id,
            "outcome": "approved",
            "reasons": "Sound",
            "hearing_on": "30 November 2026",
        }
        return actor.email, Action(name=rule.key, data=data)
    data = {"application": app.id, "stage": stage, "outcome": "approved", "sat_on": "14 September 2026",
            "competencies": "met", "attendance_punctuality_diversity": "have"}  # fmt: skip
    return actor.email, Action(name="decide", data=data)


@pytest.fixture
def matrix_chat(library: Library, session_factory: sessionmaker[Session], clock: Clock) -> Chat:
    with transaction(session_factory) as session:
        import_staff(session, library, roster())
    return Chat(Conversation(library, session_factory, clock=clock), session_factory)


def test_every_role_action_and_relation(matrix_chat: Chat, session_factory: sessionmaker[Session]) -> None:
    wrong = []
    for n, (role, action, relation) in enumerate(CASES):
        with transaction(session_factory) as session:
            who, pressed = set_up(session, n, action, relation)
        text = all_text(matrix_chat.press(who, pressed))
        done = text.startswith(("Recorded", "Hearing arranged"))
        holds_post = bool(DECISIONS[action].post)
        if done != expected(role, action, relation, holds_post):
            wrong.append(f"{role} {action} {relation}: {text[:120]}")
    assert wrong == []


def test_a_post_is_what_entitles_a_panel_member_not_the_role(
    matrix_chat: Chat, session_factory: sessionmaker[Session]
) -> None:
    """The same case as an allowed one, but without the post: a service manager is not the panel."""
    case = CASES.index(("service_manager", "panel", "other"))
    with transaction(session_factory) as session:
        who, pressed = set_up(session, case, "panel", "other")
        actor = session.scalars(select(Person).where(Person.email == who)).one()
        release_post(session, "bcc", "principal-social-worker", actor.id)
    assert "can't make the Progression Panel" in all_text(matrix_chat.press(who, pressed))
