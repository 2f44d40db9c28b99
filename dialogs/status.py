"""'status': where a worker's application stands and what is missing; what waits on a manager or HR,
what they decided lately, and whether they are away or covering for someone. In plain sentences
(dialogs.story), never the workflow's own codes."""

from __future__ import annotations

from dialogs import approval, authorisation, cover, review, story, withdrawal
from dialogs.decision_cards import decision_card
from dialogs.documents import evidence_headline
from dialogs.messages import Reply, button
from dialogs.route import route_of
from dialogs.turn import Turn
from dialogs.when import long_date, uk_today
from storage import applications, decisions, delegations, directory
from storage.tables import Application


def status(turn: Turn, step: str | None = None) -> list[Reply]:
    replies = _mine(turn, step)
    replies += _away_or_covering(turn)
    waiting = _waiting_on_me(turn)
    if waiting:
        replies.append(waiting)
    elif turn.person.role != "worker":  # a manager or HR asking is told so, never met with silence
        replies.append(_nothing_waiting(turn))
    return replies


def _nothing_waiting(turn: Turn) -> Reply:
    """Nothing waits on this manager or HR: say so, with the decisions they sent and (HR) their tools."""
    lines = ["Nothing is waiting for you."]
    sent = decisions.decisions_by(turn.session, turn.person.id)
    if sent:
        lines.append("Your latest decisions:")
    for made in sent:
        app = applications.get_application(turn.session, made.application_id)
        if app is None:
            continue
        done = story.decision_sentence(turn, made, turn.person, notes=False)
        lines.append(f"• {_whose(turn, app)}: {done} {story.where_now(turn, app, turn.person)}")
    if sent:
        lines.append("Say 'history' and a number (e.g. 'history 12') for an application's full history.")
    if turn.person.role in ("hr", "admin"):
        lines.append("HR tools: say 'hr' for the menu (panels, broadcasts, posts, reassigning a decision, "
                     "unanswered questions, who is out of office).")  # fmt: skip
    return Reply(text="\n".join(lines))


def _whose(turn: Turn, app: Application) -> str:
    """'Wendy Worker's application for Level 3 Social Worker (#12)'."""
    worker = directory.get_person(turn.session, app.person_id)
    return f"{worker.name if worker else 'Someone'}'s application for {turn.pack.level(app.target_level).name} (#{app.id})"


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
            text=f"Your application for {level} (#{app.id}): {_progress(turn, app)}",
            buttons=withdrawal.offer(turn, app),
        )
    ]


def _progress(turn: Turn, app: Application) -> str:
    told = " ".join([*story.events(turn, app, turn.person), story.where_now(turn, app, turn.person)])
    return told + _review_progress(turn, app)


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


def _away_or_covering(turn: Turn) -> list[Reply]:
    """A decider's out of office, and whom they cover for."""
    replies = []
    away = cover.away(turn, turn.person)
    if away is not None:
        to = directory.get_person(turn.session, away.to_person_id)
        text = (f"You are away until {long_date(away.until)}: decisions that would come to you go to "
                f"{to.name if to else 'your cover'}. Say 'end delegation' when you're back.")  # fmt: skip
        replies.append(Reply(text=text, buttons=[button("End delegation", "delegate_end")]))
    for made in delegations.covering(turn.session, turn.person.id, uk_today(turn.now)):
        for_whom = directory.get_person(turn.session, made.from_person_id)
        name = for_whom.name if for_whom else "someone"
        replies.append(Reply(text=f"You are covering for {name} until {long_date(made.until)}."))
    return replies


def _waiting_on_me(turn: Turn) -> Reply | None:
    route = route_of(turn)
    waiting = []
    for app in applications.applications_waiting(turn.session, org_id=turn.org):
        stage = approval.waiting_on(turn, app)
        if stage is not None and turn.person.id in authorisation.assigned_to(app, stage.id):
            waiting.append((app, stage))
    reviews = [
        (made, app) for made, app in review.undecided(turn) if turn.person.id in _review_assignees(app)
    ]
    if not waiting and not reviews:
        return None
    lines = []
    for app, stage in waiting:
        away = authorisation.covering(app, stage.id).get(turn.person.id)
        covering = f" (you are covering for {story.cover_words(turn, away)})" if away is not None else ""
        since = story.day(story.waiting_since(turn, app))
        lines.append(
            f"• {_whose(turn, app)} needs the {stage.name} from you{covering}; it has waited since {since}."
        )
    lines += [f"• {_whose(turn, app)}: a review, due by {made.respond_by:%-d %B %Y}." if made.respond_by
              else f"• {_whose(turn, app)}: a review." for made, app in reviews]  # fmt: skip
    cards = [decision_card(turn, route, app, stage, turn.person) for app, stage in waiting[:3]]
    return Reply(
        text="Waiting for your decision:\n" + "\n".join(lines), card=cards[0] if len(cards) == 1 else None
    )


def _review_assignees(app: Application) -> list[int]:
    return authorisation.assigned_to(app, review.REVIEW_DUTY)
