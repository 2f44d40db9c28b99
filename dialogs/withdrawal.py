"""Withdrawing a submitted application before its decision: the worker confirms (pressing 'Yes,
withdraw it', typing 'yes' to the question, or confirming the Withdraw button on their status), the
application becomes `withdrawn` (audited), and the deciders whose cards were open are told and see
those cards redrawn as withdrawn, so a later click meets a withdrawn application rather than a live one.

Every withdrawal button names the application and the stage it waited on when drawn: one pressed after
the application moved on says so and asks again, rather than withdrawing from a stage it never saw.
"""

from __future__ import annotations

from typing import Any

from dialogs import approval, review
from dialogs.decision_cards import status_words, withdrawn_card
from dialogs.messages import Action, Button, Reply, button, whole_number
from dialogs.turn import Turn
from knowledge.models import RouteStage
from storage import applications, audit
from storage.dialog_states import Saved, load_state, save_state
from storage.tables import Application, Person

NOTHING = "You have no application in progress. Say 'apply' to start one."
QUESTION = "withdrawal"  # dialog state: the withdrawal question asked and not yet answered


def ask(turn: Turn) -> list[Reply]:
    """'withdraw my application' outside a draft: the submitted one, if it still waits on a decision."""
    app = applications.active_application(turn.session, turn.person.id)
    if app is None:
        return [Reply(text=_under_review(turn) or NOTHING)]
    stage = approval.waiting_on(turn, app)
    if stage is None:
        return [
            Reply(text=f"Your application is {status_words(turn, app)}, so there is nothing to withdraw.")
        ]
    level = turn.pack.level(app.target_level).name
    here: dict[str, str | int | None] = {"application": app.id, "stage": stage.id}
    buttons = [button("Yes, withdraw it", "withdraw_yes", "danger", **here),
               button("No, keep it", "withdraw_no", "primary", **here)]  # fmt: skip
    _remember_question(turn, here)
    return [Reply(text=f"Withdraw your application for {level}? It is waiting for the {stage.name}. "
                       "The people deciding will be told, and you can apply again later. "
                       "Say 'yes' or press 'Yes, withdraw it' to confirm.", buttons=buttons)]  # fmt: skip


def offer(turn: Turn, app: Application) -> list[Button]:
    """The Withdraw button shown with a waiting application's status: it asks before it acts."""
    stage = approval.waiting_on(turn, app)
    if stage is None:
        return []
    level = turn.pack.level(app.target_level).name
    withdraw = button("Withdraw", "withdraw_yes", "danger", application=app.id, stage=stage.id)
    return [withdraw.confirming(f"Withdraw your application for {level}?",
                                f"It is waiting for the {stage.name}. The people deciding will be told, "
                                "and you can apply again later.", "Yes, withdraw it")]  # fmt: skip


def typed_answer(turn: Turn, asked: dict[str, Any] | None, answer: str) -> list[Reply] | None:
    """A typed 'yes' or 'no' to the withdrawal question just asked (None: there was none)."""
    if asked is None:
        return None
    return confirm(turn, Action(name="withdraw_yes" if answer == "yes" else "withdraw_no", data=asked))


def take_question(turn: Turn, saved: Saved) -> dict[str, Any] | None:
    """The withdrawal question asked last turn, if any (`saved`: its dialog state, loaded with the
    turn's); it lapses now, whatever this turn says."""
    asked, version = saved
    if asked is None or not save_state(turn.session, turn.person.id, QUESTION, None, version):
        return None
    return asked


def _remember_question(turn: Turn, here: dict[str, str | int | None]) -> None:
    _, version = load_state(turn.session, turn.person.id, QUESTION)
    save_state(turn.session, turn.person.id, QUESTION, here, version)


def confirm(turn: Turn, action: Action) -> list[Reply]:
    app = applications.get_application(turn.session, whole_number(action.data.get("application") or 0) or 0)
    if app is None or app.person_id != turn.person.id:
        return [Reply(text="You can only withdraw your own application.")]
    if action.name == "withdraw_no":
        return [Reply(text="OK, your application stays as it is. Say 'status' to see where it stands.")]
    stage = approval.waiting_on(turn, app)
    if stage is None:
        return [Reply(text=_under_review(turn, app) or f"It can't be withdrawn now: your application is {status_words(turn, app)}.")]  # fmt: skip
    if action.data.get("stage") != stage.id:  # drawn while it waited on another stage (or long ago)
        return [Reply(text="That button was from before your application moved on, so nothing was withdrawn."), *ask(turn)]  # fmt: skip
    if not applications.transition(turn.session, app.id, app.status, "withdrawn"):
        turn.session.refresh(app)
        return [Reply(text=f"It can't be withdrawn now: your application is {status_words(turn, app)}.")]
    audit.record(turn.session, turn.org, "withdrawn", actor_id=turn.person.id, application_id=app.id,
                 detail={"stage": stage.id}, at=turn.now)  # fmt: skip
    turn.session.refresh(app)
    told = _tell_deciders(turn, app, stage)
    who = f" I've told {', '.join(p.name for p in told)}." if told else ""
    return [Reply(text=f"Withdrawn: your application for {turn.pack.level(app.target_level).name} "
                       f"will not be decided.{who} Say 'apply' whenever you want to start again.")]  # fmt: skip


def _under_review(turn: Turn, app: Application | None = None) -> str:
    """Why there is nothing to withdraw while the worker's review is pending; '' when none is."""
    mine = applications.applications_of(turn.session, turn.person.id)
    latest = app or (mine[0] if mine else None)
    rules = turn.pack.process.review
    if latest is None or rules is None or review.undecided_of(turn, latest) is None:
        return ""
    level = turn.pack.level(latest.target_level).name
    return (f"Your application for {level} was not approved, and your request for a {rules.name} is waiting "
            f"for its decision ({rules.to or 'the reviewer'}). An application can't be withdrawn while its "
            f"{rules.name} is pending: the {rules.name} is of the decision already made. You'll hear its outcome here.")  # fmt: skip


def _tell_deciders(turn: Turn, app: Application, stage: RouteStage) -> list[Person]:
    card = withdrawn_card(turn, app, stage)
    people = approval.deciders(turn, app, stage)
    for person in people:
        turn.notify(person, Reply(text=card.body, card=card, replaces=card.key, card_fallback=True),
                    f"withdrawn-card:{app.id}:{stage.id}:{person.id}", "card_update")  # fmt: skip
        turn.notify(person, Reply(text=card.body), f"withdrawn:{app.id}:{stage.id}:{person.id}")
    return people
