"""'status': where a worker's application stands and what is missing; what waits on a manager or HR."""

from __future__ import annotations

from dialogs import approval
from dialogs.documents import evidence_headline
from dialogs.messages import Reply, button
from dialogs.turn import Turn
from storage import applications, decisions, directory
from storage.tables import Application

WAITING = {"awaiting_manager": "recommend", "awaiting_authoriser": "authorise", "awaiting_panel": "panel"}


def status(turn: Turn, step: str | None = None) -> list[Reply]:
    replies = _mine(turn, step)
    waiting = _waiting_on_me(turn)
    if waiting:
        replies.append(waiting)
    return replies


def _mine(turn: Turn, step: str | None) -> list[Reply]:
    mine = applications.applications_of(turn.session, turn.person.id)
    if not mine:
        return (
            []
            if turn.person.role != "worker"
            else [Reply(text="You have no application yet. Say 'apply' to start one.")]
        )
    app = mine[0]
    level = turn.pack.level(app.target_level).name
    if app.status == "drafting":
        headline, short = evidence_headline(turn.session, turn.pack, app)
        missing = f" Still to do: {', '.join(short[:5])}{'…' if len(short) > 5 else ''}." if short else ""
        where = f" You're on {step}." if step else ""
        text = f"Your application for {level} is a draft.{where} Evidence: {headline}.{missing} Say 'continue' to carry on."
        return [Reply(text=text, buttons=[button("Continue", "continue", "primary")])]
    return [Reply(text=f"Your application for {level}: {_progress(turn, app)}")]


def _progress(turn: Turn, app: Application) -> str:
    done = []
    for decision in decisions.decisions_of(turn.session, app.id):
        who = directory.get_person(turn.session, decision.decided_by)
        done.append(
            f"{decision.stage} {decision.outcome.replace('_', ' ')} by {who.name if who else '?'} on {decision.decided_at:%-d %B %Y}"
        )
    history = ("; ".join(done) + ". ") if done else ""
    if app.status in WAITING:
        stage = next(s for s in approval.chain(turn.pack) if s.name == WAITING[app.status])
        names = ", ".join(p.name for p in approval.deciders(turn, app, stage))
        since = approval.waiting_since(turn, app)
        return f"{history}Waiting for {names} ({stage.name}) since {since:%-d %B %Y}."
    if app.status == "approved":
        return (
            f"{history}Approved, effective from {app.effective_date:%-d %B %Y}."
            if app.effective_date
            else f"{history}Approved."
        )
    return f"{history}{app.status.replace('_', ' ').capitalize()}."


def _waiting_on_me(turn: Turn) -> Reply | None:
    waiting = []
    for status_name, stage_name in WAITING.items():
        stage = next((s for s in approval.chain(turn.pack) if s.name == stage_name), None)
        if stage is None:
            continue
        for app in applications.applications_awaiting(turn.session, status_name, org_id=turn.org):
            if any(p.id == turn.person.id for p in approval.deciders(turn, app, stage)):
                worker = directory.get_person(turn.session, app.person_id)
                waiting.append((app, stage, worker.name if worker else "?"))
    if not waiting:
        return None
    lines = [
        f"• {name}: {turn.pack.level(app.target_level).name} ({stage.name})" for app, stage, name in waiting
    ]
    cards = [approval.decision_card(turn, app, stage) for app, stage, _ in waiting[:3]]
    return Reply(
        text="Waiting for your decision:\n" + "\n".join(lines), card=cards[0] if len(cards) == 1 else None
    )
