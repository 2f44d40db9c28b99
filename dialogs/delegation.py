"""Out of office: a decider names someone to decide for them until a date (UK, the last day away).
Decisions waiting on them move to that person now, new ones go there while it lasts (dialogs.cover),
and when it ends (the day after its last day, in the reminders pass, or sooner when they say so)
whatever still waits on the cover for them comes back. Each move is a hand-over
(dialogs.reassignment): recorded, both told, the cards redrawn, within the same segregation rules.

  out of office until <date>, delegate to <email>     (or: delegate to <email> until <date>)
  end delegation                                       (or: I'm back)
  delegations                                          (HR: who is away, with End buttons)

No policy sets how long an out of office may last; Pathway takes one up to LONGEST_AWAY days ahead,
said as Pathway's own limit: a longer absence is for HR to reassign decision by decision.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dialogs import authorisation, cover, reassignment
from dialogs.messages import Action, Form, FormField, Platform, Reply, button
from dialogs.turn import Turn
from dialogs.when import long_date, parse_date, uk_today
from knowledge.library import Library
from storage import applications, audit, delegations, directory, posts
from storage.tables import Delegation, Person, Role

DECIDERS: tuple[Role, ...] = ("manager", "service_manager", "admin")  # roles whose decisions can be covered
OVERSEERS: tuple[Role, ...] = ("hr", "admin")  # see every delegation of their organisation and end any
LONGEST_AWAY = 90  # days ahead an out of office may end: Pathway's own limit, not a council's
_LIST = re.compile(r"^(?:delegations|who is away|who'?s away|list delegations)\W*$", re.I)
_START = re.compile(
    r"^(?:delegate(?: my decisions)?|out of office|i'?m away|i am away|away|on leave)\b(?P<rest>.*)$", re.I
)
_UNTIL = re.compile(r"\buntil\s+(?P<date>[^,;]+?)(?=\s*(?:[,;]|\bdelegat|\bcover|\bto\b|$))", re.I)
_EMAIL = re.compile(r"[^\s,;:<>]+@[^\s,;:<>]+?(?=[.,;]?(?:\s|$))")
_END = re.compile(
    r"^(?:(?:end|stop|cancel) (?:my )?(?:delegation|out of office|cover)|i'?m back|i am back)\W*$", re.I
)


def on_text(turn: Turn, text: str) -> list[Reply] | None:
    """'out of office until 4 December 2026, delegate to tom@…', 'end delegation'; None otherwise."""
    stripped = text.strip()
    if _LIST.match(stripped) and turn.person.role in OVERSEERS:
        return listing(turn)
    if _END.match(stripped):
        return end(turn, Action(name="delegate_end"))
    match = _START.match(stripped)
    if match is None:
        return None
    rest = match.group("rest")
    email = _EMAIL.search(rest)
    until = _UNTIL.search(_EMAIL.sub(" ", rest))
    data: dict[str, str | int | None] = {"email": email.group(0) if email else "",
                                         "until": until.group("date").strip() if until else ""}  # fmt: skip
    return delegate(turn, Action(name="delegate", data=data))


def may_cover(turn: Turn, person: Person) -> bool:
    """Someone decisions can go to: a manager's role on the roster, or a post the policy names."""
    return person.role in DECIDERS or bool(posts.posts_of(turn.session, person.id))


def form() -> Form:
    return Form(title="Out of office", submit=Action(name="delegate"), fields=[
        FormField(name="email", label="Who decides for you meanwhile (their email)", multiline=False),
        FormField(name="until", label="Your last day away", kind="date", multiline=False)])  # fmt: skip


def delegate(turn: Turn, action: Action) -> list[Reply]:
    if not may_cover(turn, turn.person):
        return [
            Reply(text="Out of office is for people who make decisions on applications; none come to you.")
        ]
    email, typed = str(action.data.get("email") or "").strip(), str(action.data.get("until") or "").strip()
    if not email or not typed:
        return [Reply(text="Who should decide for you, and until when?", form=form())]
    until = parse_date(typed)
    if until is None:
        return [
            Reply(
                text=f"I couldn't read '{typed}' as a date (e.g. 4 December 2026 or 04/12/2026).", form=form()
            )
        ]
    if until < uk_today(turn.now):
        return [
            Reply(
                text=f"{long_date(until)} has passed: give your last day away, today or later.", form=form()
            )
        ]
    latest = uk_today(turn.now) + timedelta(days=LONGEST_AWAY)
    if until > latest:
        org = turn.pack.organisation.short_name
        return [Reply(text=(f"Pathway takes an out of office of up to {LONGEST_AWAY} days ahead, so until "
                            f"{long_date(latest)} at the latest. That is Pathway's own limit, not {org}'s "
                            "policy: for a longer absence, HR can reassign your decisions to someone else."),
                      form=form())]  # fmt: skip
    person = directory.find_person_by_email(turn.session, turn.org, email.lower())
    problem = _unfit_cover(turn, person, email)
    if problem:
        return [Reply(text=problem)]
    assert person is not None
    earlier = delegations.open_delegation(turn.session, turn.person.id)
    if earlier is not None:
        finish(turn, earlier)
    made = delegations.start(turn.session, turn.org, turn.person.id, person.id, until, turn.now)
    audit.record(turn.session, turn.org, "delegation_started", turn.person.id, at=turn.now,
                 detail={"delegation": made.id, "to": person.id, "until": until.isoformat()})  # fmt: skip
    moved, kept = _move_waiting(turn, person)
    _tell_cover(turn, made, person, moved)
    lines = [f"Out of office until {long_date(until)}: decisions that would come to you go to {person.name} "
             "meanwhile, where the rules allow them to make them."]  # fmt: skip
    lines += (
        [f"Moved to {person.name} now: {'; '.join(moved)}."] if moved else ["Nothing was waiting on you."]
    )
    lines += [f"Stays with you: {'; '.join(kept)}"] if kept else []
    lines.append(f"It ends by itself after {long_date(until)}; say 'end delegation' if you are back sooner.")
    return [Reply(text="\n".join(lines), buttons=[button("End delegation", "delegate_end")])]


def _unfit_cover(turn: Turn, person: Person | None, email: str) -> str | None:
    if person is None:
        return f"I can't find {email} on {turn.pack.organisation.short_name}'s roster (active staff)."
    if person.id == turn.person.id:
        return "You can't delegate to yourself: name the person who decides while you are away."
    if not may_cover(turn, person):
        return f"{person.name} can't take decisions: the roster role ({person.role.replace('_', ' ')}) and posts held don't allow it."
    away = cover.away(turn, person)
    if away is not None:
        return f"{person.name} is away themselves until {long_date(away.until)}; please choose someone else."
    return None


def _move_waiting(turn: Turn, to: Person) -> tuple[list[str], list[str]]:
    """Hand every decision waiting on the person in this turn to `to`, where the rules allow."""
    moved, kept = [], []
    for app in applications.applications_waiting(turn.session, org_id=turn.org):
        waiting = reassignment.waiting_decision(turn, app)
        if waiting is None or turn.person.id not in authorisation.assigned_to(app, waiting.key):
            continue
        worker = directory.get_person(turn.session, app.person_id)
        what = f"{worker.name if worker else '?'}'s {waiting.label} (#{app.id})"
        problem = authorisation.may_be_given(turn, app, waiting.duty, to)
        if problem:
            kept.append(f"{what}: {problem}")
            continue
        if (
            reassignment.hand_over(
                turn, waiting, [turn.person], to, reassignment.WHY_DELEGATION, covering=turn.person
            )
            is None
        ):
            kept.append(f"{what}: it changed just now (someone else acted on it); look at it again")
            continue
        moved.append(what)
    return moved, kept


def _tell_cover(turn: Turn, made: Delegation, person: Person, moved: list[str]) -> None:
    now = f" {len(moved)} waiting now came to you: {'; '.join(moved)}." if moved else ""
    text = (f"{turn.person.name} is away until {long_date(made.until)} and has asked you to cover their "
            f"decisions on progression applications meanwhile.{now} New ones come to you until then, "
            "unless the rules say someone else must make them.")  # fmt: skip
    turn.notify(person, Reply(text=text), f"delegation:{made.id}:cover")


def end(turn: Turn, action: Action) -> list[Reply]:
    """'end delegation': back sooner than planned; or HR's End button on someone's delegation."""
    if action.data.get("delegation") is not None:
        return _end_for_someone(turn, int(action.data["delegation"] or 0))
    made = delegations.open_delegation(turn.session, turn.person.id)
    if made is None:
        return [Reply(text="You have no delegation to end: decisions come to you as usual.")]
    back = finish(turn, made)
    lines = ["Welcome back: your delegation has ended, and decisions come to you again."]
    lines += [f"Back with you: {'; '.join(back)}."] if back else []
    return [Reply(text="\n".join(lines))]


def listing(turn: Turn) -> list[Reply]:
    """HR's view: every delegation of the organisation not yet ended, each with a button to end it."""
    if turn.person.role not in OVERSEERS:
        return [Reply(text="Only HR can see everyone's out of office.")]
    lines, buttons = [], []
    for made in delegations.open_in(turn.session, turn.org):
        away = directory.get_person(turn.session, made.from_person_id)
        cover_person = directory.get_person(turn.session, made.to_person_id)
        if away is None or cover_person is None:
            continue
        lines.append(f"• {away.name} is away until {long_date(made.until)}; {cover_person.name} covers "
                     f"(set on {long_date(made.created_at.date())}).")  # fmt: skip
        buttons.append(button(f"End {away.name}'s out of office", "delegate_end", delegation=made.id))
    if not lines:
        return [Reply(text="Nobody is out of office: every decision goes to whoever the roster names.")]
    return [Reply(text="Out of office now:\n" + "\n".join(lines), buttons=buttons)]


def _end_for_someone(turn: Turn, delegation_id: int) -> list[Reply]:
    made = delegations.get(turn.session, delegation_id)
    if turn.person.role not in OVERSEERS or made is None or made.org_id != turn.org:
        return [Reply(text="Only HR can end someone else's out of office; yours ends with 'end delegation'.")]
    away = directory.get_person(turn.session, made.from_person_id)
    name = away.name if away else "their"
    if made.ended_at is not None:
        return [Reply(text=f"{name}'s out of office had already ended on {long_date(made.ended_at.date())}.")]
    back = finish(turn, made)
    listed = f" Back with {name}: {'; '.join(back)}." if back else ""
    return [
        Reply(
            text=f"Ended {name}'s out of office: decisions go to them again; they and their cover are told.{listed}"
        )
    ]


def finish(turn: Turn, made: Delegation, *, by_date: bool = False) -> list[str]:
    """End the delegation and bring back what still waits on the cover for its giver; what came back."""
    if not delegations.end(turn.session, made.id, turn.now):
        return []
    away = directory.get_person(turn.session, made.from_person_id)
    cover_person = directory.get_person(turn.session, made.to_person_id)
    assert away is not None and cover_person is not None  # delegations reference people by foreign key
    audit.record(turn.session, turn.org, "delegation_ended", turn.person.id if not by_date else None,
                 at=turn.now, detail={"delegation": made.id, "by_date": by_date})  # fmt: skip
    back = []
    for app in applications.applications_waiting(turn.session, org_id=made.org_id):
        waiting = reassignment.waiting_decision(turn, app)
        if waiting is None or authorisation.covering(app, waiting.key).get(cover_person.id) != away.id:
            continue
        if authorisation.may_be_given(turn, app, waiting.duty, away) is not None:
            continue  # they can no longer make it (say, they left): it stays where it is
        if reassignment.hand_over(turn, waiting, [cover_person], away, reassignment.WHY_BACK) is None:
            continue  # someone acted on it at this moment: it stays where they left it
        worker = directory.get_person(turn.session, app.person_id)
        back.append(f"{worker.name if worker else '?'}'s {waiting.label} (#{app.id})")
    by_someone = not by_date and turn.person.id != away.id  # HR ended it
    ended = f"been ended by {turn.person.name}" if by_someone else "ended"
    ended = f"ended after its last day, {long_date(made.until)}" if by_date else ended
    listed = f" Back with {away.name}: {'; '.join(back)}." if back else ""
    turn.notify(cover_person, Reply(text=f"Your cover for {away.name} has {ended}.{listed}"),
                f"delegation:{made.id}:ended:cover")  # fmt: skip
    if by_date or by_someone:  # the person away hears it too
        mine = f" Back with you: {'; '.join(back)}." if back else ""
        turn.notify(away, Reply(text=f"Your out of office has {ended}: decisions come to you again.{mine}"),
                    f"delegation:{made.id}:ended:away")  # fmt: skip
    return back


def end_past(session: Session, library: Library, now: datetime, channel: Platform | None) -> int:
    """End every delegation whose last day is over (UK date); returns how many ended."""
    ended = 0
    for made in delegations.past_their_last_day(session, uk_today(now)):
        away = directory.get_person(session, made.from_person_id)
        if away is None or away.org_id not in library.packs:
            continue
        finish(Turn(session, library, away, now, channel), made, by_date=True)
        ended += 1
    return ended
