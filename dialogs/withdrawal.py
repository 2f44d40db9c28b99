"""Withdrawing a submitted application before its decision: the worker confirms, the application
becomes `withdrawn` (audited), and the deciders whose cards were open are told and see those cards
redrawn as withdrawn, so a later click meets a withdrawn application rather than a live one."""

from __future__ import annotations

from dialogs import approval
from dialogs.decision_cards import status_words, withdrawn_card
from dialogs.messages import Action, Reply, button
from dialogs.turn import Turn
from knowledge.models import RouteStage
from storage import applications, audit
from storage.tables import Application, Person

NOTHING = "You have no application in progress. Say 'apply' to start one."


def ask(turn: Turn) -> list[Reply]:
    """'withdraw my application' outside a draft: the submitted one, if it still waits on a decision."""
    app = applications.active_application(turn.session, turn.person.id)
    if app is None:
        return [Reply(text=NOTHING)]
    stage = approval.waiting_on(turn, app)
    if stage is None:
        return [
            Reply(text=f"Your application is {status_words(turn, app)}, so there is nothing to withdraw.")
        ]
    level = turn.pack.level(app.target_level).name
    buttons = [button("Yes, withdraw it", "withdraw_yes", "danger", application=app.id),
               button("No, keep it", "withdraw_no", "primary", application=app.id)]  # fmt: skip
    return [Reply(text=f"Withdraw your application for {level}? It is waiting for the {stage.name}. "
                       "The people deciding will be told, and you can apply again later. Press 'Yes, withdraw it' to confirm.", buttons=buttons)]  # fmt: skip


def confirm(turn: Turn, action: Action) -> list[Reply]:
    app = applications.get_application(turn.session, int(action.data.get("application") or 0))
    if app is None or app.person_id != turn.person.id:
        return [Reply(text="You can only withdraw your own application.")]
    if action.name == "withdraw_no":
        return [Reply(text="OK, your application stays as it is. Say 'status' to see where it stands.")]
    stage = approval.waiting_on(turn, app)
    if stage is None or not applications.transition(turn.session, app.id, app.status, "withdrawn"):
        turn.session.refresh(app)
        return [Reply(text=f"It can't be withdrawn now: your application is {status_words(turn, app)}.")]
    audit.record(turn.session, turn.org, "withdrawn", actor_id=turn.person.id, application_id=app.id,
                 detail={"stage": stage.id}, at=turn.now)  # fmt: skip
    turn.session.refresh(app)
    told = _tell_deciders(turn, app, stage)
    who = f" I've told {', '.join(p.name for p in told)}." if told else ""
    return [Reply(text=f"Withdrawn: your application for {turn.pack.level(app.target_level).name} "
                       f"will not be decided.{who} Say 'apply' whenever you want to start again.")]  # fmt: skip


def _tell_deciders(turn: Turn, app: Application, stage: RouteStage) -> list[Person]:
    card = withdrawn_card(turn, app, stage)
    people = approval.deciders(turn, app, stage)
    for person in people:
        turn.notify(person, Reply(text=card.body, card=card, replaces=card.key),
                    f"withdrawn-card:{app.id}:{stage.id}:{person.id}", "card_update")  # fmt: skip
        turn.notify(person, Reply(text=card.body), f"withdrawn:{app.id}:{stage.id}:{person.id}")
    return people
