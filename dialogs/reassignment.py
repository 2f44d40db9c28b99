"""Passing a waiting decision to someone else: HR, or a service manager above whoever it waits on (or
above the applicant), reassigns it; a delegation moves it to a cover and back; an escalation's
recipient may take it over where the policy lets them decide. Every one goes through `hand_over`:
the same segregation rules as any decision (dialogs.authorisation), the move recorded in the audit
log, the new decider sent the card, the old one told with their card redrawn, the worker told.

  reassign <application number> to <email>     (HR; a service manager for the people below them)
  reassign <application number>                whom it could go to, as buttons
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs import approval, authorisation, cover, review, story
from dialogs.decision_cards import moved_card
from dialogs.messages import Action, Form, FormField, Reply, button
from dialogs.route import route_of
from dialogs.turn import Turn
from knowledge.models import RouteStage
from storage import applications, audit, directory, outbox, posts
from storage.tables import Application, Person

REASSIGNERS = ("hr", "admin")  # reassign any decision of their organisation
LINE_REASSIGNERS = ("service_manager",)  # reassign decisions waiting on people below them
OFFERED = 5  # people offered as buttons; anyone else by email
_TEXT = re.compile(
    r"^reassign\s+(?:application\s+)?#?(?P<id>\d{1,9})(?:\s+to\s+(?P<email>\S+@\S+?))?\W*$", re.I
)


@dataclass(frozen=True)
class Waiting:
    """A decision an application waits on: a route stage, or a review."""

    app: Application
    key: str  # the stage id, or "review"
    label: str  # how to name it: "Line manager's recommendation", "review decision"
    duty: authorisation.Duty
    stage: RouteStage | None  # None for a review


def waiting_decision(turn: Turn, app: Application) -> Waiting | None:
    stage = approval.waiting_on(turn, app)
    if stage is not None:
        return Waiting(app, stage.id, stage.name, authorisation.stage_duty(stage), stage)
    rules = turn.pack.process.review
    if rules is not None and review.undecided_of(turn, app) is not None:
        return Waiting(app, review.REVIEW_DUTY, f"{rules.name} decision", review.duty(rules), None)
    return None


def deciders(turn: Turn, waiting: Waiting) -> list[Person]:
    return directory.people_by_id(turn.session, authorisation.assigned_to(waiting.app, waiting.key))


def may_reassign(turn: Turn, waiting: Waiting) -> str | None:
    """Why the person in this turn may not reassign this decision, or None when they may."""
    person, app = turn.person, waiting.app
    if app.org_id != person.org_id:
        return "That application belongs to another organisation."
    if app.person_id == person.id:
        return "You can't reassign a decision on your own application; HR can."
    if person.role in REASSIGNERS:
        return None
    if person.role in LINE_REASSIGNERS:
        waiting_on = deciders(turn, waiting)
        if person.id in {p.id for p in waiting_on}:
            return None  # passing on a decision of their own
        for someone in [*(p.id for p in waiting_on), app.person_id]:
            if person.id in {m.id for m in directory.line_manager_chain(turn.session, someone)}:
                return None
        names = ", ".join(p.name for p in waiting_on) or "nobody"
        return (f"A service manager can reassign decisions waiting on the people they manage, or on their "
                f"applications. This one waits on {names}, who is not below you on the roster; HR can reassign it.")  # fmt: skip
    return "Only HR, or a service manager above the person deciding, can reassign a decision."


def may_receive(turn: Turn, waiting: Waiting, person: Person) -> str | None:
    """Why this decision may not be passed to `person` by the person in this turn, or None."""
    if person.id == turn.person.id:
        return "Reassigning passes a decision to someone else. " + _take_it_yourself(turn, waiting)
    if person.id in authorisation.assigned_to(waiting.app, waiting.key):
        return f"It already waits on {person.name}."
    return authorisation.may_be_given(turn, waiting.app, waiting.duty, person)


def _take_it_yourself(turn: Turn, waiting: Waiting) -> str:
    stage = waiting.stage
    if stage is not None and authorisation.admitted_by_rule(
        turn, waiting.app, route_of(turn), stage, turn.person
    ):
        return "The policy lets you make this one: press 'Decide it myself' on the escalation card."
    return "The policy doesn't name you to make this one yourself."


# --- moving it ------------------------------------------------------------------------------------

WHY_REASSIGNED, WHY_DELEGATION, WHY_BACK, WHY_ESCALATION = (
    "reassigned", "delegation", "delegation_ended", "escalation"
)  # fmt: skip


@dataclass(frozen=True)
class Handed:
    receiver: Person  # who now has the decision
    withdrawn: list[Person]  # those it was with whose card had not reached them yet (it never will)


def hand_over(
    turn: Turn,
    waiting: Waiting,
    replacing: list[Person],
    to: Person,
    why: str,
    *,
    covering: Person | None = None,
) -> Handed | None:
    """Pass the decision from `replacing` to `to` (or to whoever covers for them while they are away;
    `covering`: the away person `to` is the cover for). Returns who now has it, or None when the
    application changed since this turn read it (another reassignment, a decision): nothing is done."""
    app, key = waiting.app, waiting.key
    if not applications.claim(turn.session, app):
        return None
    kept = [p for p in deciders(turn, waiting) if p.id not in {r.id for r in replacing}]
    covers = {c: a for c, a in authorisation.covering(app, key).items() if c in {p.id for p in kept}}
    if covering is not None:
        receiver, covers[to.id] = to, covering.id
    else:
        chosen, stood_in, _notes = cover.stand_ins(turn, app, waiting.duty, [to])
        receiver = chosen[0]
        covers |= stood_in
    kept = [p for p in kept if p.id != receiver.id]
    round_ = authorisation.assign(app, key, [*kept, receiver], covers)
    old = [p for p in replacing if p.id != receiver.id]
    audit.record(turn.session, turn.org, story.HANDOVER, turn.person.id, application_id=app.id, at=turn.now,
                 detail={"stage": key, "from": [p.id for p in old], "to": receiver.id, "why": why})  # fmt: skip
    words = _Words(turn, waiting, old, receiver, why)
    withdrawn = _withdraw_unsent(turn, waiting, old, receiver)
    _send(turn, waiting, receiver, round_, words.to_new())
    for person in old:
        card = moved_card(turn, app, _card_key(turn, waiting), words.to_old(person))
        turn.notify(person, Reply(text=card.body, card=card, replaces=card.key, card_fallback=True),
                    f"moved-card:{app.id}:{key}:{person.id}:{round_}", "card_update")  # fmt: skip
    worker = directory.get_person(turn.session, app.person_id)
    if worker is not None and receiver.id != worker.id:
        turn.notify(worker, Reply(text=words.to_worker()), f"moved:{app.id}:{key}:{round_}")
    return Handed(receiver, withdrawn)


def _withdraw_unsent(turn: Turn, waiting: Waiting, old: list[Person], receiver: Person) -> list[Person]:
    """This decision's card still waiting to reach those it was with (say, until they install Pathway
    in Teams) is withdrawn, so it does not arrive later with buttons for a decision no longer theirs
    (they are told it moved, as everyone is). A reminder carrying a card they did see still goes, and
    is redrawn like the card. Returns those whose card was withdrawn."""
    card_key, why = _card_key(turn, waiting), f"{turn.person.name} passed the decision to {receiver.name}"
    return [p for p in old if outbox.withdraw_cards(turn.session, p.id, card_key, why, kind="card")]


def _send(turn: Turn, waiting: Waiting, person: Person, round_: int, note: str) -> None:
    if waiting.stage is not None:
        approval.send_card(turn, waiting.app, route_of(turn), waiting.stage, person, round_, note)
    else:
        review.send_card(turn, waiting.app, person, round_, note)


def _card_key(turn: Turn, waiting: Waiting) -> str:
    if waiting.stage is not None:
        return f"application-{waiting.app.id}-{waiting.stage.id}"
    made = review.undecided_of(turn, waiting.app)
    return f"review-{made.id if made else 0}"


@dataclass(frozen=True)
class _Words:
    """What each party is told about one hand-over, by why it happened."""

    turn: Turn
    waiting: Waiting
    old: list[Person]
    new: Person
    why: str

    @property
    def _what(self) -> str:
        worker = directory.get_person(self.turn.session, self.waiting.app.person_id)
        return f"the {self.waiting.label} on {worker.name if worker else 'the applicant'}'s application"

    @property
    def _old_names(self) -> str:
        return ", ".join(p.name for p in self.old) or "nobody"

    def to_new(self) -> str:
        by = self.turn.person.name
        if self.why == WHY_DELEGATION:
            return f"You are covering for {self._old_names} while they are away, so this decision has come to you."
        if self.why == WHY_BACK:
            return f"Back with you: {self._old_names} covered this decision while you were away."
        if self.why == WHY_ESCALATION:
            return ""
        return f"{by} has passed this decision to you (it was with {self._old_names})."

    def to_old(self, person: Person) -> str:
        by = self.turn.person.name
        if self.why == WHY_DELEGATION:
            return (
                f"While you are away, {self.new.name} decides {self._what}. There is nothing for you to do."
            )
        if self.why == WHY_BACK:
            return f"Your cover has ended: {self._what} is back with {self.new.name}. There is nothing for you to do."
        if self.why == WHY_ESCALATION:
            return f"{by} has taken over {self._what}, escalated to them. There is nothing for you to do."
        return f"{by} has passed {self._what} to {self.new.name}. There is nothing for you to do."

    def to_worker(self) -> str:
        label, new = self.waiting.label, self.new.name
        if self.why == WHY_DELEGATION:
            return f"Your application's {label} is now with {new}, covering for {self._old_names} while they are away."
        if self.why == WHY_BACK:
            return f"Your application's {label} is back with {new}, who is no longer away."
        if self.why == WHY_ESCALATION:
            return f"Your application's {label} is now with {new}, to whom it was escalated."
        return f"Your application's {label} is now with {new}: {self.turn.person.name} passed it on from {self._old_names}."


# --- the chat -------------------------------------------------------------------------------------


def on_text(turn: Turn, text: str) -> list[Reply] | None:
    """'reassign 12 to tom@council.example' ('reassign 12': whom it could go to); None for anything else."""
    match = _TEXT.match(text.strip())
    if match is None:
        return None
    number = int(match.group("id"))
    if not match.group("email"):
        return offer(turn, Action(name="reassign_offer", data={"application": number}))
    return reassign(
        turn, Action(name="reassign", data={"application": number, "email": match.group("email")})
    )


def checked(turn: Turn, action: Action) -> Waiting | Reply:
    """The decision the button names, if it still waits (and the application is at the version the
    button was drawn at: a button from before another reassignment or a decision acts on nothing)."""
    app = applications.get_application(turn.session, int(action.data.get("application") or 0))
    waiting = waiting_decision(turn, app) if app is not None and app.org_id == turn.org else None
    drawn_at = action.data.get("version")
    if app is not None and app.org_id == turn.org and drawn_at is not None and int(drawn_at) != app.version:
        return Reply(text=story.changed_meanwhile(turn, app, turn.person))
    if waiting is None:
        return Reply(
            text="That application isn't waiting for a decision (any more). Say 'status' to see what is."
        )
    return waiting


def _checked(turn: Turn, action: Action) -> Waiting | Reply:
    """The decision the button names, if it still waits and this person may reassign it."""
    waiting = checked(turn, action)
    if isinstance(waiting, Reply):
        return waiting
    refused = may_reassign(turn, waiting)
    return Reply(text=refused) if refused else waiting


def reassign(turn: Turn, action: Action) -> list[Reply]:
    """The 'reassign' button or form (or typed command): pass the decision to the person it names
    (naming nobody: the form to give an email)."""
    waiting = _checked(turn, action)
    if isinstance(waiting, Reply):
        return [waiting]
    named = str(action.data.get("email") or "").strip()
    person = _named(turn, action)
    if person is None and not named and not action.data.get("person"):
        submit = Action(name="reassign", data={"application": waiting.app.id, "version": waiting.app.version})
        form = Form(title="Reassign the decision", submit=submit,
                    fields=[FormField(name="email", label="Their email on the roster", multiline=False)])  # fmt: skip
        return [Reply(text=f"Who should make the {waiting.label} instead? Give their email.", form=form)]
    if person is None:
        return [
            Reply(text=f"I can't find {named or 'them'} on the roster (active staff)."),
            *offer(turn, action),
        ]
    problem = may_receive(turn, waiting, person)
    if problem:
        return [Reply(text=problem)]
    handed = hand_over(turn, waiting, deciders(turn, waiting), person, WHY_REASSIGNED)
    if handed is None:
        return [Reply(text=story.changed_meanwhile(turn, waiting.app, turn.person))]
    receiver = handed.receiver
    via = "" if receiver.id == person.id else f" {person.name} is away, so it went to their cover."
    unsent = ", ".join(p.name for p in handed.withdrawn)
    withdrawn = (
        f" The card still waiting to reach {unsent} (not delivered yet) is withdrawn." if unsent else ""
    )
    return [Reply(text=f"Reassigned: the {waiting.label} now waits on {receiver.name}; they, the worker and "
                       f"whoever had it are told.{via}{withdrawn}")]  # fmt: skip


def _named(turn: Turn, action: Action) -> Person | None:
    chosen = action.data.get("person")
    if chosen:
        person = directory.get_person(turn.session, int(chosen))
        return person if person is not None and person.org_id == turn.org and person.active else None
    email = str(action.data.get("email") or "").strip().lower()
    return directory.find_person_by_email(turn.session, turn.org, email) if email else None


def offer(turn: Turn, action: Action) -> list[Reply]:
    """The 'Reassign' button: who could take it, as buttons, and a button for anyone else by email."""
    waiting = _checked(turn, action)
    if isinstance(waiting, Reply):
        return [waiting]
    now = story.with_whom(turn, waiting.app, waiting.key) or "nobody"
    people = candidates(turn, waiting)
    number, version = waiting.app.id, waiting.app.version
    buttons = [button(f"Reassign to {p.name}", "reassign", application=number, person=p.id, version=version)
               for p in people]  # fmt: skip
    buttons.append(button("Someone else (by email)", "reassign", application=number, version=version))
    nearby = (
        "These people can, under the same rules:"
        if people
        else "I found nobody nearby who can, under the same rules."
    )
    return [
        Reply(
            text=f"The {waiting.label} waits on {now}. Who should make it instead?\n{nearby}", buttons=buttons
        )
    ]


def candidates(turn: Turn, waiting: Waiting) -> list[Person]:
    """People the decision may go to, nearest first: those beside whoever has it (same line manager),
    then the reassigner's own reports, then the rest of the roster's eligible people."""
    pool = directory.list_people(turn.session, turn.org, roles=list(waiting.duty.roles))  # type: ignore[arg-type]
    pool += posts.holders(turn.session, turn.org, list(waiting.duty.posts))
    managers = {p.line_manager_id for p in deciders(turn, waiting)}
    fit = {p.id: p for p in pool if p.active and may_receive(turn, waiting, p) is None}
    return sorted(fit.values(), key=lambda p: (p.line_manager_id not in managers,
                                               p.line_manager_id != turn.person.id, p.name))[:OFFERED]  # fmt: skip
