"""An escalated decision, as its recipient sees it: how long it has waited and on whom, and what they
can do about it. Everyone it is escalated to may reassign it (dialogs.reassignment); only where the
policy's (or the recorded local procedure's) own rule for the stage names them may they take it over
and decide it themselves, and the card cites that rule. No button on it refuses its reader."""

from __future__ import annotations

from dialogs import authorisation, reassignment, story
from dialogs.messages import Action, Card, Reply, button
from dialogs.route import route_of
from dialogs.turn import Turn
from storage import directory, posts
from storage.tables import Person


def rule_naming(turn: Turn, waiting: reassignment.Waiting, person: Person) -> str | None:
    """The policy's words that let `person` make this decision themselves, cited; None if none do."""
    route = route_of(turn)
    stage = waiting.stage
    if stage is not None:
        if not authorisation.admitted_by_rule(turn, waiting.app, route, stage, person):
            return None
        return f"{route.citation}, {stage.source.section}: {stage.text}"
    rules = turn.pack.process.review
    if rules is None or rules.to_post not in posts.posts_of(turn.session, person.id):
        return None
    if authorisation.may_be_given(turn, waiting.app, waiting.duty, person) is not None:
        return None
    return f"{route.policy_name}, {rules.source.section}: {rules.text}"


def card(turn: Turn, waiting: reassignment.Waiting, reader: Person, waited: int, due: str) -> Card:
    app = waiting.app
    worker = directory.get_person(turn.session, app.person_id)
    name = worker.name if worker else "the applicant"
    with_whom = story.with_whom(turn, app, waiting.key) or "nobody"
    lines = [
        f"The {waiting.label} on {name}'s application has waited {waited} working days for {with_whom}.{due}"
    ]
    rule = rule_naming(turn, waiting, reader)
    drawn = {"application": app.id, "version": app.version}  # acts only on the decision escalated
    buttons = [button("Reassign", "reassign_offer", "primary", **drawn)]
    if rule:
        lines.append(f"You can reassign it, or make it yourself: {rule}")
        buttons.append(button("Decide it myself", "take_over", "default", **drawn))
    else:
        lines.append(
            "You can reassign it to someone who can make it. The policy doesn't name you to make it yourself."
        )
    buttons.append(button("Read all the evidence", "evidence", application=app.id))
    lines += ["", "So far:", *(f"• {event}" for event in story.events(turn, app, reader))]
    return Card(title=f"Escalated: {name}'s application", body="\n".join(lines), buttons=buttons,
                key=f"escalation-{app.id}-{waiting.key}")  # fmt: skip


def take_over(turn: Turn, action: Action) -> list[Reply]:
    """'Decide it myself': the escalation's recipient takes the decision, where the policy names them."""
    waiting = reassignment.checked(turn, action)
    if isinstance(waiting, Reply):
        return [waiting]
    if turn.person.id in authorisation.assigned_to(waiting.app, waiting.key):
        return [Reply(text=f"The {waiting.label} already waits on you: its card is in your messages.")]
    rule = rule_naming(turn, waiting, turn.person)
    if rule is None:
        problem = authorisation.may_be_given(turn, waiting.app, waiting.duty, turn.person)
        why = problem or "the policy's rule for this decision doesn't name you."
        return [Reply(text=f"You can't make the {waiting.label} yourself: {why} You can reassign it.")]
    old = reassignment.deciders(turn, waiting)
    if reassignment.hand_over(turn, waiting, old, turn.person, reassignment.WHY_ESCALATION) is None:
        return [Reply(text=story.changed_meanwhile(turn, waiting.app, turn.person))]
    return [
        Reply(
            text=f"The {waiting.label} is yours now ({rule.rstrip('.')}). I've sent you its card; whoever had it is told."
        )
    ]
