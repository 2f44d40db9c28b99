"""'history': every application a worker has made, with each decision, who made it, why, and when;
and, for a manager or HR, the history of one application they may see ('history 12')."""

from __future__ import annotations

from dialogs import story
from dialogs.decision_cards import withdrawn_on
from dialogs.messages import Reply
from dialogs.turn import Turn
from storage import applications, directory
from storage.tables import Application

SEES_ALL = ("service_manager", "hr", "admin")


def may_see(turn: Turn, app: Application) -> bool:
    """The applicant, their line manager, anyone a decision on it was sent to, service managers and HR."""
    asked = {i for ids in (app.data or {}).get("asked", {}).values() for i in ids}
    return app.org_id == turn.org and (
        turn.person.id in (app.person_id, app.line_manager_id)
        or turn.person.id in asked  # a panel member or reviewer too
        or turn.person.role in SEES_ALL
    )


def history(turn: Turn, application_id: int | None) -> list[Reply]:
    if application_id is not None:
        app = applications.get_application(turn.session, application_id)
        if app is None or not may_see(turn, app):
            return [
                Reply(
                    text=f"I can't show you application {application_id}: there's none of that number you may see."
                )
            ]
        worker = directory.get_person(turn.session, app.person_id)
        return [Reply(text=f"{worker.name if worker else 'Unknown'}'s application {describe(turn, app)}")]
    mine = applications.applications_of(turn.session, turn.person.id)
    if not mine:
        other = (
            ""
            if turn.person.role == "worker"
            else " For one you decide on, say 'history' and its number (e.g. 'history 12')."
        )
        return [Reply(text=f"You have made no applications yet.{other}")]
    lines = [f"• {describe(turn, app)}" for app in mine]
    return [Reply(text=f"Your applications ({len(mine)}), newest first:\n" + "\n".join(lines))]


def describe(turn: Turn, app: Application) -> str:
    """One application: every event in order and where it stands now, UK dates (dialogs.story)."""
    level = turn.pack.level(app.target_level).name
    if app.submitted_at is None:
        on = withdrawn_on(turn, app) if app.status == "withdrawn" else None
        ended = f" Withdrawn on {on:%-d %B %Y}." if on else f" {story.where_now(turn, app, turn.person)}"
        return f"#{app.id} for {level}: started {app.created_at:%-d %B %Y}, never submitted.{ended}"
    told = [*story.events(turn, app, turn.person), story.where_now(turn, app, turn.person)]
    return f"#{app.id} for {level}: " + " ".join(told)
