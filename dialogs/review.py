"""Challenging a decision: a review requested in time (England and Wales working days), decided once."""

from __future__ import annotations

from datetime import date

from dialogs.messages import Action, Button, Card, CardField, Form, FormField, Reply, button
from dialogs.turn import Turn
from knowledge.working_days import add_working_days
from storage import applications, audit, decisions, directory
from storage.tables import Application, ReviewRequest, Role

REVIEWER_ROLES: tuple[Role, ...] = ("hr", "admin")


def window_closes(turn: Turn, app: Application) -> date | None:
    review = turn.pack.process.review
    if review is None or review.window_working_days is None or app.decided_at is None:
        return None
    return add_working_days(app.decided_at.date(), review.window_working_days)


def review_offer(turn: Turn, app: Application) -> list[Button]:
    """The button (and its deadline) offered with a 'not approved' outcome, where the policy has a review."""
    closes = window_closes(turn, app)
    if closes is None:
        return []
    return [button(f"Request a review (by {closes:%-d %B %Y})", "review", application=app.id)]


def request(turn: Turn, action: Action) -> list[Reply]:
    app = applications.get_application(turn.session, int(action.data.get("application") or 0))
    review = turn.pack.process.review
    if app is None or app.person_id != turn.person.id:
        app = _latest_declined(turn)
    if app is None or app.status != "not_approved":
        return [Reply(text="You have no decision to ask a review of.")]
    if review is None:
        org = turn.pack.organisation
        return [
            Reply(
                text=f"{org.short_name}'s policy doesn't set out a review or appeal process. Please ask {org.ask}."
            )
        ]
    closes = window_closes(turn, app)
    if closes is not None and turn.today > closes:
        return [
            Reply(
                text=f"The review window closed on {closes:%-d %B %Y} ({review.window_working_days} working days after the decision)."
            )
        ]
    if decisions.review_requests_of(turn.session, app.id):
        return [
            Reply(text="You have already asked for a review of this decision; you'll hear the outcome here.")
        ]
    reasons = str(action.data.get("reasons") or "").strip()
    if not reasons:
        return [
            Reply(
                text=f"Tell me your reasons for asking for a review. {review.text}", form=_reasons_form(app)
            )
        ]
    return _record_request(turn, app, reasons, closes or turn.today)


def _record_request(turn: Turn, app: Application, reasons: str, closes: date) -> list[Reply]:
    review = turn.pack.process.review
    assert review is not None
    made = decisions.request_review(turn.session, app.id, turn.person.id, reasons, closes)
    audit.record(turn.session, turn.org, "review_requested", actor_id=turn.person.id, application_id=app.id)
    card = Card(
        title=f"Review requested: {turn.person.name}", key=f"review-{made.id}",
        fields=[CardField(label="Applying for", value=turn.pack.level(app.target_level).name),
                CardField(label="To", value=review.to or "the reviewer")],
        body=f"Reasons: {reasons}",
        buttons=[button("Uphold the decision", "review_decide", "danger", request=made.id, outcome="not_approved"),
                 button("Overturn: progress", "review_decide", "primary", request=made.id, outcome="approved")],
    )  # fmt: skip
    for person in directory.list_people(turn.session, turn.org, roles=list(REVIEWER_ROLES)):
        turn.notify(
            person,
            Reply(text=f"{card.title}. {card.body}", card=card),
            f"review:{made.id}:{person.id}",
            "card",
        )
    days = f" within {review.response_working_days} working days" if review.response_working_days else ""
    return [
        Reply(
            text=f"Your request for a review has gone to {review.to or 'HR'}. You'll get the decision in writing{days}."
        )
    ]


def decide(turn: Turn, action: Action) -> list[Reply]:
    if turn.person.role not in REVIEWER_ROLES:
        return [Reply(text="Only HR can record a review decision.")]
    request_id = int(action.data.get("request") or 0)
    outcome = str(action.data.get("outcome") or "")
    found = [r for r in _requests(turn) if r.id == request_id]
    if not found or outcome not in ("approved", "not_approved"):
        return [Reply(text="I couldn't match that to a review request.")]
    reasons = str(action.data.get("reasons") or "").strip()
    if not reasons:
        form = Form(title="Review decision: reasons", fields=[FormField(name="reasons", label="Reasons in full")],
                    submit=Action(name="review_decide", data={"request": request_id, "outcome": outcome}))  # fmt: skip
        return [Reply(text="Please give the reasons for the review decision.", form=form)]
    if not decisions.decide_review(turn.session, request_id, turn.person.id, outcome, reasons):  # type: ignore[arg-type]
        return [Reply(text="This review has already been decided.")]
    return _settle(turn, found[0].application_id, outcome, reasons)


def _settle(turn: Turn, application_id: int, outcome: str, reasons: str) -> list[Reply]:
    app = applications.get_application(turn.session, application_id)
    assert app is not None
    review = turn.pack.process.review
    final = " This decision is final." if review and review.final else ""
    if outcome == "approved":
        applications.transition(turn.session, app.id, "not_approved", "approved", effective_date=turn.today)
    audit.record(turn.session, turn.org, f"review:{outcome}", actor_id=turn.person.id, application_id=app.id)
    verdict = "upheld your appeal: you progress" if outcome == "approved" else "upheld the original decision"
    worker = directory.get_person(turn.session, app.person_id)
    assert worker is not None
    turn.notify(worker, Reply(text=f"Review decision: {turn.person.name} {verdict}. Reasons: {reasons}.{final}"),
                f"review-outcome:{app.id}")  # fmt: skip
    return [Reply(text=f"Recorded the review decision.{final}")]


def _requests(turn: Turn) -> list[ReviewRequest]:
    return [r for app in _org_declined(turn) for r in decisions.review_requests_of(turn.session, app.id)]


def _org_declined(turn: Turn) -> list[Application]:
    return applications.applications_awaiting(turn.session, "not_approved", org_id=turn.org)


def _latest_declined(turn: Turn) -> Application | None:
    mine = [
        a for a in applications.applications_of(turn.session, turn.person.id) if a.status == "not_approved"
    ]
    return mine[0] if mine else None


def _reasons_form(app: Application) -> Form:
    return Form(title="Request a review", fields=[FormField(name="reasons", label="Why you are asking for a review")],
                submit=Action(name="review", data={"application": app.id}))  # fmt: skip
