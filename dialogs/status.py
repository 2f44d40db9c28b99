"""'status': where a worker's application stands and what is missing; what waits on a manager or HR."""

from __future__ import annotations

from dialogs import approval, authorisation, review, withdrawal
from dialogs.decision_cards import decision_card, status_words
from dialogs.documents import evidence_headline
from dialogs.messages import Reply, button
from dialogs.route import route_of
from dialogs.turn import Turn
from storage import applications, decisions, directory
from storage.tables import Application


def status(turn: Turn, step: str | None = None) -> list[Reply]:
    replies = _mine(turn, step)
    waiting = _waiting_on_me(turn)
    if waiting:
        replies.append(waiting)
    elif turn.person.role != "worker":  # a manager or HR asking is told so, never met with silence
        replies.append(_nothing_waiting(turn))
    return replies


def _nothing_waiting(turn: Turn) -> Reply:
    """Nothing waits on this manager or HR: say so, with the decisions they sent and (HR) their tools."""
    route = route_of(turn)
    lines = ["Nothing is waiting for you."]
    sent = decisions.decisions_by(turn.session, turn.person.id)
    if sent:
        lines.append("Your latest decisions:")
    for made in sent:
        app = applications.get_application(turn.session, made.application_id)
        worker = directory.get_person(turn.session, app.person_id) if app else None
        stage = route.stage(made.stage)
        words = approval.verb(stage, made.outcome) if stage else made.outcome.replace("_", " ")
        where = f", now {status_words(turn, app)}" if app else ""
        lines.append(f"• {worker.name if worker else '?'} (#{made.application_id}): {words} at the "
                     f"{stage.name if stage else made.stage} on {made.decided_at:%-d %B %Y}{where}")  # fmt: skip
    if sent:
        lines.append("Say 'history' and a number (e.g. 'history 12') for an application's full history.")
    if turn.person.role in ("hr", "admin"):
        lines.append("HR tools: say 'hr' for the menu (panels, broadcasts, posts, reassigning a decision, "
                     "unanswered questions).")  # fmt: skip
    return Reply(text="\n".join(lines))


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
    return [
        Reply(
            text=f"Your application for {level}: {_progress(turn, app)}", buttons=withdrawal.offer(turn, app)
        )
    ]


def _progress(turn: Turn, app: Application) -> str:
    route = route_of(turn)
    done = []
    for decision in decisions.decisions_of(turn.session, app.id):
        who = directory.get_person(turn.session, decision.decided_by)
        stage = route.stage(decision.stage)
        words = approval.verb(stage, decision.outcome) if stage else decision.outcome.replace("_", " ")
        name = stage.name if stage else decision.stage
        done.append(f"{name}: {words}, by {who.name if who else '?'} on {decision.decided_at:%-d %B %Y}")
    history = ("; ".join(done) + ". ") if done else ""
    stage = approval.waiting_on(turn, app)
    if stage is not None:
        names = ", ".join(p.name for p in approval.deciders(turn, app, stage)) or "nobody on the roster yet"
        since = approval.waiting_since(turn, app)
        return f"{history}Waiting for the {stage.name} ({names}) since {since:%-d %B %Y}."
    if app.status == "approved":
        when = (
            f", effective from {app.effective_date:%-d %B %Y}"
            if app.effective_date
            else " (the policy doesn't say from when)"
        )
        return f"{history}Approved{when}."
    return f"{history}{status_words(turn, app).capitalize()}.{_review_progress(turn, app)}"


def _review_progress(turn: Turn, app: Application) -> str:
    requests = decisions.review_requests_of(turn.session, app.id)
    if not requests or requests[-1].outcome is not None:
        return ""
    made = requests[-1]
    parts = [" Your review is waiting for its decision"]
    if made.hearing_on:
        parts.append(f"; the hearing is on {made.hearing_on:%-d %B %Y}")
    if made.respond_by:
        parts.append(f"; it is due by {made.respond_by:%-d %B %Y}")
    return "".join(parts) + "."


def _waiting_on_me(turn: Turn) -> Reply | None:
    route = route_of(turn)
    waiting = []
    for app in applications.applications_waiting(turn.session, org_id=turn.org):
        stage = approval.waiting_on(turn, app)
        if stage is not None and turn.person.id in [p.id for p in approval.deciders(turn, app, stage)]:
            worker = directory.get_person(turn.session, app.person_id)
            waiting.append((app, stage, worker.name if worker else "?"))
    reviews = [
        (made, app) for made, app in review.undecided(turn) if turn.person.id in _review_assignees(app)
    ]
    if not waiting and not reviews:
        return None
    lines = [
        f"• {name} (#{app.id}): {turn.pack.level(app.target_level).name} ({stage.name})"
        for app, stage, name in waiting
    ]
    lines += [f"• a review of application {app.id} (due by {made.respond_by:%-d %B %Y})" if made.respond_by
              else f"• a review of application {app.id}" for made, app in reviews]  # fmt: skip
    cards = [decision_card(turn, route, app, stage) for app, stage, _ in waiting[:3]]
    return Reply(
        text="Waiting for your decision:\n" + "\n".join(lines), card=cards[0] if len(cards) == 1 else None
    )


def _review_assignees(app: Application) -> list[int]:
    return authorisation.assigned_to(app, review.REVIEW_DUTY)
