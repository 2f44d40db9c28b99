"""Segregation of duties, in one place: who is asked to make each decision on an application, and
whether the person pressing a button may make it. Every decision (each route stage, a review, a
hearing) goes through `refusal`.

The decider comes from the roster, never from the applicant's choice: the applicant's line manager,
the nearest person above the previous stage's decider, or the holders of the posts the stage names.
Nobody decides their own application or two of its decisions; a card acts only for those it was sent
to (or whom it was reassigned or delegated to); and roles are read from the roster again at every decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.route import Route
from dialogs.turn import Turn
from knowledge.models import RouteStage
from storage import decisions, directory, posts
from storage.tables import Application, Person

REVIEW = "review"


@dataclass(frozen=True)
class Duty:
    """A decision to be made on an application: which one, and who may make it."""

    key: str  # the route stage id, or "review"
    label: str  # how to name it to people
    roles: tuple[str, ...]  # roster roles that may make it
    posts: tuple[str, ...]  # posts whose holders may make it


def stage_duty(stage: RouteStage) -> Duty:
    return Duty(stage.id, stage.name, tuple(str(r) for r in stage.roles), tuple(stage.posts))


def entitled(turn: Turn, person: Person, duty: Duty) -> bool:
    """Whether the roster (role now) or a post the person holds lets them make this decision."""
    if person.role in duty.roles:
        return True
    return bool(duty.posts) and bool(posts.posts_of(turn.session, person.id) & set(duty.posts))


def earlier_deciders(turn: Turn, app: Application, key: str) -> set[int]:
    """Everyone who has made another decision on this application."""
    return {d.decided_by for d in decisions.decisions_of(turn.session, app.id) if d.stage != key}


def stage_deciders(turn: Turn, app: Application, route: Route, stage: RouteStage) -> list[Person]:
    """Who the roster says decides this stage now."""
    duty = stage_duty(stage)
    barred = earlier_deciders(turn, app, stage.id) | {app.person_id}
    if stage.decider == "line_manager":
        found = _line_manager(turn, app)
        candidates = [found] if found else []
    elif stage.decider == "above_previous":
        candidates = _above_previous(turn, app, route, stage, barred) or post_holders(turn, stage.posts)
    else:
        candidates = post_holders(turn, stage.posts)
    return [p for p in candidates if p.id not in barred and p.active and entitled(turn, p, duty)]


def review_deciders(turn: Turn, app: Application, post: str) -> list[Person]:
    barred = earlier_deciders(turn, app, REVIEW) | {app.person_id}
    return [p for p in post_holders(turn, [post]) if p.id not in barred]


def refusal(turn: Turn, app: Application, duty: Duty, assigned: list[int]) -> str | None:
    """Why the person in this turn may not make this decision, or None when they may."""
    person = turn.person
    unfit = _unfit(turn, app, duty, person, "You")
    if unfit:
        return unfit
    if person.id not in assigned:
        names = ", ".join(p.name for p in directory.people_by_id(turn.session, assigned)) or "nobody yet"
        return (f"This decision was sent to {names}. Only they can make it; HR, or a service manager above "
                "them, can reassign it.")  # fmt: skip
    return None


def may_be_given(turn: Turn, app: Application, duty: Duty, person: Person) -> str | None:
    """Why this decision may not be reassigned to `person`, or None when it may."""
    return _unfit(turn, app, duty, person, person.name)


def _unfit(turn: Turn, app: Application, duty: Duty, person: Person, who: str) -> str | None:
    if app.org_id != person.org_id:
        return "That application belongs to another organisation."
    if not person.active:
        return f"{who} can't decide on applications: the roster entry is not active."
    if person.id == app.person_id:
        return f"{who} can't decide on {'your' if who == 'You' else 'their'} own application."
    if person.id in earlier_deciders(turn, app, duty.key):
        return f"{who} already made one decision on this application; this one needs someone else."
    if not entitled(turn, person, duty):
        role = person.role.replace("_", " ")
        return f"{who} can't make the {duty.label}: the roster role ({role}) and posts held don't allow it."
    return None


def assigned_to(app: Application, key: str) -> list[int]:
    """Whom the decision's card was sent to (or HR reassigned it to)."""
    asked = (app.data or {}).get("asked", {})
    return [int(i) for i in asked.get(key, [])]


def covering(app: Application, key: str) -> dict[int, int]:
    """Of those the decision waits on, who covers for whom (delegate id -> the away decider's id)."""
    found = (app.data or {}).get("covering", {}).get(key, {})
    return {int(delegate): int(away) for delegate, away in found.items()}


def assign(app: Application, key: str, people: list[Person], covers: dict[int, int] | None = None) -> int:
    """Record whom the decision now waits on (and whom any of them covers for); returns the round
    number of this assignment, so a card sent again to someone asked before is a new message."""
    data = dict(app.data or {})
    data["asked"] = {**data.get("asked", {}), key: [p.id for p in people]}
    data["covering"] = {**data.get("covering", {}), key: {str(k): v for k, v in (covers or {}).items()}}
    rounds = data.get("rounds", {})
    data["rounds"] = {**rounds, key: int(rounds.get(key, 0)) + 1}
    app.data = data  # a new dict: JSON columns are not change-tracked in place
    return int(data["rounds"][key])


def admitted_by_rule(turn: Turn, app: Application, route: Route, stage: RouteStage, person: Person) -> bool:
    """Whether the stage's own rule names this person, not only their role: the applicant's line
    manager for a line manager's stage, anyone up the line above the previous decider for an "above"
    stage ("Service Managers and above"), a holder of the posts for a posts stage."""
    if _unfit(turn, app, stage_duty(stage), person, person.name):
        return False
    if stage.decider == "line_manager":
        manager = _line_manager(turn, app)
        return manager is not None and manager.id == person.id
    if stage.decider == "above_previous":
        previous = route.before(stage)
        decided = decisions.decision_for(turn.session, app.id, previous.id) if previous else None
        start = decided.decided_by if decided else app.person_id
        above = {p.id for p in directory.line_manager_chain(turn.session, start)}
        return person.id in above or bool(posts.posts_of(turn.session, person.id) & set(stage.posts))
    return bool(posts.posts_of(turn.session, person.id) & set(stage.posts))


def _line_manager(turn: Turn, app: Application) -> Person | None:
    applicant = directory.get_person(turn.session, app.person_id)
    manager_id = applicant.line_manager_id if applicant else None
    return directory.get_person(turn.session, manager_id) if manager_id else None


def _above_previous(
    turn: Turn, app: Application, route: Route, stage: RouteStage, barred: set[int]
) -> list[Person]:
    previous = route.before(stage)
    decided = decisions.decision_for(turn.session, app.id, previous.id) if previous else None
    start = decided.decided_by if decided else app.person_id
    duty = stage_duty(stage)
    for person in directory.line_manager_chain(turn.session, start):
        if person.active and person.id not in barred and entitled(turn, person, duty):
            return [person]
    return []


def post_holders(turn: Turn, post_ids: list[str]) -> list[Person]:
    return posts.holders(turn.session, turn.org, post_ids)
