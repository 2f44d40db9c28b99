"""Sign-off: the route's stages in order, one decision per stage, race-safe.

A decision is a conditional status change (`awaiting:<stage>` -> next) made in the same transaction as
the decision row and the outbox notices it causes; a second click, a stale card or a manager racing
another finds the status already moved and is told who decided and when. Who may decide is checked in
one place (dialogs.authorisation); what each stage records, and what its approval means, is the pack's.
"""

from __future__ import annotations

from datetime import date

from rapidfuzz import fuzz, process

from dialogs import authorisation, cover, outcomes, story
from dialogs.decision_cards import already_decided, closed_card, decision_card, inputs_form
from dialogs.messages import FORM_KEY, Action, Card, Reply
from dialogs.route import Route, route_of, waiting_stage, waiting_status
from dialogs.turn import Turn
from dialogs.when import parse_date
from knowledge.models import RouteStage
from storage import applications, audit, decisions, directory
from storage.tables import Application, DecisionOutcome, Person

OUTCOMES = ("approved", "not_approved", "not_yet")


def submit(turn: Turn, app: Application) -> list[Reply]:
    route = route_of(turn)
    if not route.stated:
        return [Reply(text=route_not_stated(turn))]
    first = route.stages[0]
    people = authorisation.stage_deciders(turn, app, route, first)
    if not people:
        return [
            Reply(text=f"I can't send it yet: {nobody_to_decide(turn, route, first)} Your draft is kept.")
        ]
    fields = {"submitted_at": turn.now, "line_manager_id": _line_manager_id(turn)}
    if not applications.transition(turn.session, app.id, "drafting", waiting_status(first), **fields):
        return [Reply(text="This application has already been submitted.")]
    audit.record(turn.session, turn.org, "submitted", actor_id=turn.person.id, application_id=app.id)
    turn.session.refresh(app)
    names = story.with_whom(turn, app, first.id) if ask(turn, app, route, first, people) else ""
    return [Reply(text=f"Submitted. It goes first to {first.name}: I've sent it to {names}. "
                       "I'll tell you here when they decide. Say 'status' any time.")]  # fmt: skip


def route_not_stated(turn: Turn) -> str:
    org = turn.pack.organisation
    return (f"{org.short_name}'s policy doesn't set out how a progression application is made or who decides it, "
            f"and no local procedure has been recorded, so I can't start one. Please speak to {org.ask}; "
            "HR can record a local procedure for it.")  # fmt: skip


def nobody_to_decide(turn: Turn, route: Route, stage: RouteStage) -> str:
    if stage.decider == "line_manager":
        return f"the roster names no line manager of yours who can make the {stage.name}. Please ask HR to update it."
    return (f"nobody on the roster can make the {stage.name} ({route.post_names(stage.posts) or 'no post named'}). "
            "Please ask HR to record who holds the post.")  # fmt: skip


def ask(turn: Turn, app: Application, route: Route, stage: RouteStage, people: list[Person]) -> list[Person]:
    """Send the stage's card to its deciders (to the cover of any who are away) and remember whom it
    went to; HR hears if nobody can decide. Returns whom it was sent to."""
    chosen, covers, notes = cover.stand_ins(turn, app, authorisation.stage_duty(stage), people)
    round_ = authorisation.assign(app, stage.id, chosen, covers)
    for person in chosen:
        send_card(turn, app, route, stage, person, round_, notes.get(person.id, ""))
    if not chosen:
        worker = outcomes.applicant(turn, app)
        text = f"{worker.name}'s application is waiting for the {stage.name}, but {nobody_to_decide(turn, route, stage)}"
        for person in directory.list_people(turn.session, turn.org, roles=["hr"]):
            turn.notify(person, Reply(text=text), f"nobody:{app.id}:{stage.id}:{person.id}")
    return chosen


def send_card(
    turn: Turn, app: Application, route: Route, stage: RouteStage, person: Person, round_: int, note: str = ""
) -> None:
    """The stage's card, drawn for `person`, with a note on why it has come to them where there is one.
    Each round of asking is its own message, so a decision that comes back to someone reaches them."""
    card = decision_card(turn, route, app, stage, person, note)
    text = _card_text(card)
    again = f":{round_}" if round_ > 1 else ""
    turn.notify(
        person,
        Reply(text=text, card=card, card_fallback=True),
        f"ask:{app.id}:{stage.id}:{person.id}{again}",
        "card",
    )


def deciders(turn: Turn, app: Application, stage: RouteStage) -> list[Person]:
    """Whom this stage's decision was sent to (or HR reassigned it to)."""
    return directory.people_by_id(turn.session, authorisation.assigned_to(app, stage.id))


def decide(turn: Turn, action: Action) -> list[Reply]:
    app = applications.get_application(turn.session, int(action.data.get("application") or 0))
    route = route_of(turn)
    stage = route.stage(action.data.get("stage"))
    outcome = str(action.data.get("outcome") or "")
    if app is None or stage is None or outcome not in OUTCOMES:
        return [Reply(text="I couldn't match that button to an application. Please use the latest card.")]
    duty = authorisation.stage_duty(stage)
    refusal = authorisation.refusal(turn, app, duty, authorisation.assigned_to(app, stage.id))
    if refusal:
        return [Reply(text=refusal)]
    if app.status != waiting_status(stage):
        return [already_decided(turn, app, stage)]
    given, problems = _inputs(turn, stage, outcome, action)
    if action.data.get("note_form") and not action.data.get(FORM_KEY):  # "…, with a note": the form first
        return [Reply(text="Add a note for the worker and whoever decides next, if you like.",
                      form=inputs_form(app, stage, outcome))]  # fmt: skip
    if problems:
        form = inputs_form(app, stage, outcome).again(action, problems)
        return [Reply(text=" ".join(dict.fromkeys(problems.values())), form=form)]
    return _record(turn, route, app, stage, outcome, given)  # type: ignore[arg-type]


def _inputs(
    turn: Turn, stage: RouteStage, outcome: str, action: Action
) -> tuple[dict[str, object], dict[str, str]]:
    """What the decider must give with this decision, checked: the stage's recorded fields, a panel's
    sitting date in the policy's months, and reasons and agreed actions when it is not an approval.
    Returns what was given, or the problem with each box (by field name)."""
    data = action.data
    # An approval may carry a note (kept where the reasons of a refusal are); a refusal must give both.
    reasons = str(data.get("reasons") or data.get("note") or "").strip()
    actions = str(data.get("actions") or "").strip()
    problems: dict[str, str] = {}
    if outcome != "approved":
        for name, value in (("reasons", reasons), ("actions", actions)):
            if not value:
                problems[name] = "Please give your reasons and the agreed actions."
    recorded: dict[str, str] = {}
    for field in stage.records:
        typed = str(data.get(field.id) or "").strip()
        match = (
            process.extractOne(typed.lower(), field.choices, scorer=fuzz.ratio, score_cutoff=80)
            if typed
            else None
        )
        if match is None:
            problems[field.id] = f"Please record {field.label}: {' or '.join(field.choices)}."
        else:
            recorded[field.id] = match[0]
    sat_on: date | None = None
    if stage.months:
        sat_on = parse_date(str(data.get("sat_on") or ""))
        if sat_on is None or sat_on > turn.today or sat_on.strftime("%B") not in stage.months:
            months = " or ".join(stage.months)
            problems["sat_on"] = (
                f"Please give the date the {stage.name} sat (it sits in {months}; not a future date)."
            )
    if problems:
        return {}, problems
    return {"reasons": reasons, "actions": actions, "recorded": recorded, "sat_on": sat_on}, {}


def _record(
    turn: Turn,
    route: Route,
    app: Application,
    stage: RouteStage,
    outcome: DecisionOutcome,
    given: dict[str, object],
) -> list[Reply]:
    later = route.after(stage)
    final = outcome != "approved" or later is None
    waiting = waiting_status(stage)
    if not applications.claim(turn.session, app):  # a decision, or a reassignment, got there first
        turn.session.refresh(app)
        if app.status != waiting or decisions.decision_for(turn.session, app.id, stage.id) is not None:
            return [already_decided(turn, app, stage)]
        return [Reply(text=story.changed_meanwhile(turn, app, turn.person))]
    fields: dict[str, object] = {}
    if stage.decider == "line_manager":
        fields["manager_signed_at"] = turn.now  # the line manager's signature, whatever they recommend
    if not final:
        assert later is not None
        if not applications.transition(turn.session, app.id, waiting, waiting_status(later), **fields):
            return [already_decided(turn, app, stage)]
    elif fields and not applications.transition(turn.session, app.id, waiting, waiting, **fields):
        return [already_decided(turn, app, stage)]
    made = decisions.record_decision(
        turn.session, app.id, stage.id, turn.person.id, outcome, str(given["reasons"]), str(given["actions"]),
        decided_at=turn.now, recorded=given["recorded"], sat_on=given["sat_on"],  # type: ignore[arg-type]
    )  # fmt: skip
    if made is None:
        return [already_decided(turn, app, stage)]
    turn.session.refresh(app)
    audit.record(
        turn.session, turn.org, f"{stage.id}:{outcome}", actor_id=turn.person.id, application_id=app.id
    )
    if final and not _finish(turn, route, app, stage, outcome, given):
        return [already_decided(turn, app, stage)]
    _close_cards(turn, route, app, stage, outcome)
    if not final:
        assert later is not None
        _next(turn, route, app, stage, later)
    _tell_those_concerned(turn, app, stage)
    card = closed_card(turn, route, app, stage, outcome)
    return [Reply(text=f"Recorded: {verb(stage, outcome)} ({stage.name}).", card=card, replaces=card.key)]


def _next(turn: Turn, route: Route, app: Application, stage: RouteStage, later: RouteStage) -> None:
    ask(turn, app, route, later, authorisation.stage_deciders(turn, app, route, later))
    if stage.approval_means == "eligible_for_vacancy":
        text = (f"The {stage.name} has found you eligible for {turn.pack.level(app.target_level).name}: "
                f"you are eligible, awaiting a vacancy. {later.text} Your level stays as it is until then.")  # fmt: skip
    else:
        made = decisions.decision_for(turn.session, app.id, stage.id)
        done = story.decision_sentence(turn, made) if made else ""
        text = f"{done} Next: {later.name}. {later.text} {story.where_now(turn, app)}".strip()
    _tell_worker(turn, app, stage, text)
    _feedback(turn, app, route, stage, "approved")


def _tell_those_concerned(turn: Turn, app: Application, stage: RouteStage) -> None:
    """Whoever decided an earlier stage, and the applicant's line manager, hear what this stage
    decided (the line manager hears the authoriser's decision), with the note or reasons given and
    where the application goes now."""
    made = decisions.decision_for(turn.session, app.id, stage.id)
    if made is None:
        return
    worker = outcomes.applicant(turn, app)
    level = turn.pack.level(app.target_level).name
    route = route_of(turn)
    concerned: dict[int, str] = {}
    for earlier in decisions.decisions_of(turn.session, app.id):
        earlier_stage = route.stage(earlier.stage)
        if earlier.stage != stage.id and earlier_stage is not None:
            concerned.setdefault(earlier.decided_by, f"you made the {earlier_stage.name}")
    if app.line_manager_id is not None:
        concerned.setdefault(app.line_manager_id, "you are their line manager")
    for person in directory.people_by_id(turn.session, list(concerned)):
        if person.id in (turn.person.id, app.person_id):
            continue
        text = (f"News of {worker.name}'s application for {level} ({concerned[person.id]}): "
                f"{story.decision_sentence(turn, made)} {story.where_now(turn, app, person)}")  # fmt: skip
        turn.notify(person, Reply(text=text), f"told:{app.id}:{stage.id}:{person.id}")


def _finish(
    turn: Turn,
    route: Route,
    app: Application,
    stage: RouteStage,
    outcome: DecisionOutcome,
    given: dict[str, object],
) -> bool:
    waiting = waiting_status(stage)
    if outcome == "approved":
        return outcomes.approve(turn, route, app, waiting)
    if not applications.transition(turn.session, app.id, waiting, "not_approved", decided_at=turn.now):
        return False
    turn.session.refresh(app)
    from dialogs.review import review_offer  # review builds on approval's records

    text = not_approved_text(turn, app, stage, str(given["reasons"]), str(given["actions"]))
    turn.notify(
        outcomes.applicant(turn, app), Reply(text=text, buttons=review_offer(turn, app)), f"outcome:{app.id}"
    )
    _feedback(turn, app, route, stage, outcome)
    return True


def _feedback(turn: Turn, app: Application, route: Route, stage: RouteStage, outcome: str) -> None:
    """Those the policy names to give the applicant feedback on this stage's outcome are told it."""
    if not stage.feedback_posts:
        return
    worker = outcomes.applicant(turn, app)
    text = (f"The {stage.name} recorded '{verb(stage, outcome)}' on {worker.name}'s application for "
            f"{turn.pack.level(app.target_level).name}. {route.citation} names you to give them feedback on the outcome.")  # fmt: skip
    for person in authorisation.post_holders(turn, stage.feedback_posts):
        turn.notify(person, Reply(text=text), f"feedback:{app.id}:{stage.id}:{person.id}")


def not_approved_text(turn: Turn, app: Application, stage: RouteStage, reasons: str, actions: str) -> str:
    pack = turn.pack
    lines = [f"Your application for {pack.level(app.target_level).name} was not agreed this time, "
             f"at the {stage.name}, by {turn.person.name}.",
             f"Why: {reasons}", f"What you need to do to progress: {actions}"]  # fmt: skip
    if pack.process.not_approved:
        lines.append(pack.process.not_approved)
    return "\n".join(lines)


def _tell_worker(turn: Turn, app: Application, stage: RouteStage, text: str) -> None:
    turn.notify(outcomes.applicant(turn, app), Reply(text=text), f"worker:{app.id}:{stage.id}")


def _close_cards(turn: Turn, route: Route, app: Application, stage: RouteStage, outcome: str) -> None:
    """Everyone else who was shown this card sees it replaced by the decision."""
    card = closed_card(turn, route, app, stage, outcome)
    for person in deciders(turn, app, stage):
        if person.id != turn.person.id:
            reply = Reply(text=card.body, card=card, replaces=card.key, card_fallback=True)
            turn.notify(person, reply, f"closed:{app.id}:{stage.id}:{person.id}", "card_update")


def waiting_on(turn: Turn, app: Application) -> RouteStage | None:
    return waiting_stage(route_of(turn), app.status)


def verb(stage: RouteStage, outcome: str) -> str:
    """The stage's own words for the outcome ("Progressed", "Not yet")."""
    return stage.approve if outcome == "approved" else stage.decline


def _line_manager_id(turn: Turn) -> int | None:
    return turn.person.line_manager_id


def _card_text(card: Card) -> str:
    facts = "\n".join(f"{f.label}: {f.value}" for f in card.fields)
    return f"{card.title}\n{facts}\n{card.body}"
