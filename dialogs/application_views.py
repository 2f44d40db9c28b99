"""What each step of the application dialog shows (dialogs.application moves between them): the
levels to choose from, the checklist, the evidence page, who decides, and the summary to submit; and
where the dialog is (`here`), which the buttons drawn carry."""

from __future__ import annotations

from typing import Any

from dialogs import approval, authorisation, cover, evidence, plan
from dialogs.checklist_marks import legend
from dialogs.documents import evidence_summary
from dialogs.messages import Card, CardField, Reply, button
from dialogs.route import route_of
from dialogs.turn import Turn
from storage import applications
from storage.tables import Application

State = dict[str, Any]

MARKS = {"met": "✓", "not_met": "✗", "unknown": "?", "later": "…", "desirable": "◦ desirable:"}


def prompt(turn: Turn, state: State) -> list[Reply]:
    """What to show for the current step: used on entry, on 'continue', and after an interruption."""
    forget_chosen_decider(state)
    return PROMPTS[state["step"]](turn, state)


def forget_chosen_decider(state: State) -> None:
    # Drafts saved when a worker could name their own decider resume at the step that shows the roster's.
    if state.get("step") == "manager_email":
        state["step"] = "manager"


def here(state: State) -> dict[str, str | int | None]:
    """Where the dialog is: its application and step. The buttons this module draws carry it and act
    only while the dialog is still there; the evidence page's own buttons name their item instead
    (dialogs/evidence.py), since any item on the page may be opened from it."""
    return {"application": state.get("app"), "at": state["step"]}


def prompt_target(turn: Turn, state: State) -> list[Reply]:
    choices = plan.applicable(turn.pack, plan.targets(turn.pack, turn.person))
    buttons = [button(lv.name, "apply_target", "primary", level=lv.id, **here(state)) for lv in choices[:6]]
    return [Reply(text="Which level are you applying for?", buttons=buttons)]


def prompt_checklist(turn: Turn, state: State) -> list[Reply]:
    app = app_of(turn, state)
    level = turn.pack.level(app.target_level)
    items = plan.checklist(level, turn.person, turn.today)
    lines = [f"{MARKS[i.verdict]} {i.text}" + (f" ({i.note})" if i.note else "") for i in items]
    warning = ""
    if any(i.verdict == "not_met" for i in items):
        warning = "\nSomething above is marked ✗: you can still go on, and your manager will see it."
    text = (
        f"For {level.name}, here is how you stand:\n" + "\n".join([*lines, legend(items, "worker")]) + warning
    )
    return [Reply(text=text, buttons=[button("Continue", "apply_continue", "primary", **here(state))])]


def prompt_evidence(turn: Turn, state: State) -> list[Reply]:
    return evidence.prompt(turn, app_of(turn, state), state)


def prompt_manager(turn: Turn, state: State) -> list[Reply]:
    """Who decides, from the roster and the route: the worker confirms, but does not choose."""
    lines, ready = route_lines(turn, state)
    text = "Your application goes through these steps:\n" + "\n".join(lines)
    if not ready:
        return [Reply(text=text + "\nSo it can't be sent yet; your draft is kept.")]
    return [
        Reply(
            text=text + "\nSend your application?",
            buttons=[button("Yes, send it", "apply_manager_ok", "primary", **here(state))],
        )
    ]


def route_lines(turn: Turn, state: State) -> tuple[list[str], bool]:
    app = app_of(turn, state)
    route = route_of(turn)
    lines = []
    for n, stage in enumerate(route.stages, 1):
        who = ""
        if n == 1:
            people = authorisation.stage_deciders(turn, app, route, stage)
            duty = authorisation.stage_duty(stage)
            who = (
                f" ({cover.who_would_decide(turn, app, duty, people)})"
                if people
                else f": {approval.nobody_to_decide(turn, route, stage)}"
            )
        lines.append(f"{n}. {stage.name}{who}")
    lines.append(f"({route.citation})")
    first = route.stages[0]
    return lines, bool(authorisation.stage_deciders(turn, app, route, first))


def prompt_summary(turn: Turn, state: State) -> list[Reply]:
    """Every item with an Open button (a saved form comes back here), who decides, and Submit."""
    state["reached_summary"] = True
    app = app_of(turn, state)
    level = turn.pack.level(app.target_level)
    items = plan.checklist(level, turn.person, turn.today)
    not_met = [i.text for i in items if i.verdict == "not_met"]
    steps, _ = route_lines(turn, state)
    fields = evidence.summary_fields(turn, app)
    others = [CardField(label="Goes to", value="; ".join(steps))]
    if not_met:
        others.append(CardField(label="Not met on your record", value="; ".join(not_met)))
    lines = [f"Your application for {level.name}:", f"Evidence: {evidence_summary(turn.session, turn.pack, app)}",
             *(f"{f.label}: {f.value}" for f in fields), *(f"{f.label}: {f.value}" for f in others)]  # fmt: skip
    body = (
        f"Evidence: {evidence_summary(turn.session, turn.pack, app)}.\n"
        "Open any item to look at or change it; saving brings you back here. Then submit it."
    )
    route = route_of(turn)
    names = ", ".join(p.name for p in authorisation.stage_deciders(turn, app, route, route.stages[0]))
    submit = button("Submit", "apply_submit", "primary", **here(state)).confirming(
        f"Submit your application for {level.name}?",
        f"It goes first to {names or 'its first decider'} for the {route.stages[0].name}. "
        "You can withdraw it until it is decided.",
        "Yes, submit it",
    )
    buttons = [submit, button("Cancel", "cancel", "danger", **here(state))]
    card = Card(title=f"Your application for {level.name}", fields=[*fields, *others], body=body,
                buttons=buttons, key=f"summary-{app.id}")  # fmt: skip
    return [
        Reply(
            text="\n".join(lines)
            + "\nSubmit it now, or open an item (or say 'edit <competency>') to change it.",
            card=card,
        )
    ]


def set_step(turn: Turn, state: State, step: str) -> tuple[State | None, list[Reply]]:
    state["step"] = step
    return state, prompt(turn, state)


def app_of(turn: Turn, state: State) -> Application:
    app = applications.get_application(turn.session, state["app"])
    assert app is not None, "dialog state refers to an application that does not exist"
    return app


PROMPTS = {
    "target": prompt_target,
    "checklist": prompt_checklist,
    "evidence": prompt_evidence,
    "manager": prompt_manager,
    "summary": prompt_summary,
}
