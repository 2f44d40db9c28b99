"""'history': every application a worker has made, with each decision, who made it, why, and when;
and, for a manager or HR, the history of one application they may see ('history 12'), or of one
person's ('history Wendy Worker', 'history wendy@medway.example')."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from dialogs import approval
from dialogs.decision_cards import status_words, withdrawn_on
from dialogs.messages import Reply
from dialogs.route import route_of
from dialogs.turn import Turn
from storage import applications, decisions, directory
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
    """One application: where it stands, then every event in order, UK dates."""
    route = route_of(turn)
    level = turn.pack.level(app.target_level).name
    parts = [f"#{app.id} for {level}: {status_words(turn, app)}."]
    if app.submitted_at:
        parts.append(f"Submitted {app.submitted_at:%-d %B %Y}.")
    else:
        parts.append(f"Started {app.created_at:%-d %B %Y}, never submitted.")
    for made in decisions.decisions_of(turn.session, app.id):
        who = directory.get_person(turn.session, made.decided_by)
        stage = route.stage(made.stage)
        name = stage.name if stage else made.stage
        words = approval.verb(stage, made.outcome) if stage else made.outcome.replace("_", " ")
        line = f"{name}: {words}, by {who.name if who else 'someone no longer on the roster'} on {made.decided_at:%-d %B %Y}."
        if made.reasons:
            line += f" Reasons: {made.reasons}"
        if made.agreed_actions:
            line += f" Agreed actions: {made.agreed_actions}"
        parts.append(line)
    for asked in decisions.review_requests_of(turn.session, app.id):
        line = f"Review requested {asked.requested_at:%-d %B %Y}"
        if asked.outcome and asked.decided_at:
            who = directory.get_person(turn.session, asked.decided_by) if asked.decided_by else None
            line += (f": {asked.outcome.replace('_', ' ')}, by {who.name if who else 'someone'} "
                     f"on {asked.decided_at:%-d %B %Y}.")  # fmt: skip
            line += f" Reasons: {asked.decision_reasons}" if asked.decision_reasons else ""
        else:
            line += ", not yet decided."
        parts.append(line)
    if app.status == "withdrawn":
        on = withdrawn_on(turn, app)
        parts.append(f"Withdrawn{f' on {on:%-d %B %Y}' if on else ''}.")
    if app.effective_date:
        parts.append(f"Effective from {app.effective_date:%-d %B %Y}.")
    return " ".join(parts)
