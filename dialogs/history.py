"""'history': every application a worker has made, with each decision, who made it, why, and when;
and, for a manager or HR, the history of one application they may see ('history 12'), or of one
person's ('history Wendy Worker', 'history wendy@medway.example')."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from dialogs import story
from dialogs.decision_cards import withdrawn_on
from dialogs.messages import Reply
from dialogs.turn import Turn
from storage import applications, directory
from storage.tables import Application, Person

SEES_ALL = ("service_manager", "hr", "admin")
NAME_MATCH = 85  # rapidfuzz WRatio: "wendy" and "Wendy Worker" match, "wendi worker" too


def may_see(turn: Turn, app: Application) -> bool:
    """The applicant, their line manager, anyone a decision on it was sent to, service managers and HR."""
    asked = {i for ids in (app.data or {}).get("asked", {}).values() for i in ids}
    return app.org_id == turn.org and (
        turn.person.id in (app.person_id, app.line_manager_id)
        or turn.person.id in asked  # a panel member or reviewer too
        or turn.person.role in SEES_ALL
    )


def history(turn: Turn, argument: str = "") -> list[Reply] | None:
    """The asker's own applications; or, for 'history 12' or 'history <name or email>', one
    application or one person's that the asker may see. None when a worker's 'history <words>' names
    nobody: it is a question, not this command."""
    if argument.isdigit():
        return _one(turn, int(argument))
    if argument:
        return _of_person(turn, argument)
    mine = applications.applications_of(turn.session, turn.person.id)
    if not mine:
        other = (
            ""
            if turn.person.role == "worker"
            else " For one you decide on, say 'history' and its number or the applicant's name (e.g. 'history 12')."
        )
        return [Reply(text=f"You have made no applications yet.{other}")]
    lines = [f"• {describe(turn, app)}" for app in mine]
    return [Reply(text=f"Your applications ({len(mine)}), newest first:\n" + "\n".join(lines))]


def _one(turn: Turn, application_id: int) -> list[Reply]:
    app = applications.get_application(turn.session, application_id)
    if app is None or not may_see(turn, app):
        return [
            Reply(
                text=f"I can't show you application {application_id}: there's none of that number you may see."
            )
        ]
    worker = directory.get_person(turn.session, app.person_id)
    return [Reply(text=f"{worker.name if worker else 'Unknown'}'s application {describe(turn, app)}")]


def _of_person(turn: Turn, name: str) -> list[Reply] | None:
    """Every application of the person named (by email, or by name allowing for typos) that the
    asker may see, newest first; several people of that name are each listed."""
    people = [p for p in directory.list_people(turn.session, turn.org, include_inactive=True)
              if p.id != turn.person.id]  # fmt: skip
    named = [p for p in people if p.email == name.strip().lower()] or _by_name(people, name)
    shown = []
    for person in named:
        seen = [a for a in applications.applications_of(turn.session, person.id) if may_see(turn, a)]
        if seen:
            lines = "\n".join(f"• {describe(turn, app)}" for app in seen)
            shown.append(Reply(text=f"{person.name}'s applications ({len(seen)}), newest first:\n{lines}"))
    if shown:
        return shown
    if not named and turn.person.role == "worker":
        return None
    return [Reply(text=f"I can't show you any applications of anyone called {name!r}: there are none you may see. "
                       "Say 'history' and an application's number, or the applicant's name or email.")]  # fmt: skip


def _by_name(people: list[Person], name: str) -> list[Person]:
    """The people whose name best matches (a typo or first name allowed); ties are all kept."""
    found = process.extract(name, [p.name for p in people], scorer=fuzz.WRatio,
                            processor=utils.default_process, score_cutoff=NAME_MATCH, limit=10)  # fmt: skip
    best = max((score for _, score, _ in found), default=0)
    return [people[index] for _, score, index in found if score >= best - 1]


def describe(turn: Turn, app: Application) -> str:
    """One application: every event in order and where it stands now, UK dates (dialogs.story)."""
    level = turn.pack.level(app.target_level).name
    if app.submitted_at is None:
        on = withdrawn_on(turn, app) if app.status == "withdrawn" else None
        ended = f" Withdrawn on {on:%-d %B %Y}." if on else f" {story.where_now(turn, app, turn.person)}"
        return f"#{app.id} for {level}: started {app.created_at:%-d %B %Y}, never submitted.{ended}"
    told = [*story.events(turn, app, turn.person), story.where_now(turn, app, turn.person)]
    return f"#{app.id} for {level}: " + " ".join(told)
