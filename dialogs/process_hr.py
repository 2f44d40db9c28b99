"""HR's part in running each council's process: who holds the posts the policy names, and recording a
local procedure where the policy states no route (reassigning a waiting decision: dialogs.reassignment).

  posts                                   who holds each post the policy names
  post <post>: <email>                    record that someone holds a post (e.g. a panel member)
  release post <post>: <email>            they no longer hold it
  local procedure: <YAML>                 record the organisation's local procedure (where the policy has no route)
"""

from __future__ import annotations

import re

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, process

from dialogs.messages import Action, Reply
from dialogs.route import Route, route_of
from dialogs.turn import Turn
from knowledge.loader import SAFE_LOADER
from knowledge.local import parse_local_procedure
from knowledge.models import Post
from storage import audit, directory, posts
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
