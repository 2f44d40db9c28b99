"""HR's part in running each council's process: who holds the posts the policy names, reassigning a
waiting decision, and recording a local procedure where the policy states no route.

  posts                                   who holds each post the policy names
  post <post>: <email>                    record that someone holds a post (e.g. a panel member)
  release post <post>: <email>            they no longer hold it
  reassign <application number> to <email>   the decision waiting on it goes to them instead
  local procedure: <YAML>                 record the organisation's local procedure (where the policy has no route)
"""

from __future__ import annotations

import re

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, process

from dialogs import approval, authorisation, reminders, review
from dialogs.messages import Action, Reply
from dialogs.route import Route, route_of
from dialogs.turn import Turn
from knowledge.loader import SAFE_LOADER
from knowledge.local import parse_local_procedure
from knowledge.models import Post
from storage import applications, audit, directory, outbox, posts
from storage.local_procedures import record_local_procedure

_PERSON = re.compile(r"^(?P<what>.+?)\s*[:,]?\s+(?:to\s+)?(?P<email>\S+@\S+)\s*$", re.I)


def listing(turn: Turn, _action: Action) -> list[Reply]:
    route = route_of(turn)
    if not route.posts:
        return [Reply(text=f"{route.citation} names no posts that act in its process.")]
    lines = []
    for post in route.posts:
        people = posts.holders(turn.session, turn.org, [post.id])
        lines.append(f"• {post.name}: {', '.join(p.name for p in people) or 'nobody recorded'}")
    return [
        Reply(
            text="Posts in the process:\n"
            + "\n".join(lines)
            + "\nSay 'post <post>: <email>' to record a holder."
        )
    ]


def assign(turn: Turn, action: Action) -> list[Reply]:
    return _post_change(turn, str(action.data.get("text") or ""), assigning=True)


def release(turn: Turn, action: Action) -> list[Reply]:
    return _post_change(turn, str(action.data.get("text") or ""), assigning=False)


def _post_change(turn: Turn, text: str, *, assigning: bool) -> list[Reply]:
    route = route_of(turn)
    match = _PERSON.match(text.strip())
    post = _post_named(route, match.group("what")) if match else None
    person = (
        directory.find_person_by_email(turn.session, turn.org, match.group("email").lower())
        if match
        else None
    )
    if match is None or post is None:
        names = "; ".join(p.name for p in route.posts) or "none"
        return [Reply(text=f"Say 'post <post>: <email>'. The posts are: {names}.")]
    if person is None:
        return [
            Reply(
                text=f"I can't find {match.group('email')} on {turn.pack.organisation.short_name}'s roster."
            )
        ]
    if assigning:
        posts.assign_post(turn.session, turn.org, post.id, person.id, turn.person.id)
    else:
        posts.release_post(turn.session, turn.org, post.id, person.id)
    audit.record(turn.session, turn.org, "post_assigned" if assigning else "post_released", turn.person.id,
                 detail={"post": post.id, "person": person.id})  # fmt: skip
    done = "now holds" if assigning else "no longer holds"
    return [Reply(text=f"Recorded: {person.name} {done} the post of {post.name}.")]


def _post_named(route: Route, name: str) -> Post | None:
    by_name = {p.name.lower(): p for p in route.posts} | {p.id: p for p in route.posts}
    found = process.extractOne(name.lower(), list(by_name), scorer=fuzz.WRatio, score_cutoff=80)
    return by_name[found[0]] if found else None


def reassign(turn: Turn, action: Action) -> list[Reply]:
    """Send the decision an application waits on to someone else, whom the same rules must allow."""
    match = re.match(
        r"^#?(?P<id>\d+)\s+to\s+(?P<email>\S+@\S+)\s*$", str(action.data.get("text") or "").strip(), re.I
    )
    app = applications.get_application(turn.session, int(match.group("id"))) if match else None
    if match is None or app is None or app.org_id != turn.org:
        return [
            Reply(
                text="Say 'reassign <application number> to <email>' for an application of your organisation."
            )
        ]
    if app.person_id == turn.person.id:
        return [
            Reply(text="You can't reassign a decision on your own application; another HR colleague can.")
        ]
    person = directory.find_person_by_email(turn.session, turn.org, match.group("email").lower())
    if person is None:
        return [Reply(text=f"I can't find {match.group('email')} on the roster.")]
    route = route_of(turn)
    stage = approval.waiting_on(turn, app)
    made = review.undecided_of(turn, app) if stage is None else None
    if stage is not None:
        duty, key, card_prefix = authorisation.stage_duty(stage), stage.id, approval.card_key(app, stage, "")
    elif (rules := turn.pack.process.review) is not None and made is not None:
        duty, key, card_prefix = review.duty(rules), review.REVIEW_DUTY, review.card_key(made, "")
    else:
        return [Reply(text="That application isn't waiting for a decision.")]
    problem = authorisation.may_be_given(turn, app, duty, person)
    if problem:
        return [Reply(text=problem)]
    audit.record(turn.session, turn.org, "reassigned", turn.person.id, application_id=app.id,
                 detail={"stage": key, "to": person.id})  # fmt: skip
    before = [p for p in authorisation.assigned_to(app, key) if p != person.id]
    what = reminders.chased(app, made)  # its reminders carry the card too
    card_keys = [key for p in before for key in (f"{card_prefix}{p}", reminders.reminder_key(app, what, p))]
    if stage is not None:
        approval.ask(turn, app, route, stage, [person])
    else:
        review.resend(turn, app, person)
    return [Reply(text=f"Reassigned: the decision now waits on {person.name}.{_withdrawn(turn, card_keys)}")]


def _withdrawn(turn: Turn, card_keys: list[str]) -> str:
    """Withdraw the cards that never reached those the decision was with (waiting, say, for them to
    install Pathway), so they are not sent later; and say so."""
    withdrawn = outbox.withdraw(turn.session, card_keys, f"HR ({turn.person.name}) reassigned the decision")
    people = directory.people_by_id(
        turn.session, [m.recipient_person_id for m in withdrawn if m.recipient_person_id]
    )
    if not people:
        return ""
    names = ", ".join(p.name for p in people)
    return f" The card still waiting to reach {names} (not delivered yet) is withdrawn."


def record_local(turn: Turn, action: Action) -> list[Reply]:
    """A local procedure typed (or pasted) as YAML, validated by the same model as a reviewed file."""
    if turn.pack.process.route:
        return [
            Reply(
                text=f"{turn.pack.organisation.short_name}'s policy states its route, so no local procedure is needed."
            )
        ]
    text = str(action.data.get("text") or "")
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
        values = {
            "organisation": turn.org,
            "recorded_by": turn.person.name,
            "recorded_on": turn.today,
            **(data or {}),
        }
        parse_local_procedure(values)
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        return [
            Reply(text=f"That isn't a local procedure I can use; nothing was recorded. {_first_problem(exc)}")
        ]
    kept = {k: v for k, v in data.items() if k not in ("organisation", "recorded_by", "recorded_on")}
    record_local_procedure(turn.session, turn.org, turn.person.id, kept, turn.now)
    audit.record(turn.session, turn.org, "local_procedure_recorded", turn.person.id)
    return [Reply(text=f"Recorded. Applications now follow it, cited as {route_of(turn).citation}.")]


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
