"""Challenging a decision: a review requested in time (England and Wales working days), sent to the
post the policy names, a hearing arranged where the policy holds one (date, right to be represented,
the assessing manager told), decided once, and an upheld challenge applied to the record."""

from __future__ import annotations

from datetime import date

from dialogs import authorisation, cover, outcomes, story
from dialogs.messages import Action, Button, Card, CardField, Form, FormField, Reply, button
from dialogs.route import route_of
from dialogs.turn import Turn
from dialogs.when import parse_date
from knowledge.models import Review
from knowledge.working_days import add_working_days
from storage import applications, audit, decisions, directory
from storage.tables import Application, Person, ReviewRequest

REVIEW_DUTY = "review"


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


def duty(review: Review) -> authorisation.Duty:
    return authorisation.Duty(
        REVIEW_DUTY, f"{review.name} decision", (), (review.to_post,) if review.to_post else ()
    )


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
        return [Reply(text=f"The review window closed on {closes:%-d %B %Y} ({review.window_working_days} working days after the decision).")]  # fmt: skip
    if decisions.review_requests_of(turn.session, app.id):
        return [
            Reply(text="You have already asked for a review of this decision; you'll hear the outcome here.")
        ]
    reasons = str(action.data.get("reasons") or "").strip()
    if not reasons:
        form = _reasons_form(app).again(action, {"reasons": "Please give your reasons."})
        return [Reply(text=f"Tell me your reasons for asking for a review. {review.text}", form=form)]
    return _record_request(turn, app, review, reasons, closes or turn.today)


def _record_request(turn: Turn, app: Application, review: Review, reasons: str, closes: date) -> list[Reply]:
    respond_by = (
        add_working_days(turn.today, review.response_working_days) if review.response_working_days else None
    )
    decisions.request_review(turn.session, app.id, turn.person.id, reasons, closes, respond_by, turn.now)
    audit.record(turn.session, turn.org, "review_requested", actor_id=turn.person.id, application_id=app.id)
    people = authorisation.review_deciders(turn, app, review.to_post) if review.to_post else []
    people = ask_reviewers(turn, app, people)
    deadline = f" The decision is due in writing by {respond_by:%-d %B %Y} ({review.response_working_days} working days)." if respond_by else ""  # fmt: skip
    if not people:
        _tell_hr(turn, app, f"A {review.name} was requested but nobody on the roster holds the post of {review.to or review.to_post}: please record who does.")  # fmt: skip
        return [Reply(text=f"Your request for a {review.name} is recorded, for {review.to or 'the reviewer'}. "
                           f"I can't find who holds that post on the roster, so I've asked HR to record it.{deadline}")]  # fmt: skip
    names = ", ".join(p.name for p in people)
    return [Reply(text=f"Your request for a {review.name} has gone to {review.to} ({names}).{deadline}")]


def review_card(
    turn: Turn,
    app: Application,
    review: Review,
    made: ReviewRequest,
    reader: Person | None = None,
    note: str = "",
) -> Card:
    """The review's card, addressed to `reader` (in their capacity: the post, or covering for its holder),
    with the application's story so far."""
    worker = outcomes.applicant(turn, app)
    fields = [CardField(label="Applying for", value=turn.pack.level(app.target_level).name),
              CardField(label="To", value=review.to or "the reviewer")]  # fmt: skip
    if made.respond_by:
        fields.append(CardField(label="Decision due by", value=f"{made.respond_by:%-d %B %Y}"))
    if made.hearing_on:
        fields.append(CardField(label="Hearing", value=f"{made.hearing_on:%-d %B %Y}"))
    buttons = []
    if review.hearing is not None:
        buttons.append(button("Arrange the hearing", "review_hearing", "primary", request=made.id))
    buttons += [button("Uphold the decision", "review_decide", "danger", request=made.id, outcome="not_approved"),
                button("Overturn: progress", "review_decide", "primary", request=made.id, outcome="approved")]  # fmt: skip
    away = authorisation.covering(app, REVIEW_DUTY).get(reader.id) if reader else None
    capacity = (
        f"covering for {story.cover_words(turn, away)}"
        if away is not None
        else f"as {review.to or 'the reviewer'}"
    )
    level = turn.pack.level(app.target_level).name
    lines = [note] if note else []
    lines += [f"{worker.name} asks you, {capacity}, for a {review.name} of the decision on their application for {level}.",
             f"Their reasons: {made.reasons}"]  # fmt: skip
    if review.hearing is not None:
        lines.append(review.hearing.text)
    lines += ["", "So far:", *(f"• {event}" for event in story.events(turn, app, reader))]
    body = "\n".join(lines)
    return Card(title=f"{review.name.capitalize()} requested: {worker.name}", key=f"review-{made.id}",
                fields=fields, body=body, buttons=buttons)  # fmt: skip


def _checked(turn: Turn, action: Action) -> tuple[ReviewRequest, Application, Review] | Reply:
    """The review request an action names, if the person may act on it (the one authorisation check)."""
    made = decisions.get_review_request(turn.session, int(action.data.get("request") or 0))
    app = applications.get_application(turn.session, made.application_id) if made else None
    review = turn.pack.process.review
    if made is None or app is None or review is None:
        return Reply(text="I couldn't match that to a review request.")
    refusal = authorisation.refusal(turn, app, duty(review), authorisation.assigned_to(app, REVIEW_DUTY))
    if refusal:
        return Reply(text=refusal)
    if made.outcome is not None:
        return Reply(text="This review has already been decided.")
    return made, app, review


def arrange_hearing(turn: Turn, action: Action) -> list[Reply]:
    checked = _checked(turn, action)
    if isinstance(checked, Reply):
        return [checked]
    made, app, review = checked
    day = parse_date(str(action.data.get("hearing_on") or ""))
    if day is None or day < turn.today:
        form = Form(title="Arrange the hearing",
                    fields=[FormField(name="hearing_on", label="Hearing date", kind="date", multiline=False)],
                    submit=Action(name="review_hearing", data={"request": made.id}))  # fmt: skip
        problem = "Please give the hearing date (today or later)."
        return [Reply(text=problem, form=form.again(action, {"hearing_on": problem}))]
    decisions.arrange_hearing(turn.session, made.id, turn.person.id, day)
    audit.record(
        turn.session, turn.org, "review_hearing_arranged", actor_id=turn.person.id, application_id=app.id
    )
    _tell_about_hearing(turn, app, review, made, day)
    return [
        Reply(text=f"Hearing arranged for {day:%-d %B %Y}; the worker and the assessing manager are told.")
    ]


def _tell_about_hearing(turn: Turn, app: Application, review: Review, made: ReviewRequest, day: date) -> None:
    hearing = review.hearing
    represented = (
        " You have the right to be represented." if hearing and hearing.right_to_be_represented else ""
    )
    worker = outcomes.applicant(turn, app)
    text = f"Your {review.name} hearing is on {day:%-d %B %Y}, arranged by {turn.person.name}.{represented}"
    text += f" {hearing.text}" if hearing else ""
    turn.notify(worker, Reply(text=text), f"hearing:{made.id}:{day}:worker")
    if hearing and hearing.assessing_manager_attends:
        for decider in _assessing_managers(turn, app):
            note = (f"The {review.name} hearing of {worker.name}'s application is on {day:%-d %B %Y}. "
                    "As the manager responsible for the assessment you will be asked to explain your decision, "
                    "with reference to any documentation or other evidence.")  # fmt: skip
            turn.notify(decider, Reply(text=note), f"hearing:{made.id}:{day}:{decider.id}")


def _assessing_managers(turn: Turn, app: Application) -> list[Person]:
    made = [d for d in decisions.decisions_of(turn.session, app.id) if d.outcome != "approved"]
    return directory.people_by_id(turn.session, [d.decided_by for d in made])


def decide(turn: Turn, action: Action) -> list[Reply]:
    checked = _checked(turn, action)
    if isinstance(checked, Reply):
        return [checked]
    made, app, review = checked
    outcome = str(action.data.get("outcome") or "")
    if outcome not in ("approved", "not_approved"):
        return [Reply(text="I couldn't match that to a review request.")]
    if review.hearing is not None and (made.hearing_on is None or made.hearing_on > turn.today):
        when = f" (it is arranged for {made.hearing_on:%-d %B %Y})" if made.hearing_on else ""
        return [Reply(text=f"The policy holds a hearing before the decision: decide after it{when}. "
                           "Arrange it with 'Arrange the hearing'.")]  # fmt: skip
    reasons = str(action.data.get("reasons") or "").strip()
    if not reasons:
        form = Form(title="Review decision: reasons", fields=[FormField(name="reasons", label="Reasons in full")],
                    submit=Action(name="review_decide", data={"request": made.id, "outcome": outcome}))  # fmt: skip
        problem = "Please give the reasons for the review decision."
        return [Reply(text=problem, form=form.again(action, {"reasons": problem}))]
    if not decisions.decide_review(turn.session, made.id, turn.person.id, outcome, reasons, turn.now):  # type: ignore[arg-type]
        return [Reply(text="This review has already been decided.")]
    return _settle(turn, app, review, outcome, reasons)


def _settle(turn: Turn, app: Application, review: Review, outcome: str, reasons: str) -> list[Reply]:
    final = " This decision is final." if review.final else ""
    audit.record(turn.session, turn.org, f"review:{outcome}", actor_id=turn.person.id, application_id=app.id)
    worker = outcomes.applicant(turn, app)
    if outcome == "approved":
        outcomes.approve(turn, route_of(turn), app, "not_approved")
        verdict, to_decider = "upheld your challenge: you progress", "upheld the challenge: they progress"
    else:
        verdict = to_decider = "upheld the original decision"
    turn.notify(worker, Reply(text=f"{review.name.capitalize()} decision: {turn.person.name} {verdict}. Reasons: {reasons}.{final}"),
                f"review-outcome:{app.id}")  # fmt: skip
    for decider in _assessing_managers(turn, app):  # the decision reviewed was theirs: they hear how it ended
        told = (f"The {review.name} of your decision on {worker.name}'s application: {turn.person.name} "
                f"{to_decider}. Reasons: {reasons}.{final}")  # fmt: skip
        turn.notify(decider, Reply(text=told), f"review-outcome:{app.id}:{decider.id}")
    return [Reply(text=f"Recorded the {review.name} decision.{final}")]


def undecided(turn: Turn) -> list[tuple[ReviewRequest, Application]]:
    """Undecided reviews of this organisation (for reminders and 'status')."""
    found = []
    for made in decisions.undecided_reviews(turn.session):
        app = applications.get_application(turn.session, made.application_id)
        if app is not None and app.org_id == turn.org:
            found.append((made, app))
    return found


def undecided_of(turn: Turn, app: Application) -> ReviewRequest | None:
    requests = decisions.review_requests_of(turn.session, app.id)
    return requests[-1] if requests and requests[-1].outcome is None else None


def ask_reviewers(turn: Turn, app: Application, people: list[Person]) -> list[Person]:
    """Send the undecided review's card to `people` (to the cover of any who are away); whom it went to."""
    rules = turn.pack.process.review
    if rules is None:
        return []
    chosen, covers, notes = cover.stand_ins(turn, app, duty(rules), people)
    round_ = authorisation.assign(app, REVIEW_DUTY, chosen, covers)
    for person in chosen:
        send_card(turn, app, person, round_, notes.get(person.id, ""))
    return chosen


def send_card(turn: Turn, app: Application, person: Person, round_: int, note: str = "") -> None:
    """The undecided review's card for `person`; each round of asking is its own message."""
    made, rules = undecided_of(turn, app), turn.pack.process.review
    if made is None or rules is None:
        return
    card = review_card(turn, app, rules, made, person, note)
    text = f"{card.title}. {card.body}"
    again = f":{round_}" if round_ > 1 else ""
    turn.notify(
        person,
        Reply(text=text, card=card, card_fallback=True),
        f"review:{made.id}:{person.id}{again}",
        "card",
    )


def _tell_hr(turn: Turn, app: Application, text: str) -> None:
    for person in directory.list_people(turn.session, turn.org, roles=["hr"]):
        if person.id != app.person_id:
            turn.notify(person, Reply(text=text), f"review-unassigned:{app.id}:{person.id}")


def _latest_declined(turn: Turn) -> Application | None:
    mine = [
        a for a in applications.applications_of(turn.session, turn.person.id) if a.status == "not_approved"
    ]
    return mine[0] if mine else None


def _reasons_form(app: Application) -> Form:
    return Form(title="Request a review", fields=[FormField(name="reasons", label="Why you are asking for a review")],
                submit=Action(name="review", data={"application": app.id}))  # fmt: skip
