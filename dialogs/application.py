"""The application dialog: target -> checklist -> evidence -> line manager -> summary -> submit.

An explicit state machine whose state (a small dict) is saved at the end of every turn, so the worker
can stop and come back days later, on another server, and carry on at the same step. The steps and
their content come from the organisation's pack (see dialogs.plan).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from dialogs import approval, authorisation, cover, evidence, evidence_files, plan
from dialogs.checklist_marks import legend
from dialogs.decision_cards import status_words
from dialogs.documents import evidence_summary
from dialogs.messages import Action, Card, CardField, InboundFile, Reply, button
from dialogs.route import route_of
from dialogs.turn import Turn
from knowledge.text import normalise
from storage import applications, audit
from storage import evidence_files as evidence_files_store
from storage.tables import Application

State = dict[str, Any]
MARKS = {"met": "✓", "not_met": "✗", "unknown": "?", "later": "…", "desirable": "◦ desirable:"}


def start(turn: Turn, text: str) -> tuple[State | None, list[Reply]]:
    existing = applications.active_application(turn.session, turn.person.id)
    if existing is not None and existing.status != "drafting":
        return None, [
            Reply(
                text=f"You already have an application in progress ({_status_words(turn, existing)}). Say 'status' to see it."
            )
        ]
    if existing is not None:
        state: State = {"app": existing.id, "step": "evidence"}
        return state, [
            Reply(text="You already have an application started; let's carry on."),
            *prompt(turn, state),
        ]
    if not route_of(turn).stated:
        return None, [Reply(text=approval.route_not_stated(turn))]
    above = plan.targets(turn.pack, turn.person)
    not_applications = plan.other_routes(turn.pack, above)
    named_other = _named_level(turn, text, list(not_applications))
    if named_other:
        return None, [Reply(text=plan.other_route_text(turn.pack, not_applications[named_other]))]
    choices = plan.applicable(turn.pack, above)
    if not choices:
        return None, [
            Reply(
                text=f"I can't find a level above yours in {turn.pack.organisation.short_name}'s framework that you apply for. Please ask your line manager."
            )
        ]
    named = _named_level(turn, text, [lv.id for lv in choices])
    state = {"step": "target"}
    if named:
        return _choose_target(turn, state, named)
    return state, prompt(turn, state)


def prompt(turn: Turn, state: State) -> list[Reply]:
    """What to show for the current step: used on entry, on 'continue', and after an interruption."""
    _forget_chosen_decider(state)
    return PROMPTS[state["step"]](turn, state)


def _forget_chosen_decider(state: State) -> None:
    # Drafts saved when a worker could name their own decider resume at the step that shows the roster's.
    if state.get("step") == "manager_email":
        state["step"] = "manager"


def handle(
    turn: Turn, state: State, text: str | None, action: Action | None, files: list[InboundFile] | None = None
) -> tuple[State | None, list[Reply]]:
    _forget_chosen_decider(state)
    step = state["step"]
    if action is not None:
        return _on_action(turn, state, action, files or [])
    return HANDLERS[step](turn, state, (text or "").strip())


def here(state: State) -> dict[str, str | int | None]:
    """Where the dialog is: its application and step. The buttons this module draws carry it and act
    only while the dialog is still there; the evidence page's own buttons name their item instead
    (dialogs/evidence.py), since any item on the page may be opened from it."""
    return {"application": state.get("app"), "at": state["step"]}


# Buttons that act on the dialog's step as a whole, so a copy drawn at another step or application is old.
AT_THEIR_STEP = frozenset({"apply_target", "apply_continue", "apply_manager_ok", "apply_submit"})


def _on_action(
    turn: Turn, state: State, action: Action, files: list[InboundFile]
) -> tuple[State | None, list[Reply]]:
    name, data = action.name, action.data
    if state["step"] not in BUTTON_STEPS.get(name, ()) or (
        name in AT_THEIR_STEP and _drawn_at(action) != here(state)
    ):
        return state, [Reply(text=_elsewhere(turn, state, action)), *prompt(turn, state)]
    if name == "apply_target":
        return _choose_target(turn, state, str(data.get("level")))
    if name == "apply_continue":
        return _advance(turn, state)
    if name == "apply_manager_ok":
        return _set_step(turn, state, "summary")
    if name == "apply_submit":
        return _submit(turn, state, short_ok=bool(data.get("short_ok")))
    if str(data.get("app", state.get("app"))) != str(state.get("app")):
        return state, [Reply(text="That button belongs to an earlier application."), *prompt(turn, state)]
    return _on_evidence_action(turn, state, action, files)


def _on_evidence_action(
    turn: Turn, state: State, action: Action, files: list[InboundFile]
) -> tuple[State | None, list[Reply]]:
    name, data = action.name, action.data
    app = _app(turn, state)
    if name == "apply_evidence_done":
        return _evidence_done(turn, state)
    if name == "apply_open":
        return _open(turn, state, data)
    if name == "apply_save":
        return _save_item(turn, state, data, files)
    if name in ("apply_remove_file", "apply_keep_file", "apply_place_file"):
        return state, [*evidence_files.act(turn, app, state, name, data), *_redrawn(turn, state)]
    if name == "apply_next":  # "Skip for now" on the item it was drawn for, never on another
        current = evidence.open_slot(turn, app, state)
        if current is None or data.get("slot", current.key) != current.key:
            return state, [
                Reply(text="That button was for an item that is no longer open."),
                *prompt(turn, state),
            ]
        replies, onward = evidence.skip(turn, app, state, current.key)
        return _evidence_done(turn, state) if onward else (state, replies)
    if name == "apply_save_anyway" and state.get("pending"):
        replies, onward = evidence.save_typed(turn, app, state, state.pop("pending"))
        if onward:
            moved, more = _evidence_done(turn, state)
            return moved, [*replies, *more]
        return state, replies
    if name == "apply_save_anyway" and state.get("pending_save"):
        pending = state.pop("pending_save")
        return _save_item(turn, state, {**pending["values"], "slot": pending["slot"], "anyway": 1}, [])
    if name == "apply_reopen" and state.get("pending_save"):
        pending = state.pop("pending_save")
        slot = evidence.slot_by_key(turn, app, pending["slot"])
        if slot is not None:
            return state, evidence.open_item(turn, app, state, slot, pending["values"])
    if name in ("apply_rephrase", "apply_reopen"):
        state.pop("pending", None)
        return state, [Reply(text="Fine: send the example again without the identifying details.")]
    return state, [Reply(text="That button belongs to an earlier step."), *prompt(turn, state)]


def _drawn_at(action: Action) -> dict[str, str | int | None]:
    return {"application": action.data.get("application"), "at": action.data.get("at")}


def _elsewhere(turn: Turn, state: State, action: Action) -> str:
    """What a button pressed away from its own step was for, and where the dialog is now."""
    label = "level" if action.name == "apply_target" else f"'{BUTTON_LABELS.get(action.name, action.name)}'"
    at = str(action.data.get("at") or "")
    if action.data.get("application") not in (None, state.get("app")):
        made = "an earlier application"
    else:
        made = STEP_NAMES.get(at, "an older message")
    now = step_name(state)
    return f"That {label} button belongs to another step ({made}), so it did nothing. You're at {now}:"


# --- target ---------------------------------------------------------------------------------------


def _prompt_target(turn: Turn, state: State) -> list[Reply]:
    choices = plan.applicable(turn.pack, plan.targets(turn.pack, turn.person))
    buttons = [button(lv.name, "apply_target", "primary", level=lv.id, **here(state)) for lv in choices[:6]]
    return [Reply(text="Which level are you applying for?", buttons=buttons)]


def _on_target(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    named = _named_level(
        turn, text, [lv.id for lv in plan.applicable(turn.pack, plan.targets(turn.pack, turn.person))]
    )
    if named is None:
        return state, [Reply(text="Please pick one of the levels."), *_prompt_target(turn, state)]
    return _choose_target(turn, state, named)


def _choose_target(turn: Turn, state: State, level_id: str) -> tuple[State | None, list[Reply]]:
    if level_id not in {lv.id for lv in plan.applicable(turn.pack, plan.targets(turn.pack, turn.person))}:
        return state, [
            Reply(text="That level isn't one you can apply for from your current level."),
            *_prompt_target(turn, state),
        ]
    waiting = plan.time_at_level_problem(turn.pack, turn.pack.level(level_id), turn.today, _level_since(turn))
    if waiting:
        return state, [Reply(text=waiting)]
    current = plan.current_level(turn.pack, turn.person)
    manager = turn.person.line_manager_id
    try:
        with turn.session.begin_nested():
            app = applications.create_application(
                turn.session, org_id=turn.org, person_id=turn.person.id, target_level=level_id,
                from_level=current.id if current else (turn.person.level or ""), from_point=turn.person.spinal_point,
                line_manager_id=manager,
            )  # fmt: skip
    except IntegrityError:  # a second "start" raced this one: carry on with the application that won
        winner = applications.active_application(turn.session, turn.person.id)
        if winner is None:
            raise
        app = winner
    state = {"app": app.id, "step": "checklist"}
    return state, prompt(turn, state)


# --- checklist ------------------------------------------------------------------------------------


def _prompt_checklist(turn: Turn, state: State) -> list[Reply]:
    app = _app(turn, state)
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


def _on_checklist(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    if normalise(text) in {"yes", "ok", "okay", "continue", "next", "go on", "carry on", "y"}:
        return _advance(turn, state)
    return state, [Reply(text="Say 'continue' when you're ready for the evidence.")]


# --- evidence (dialogs.evidence: one form per item, the page listing them, files) -------------------


def _prompt_evidence(turn: Turn, state: State) -> list[Reply]:
    return evidence.prompt(turn, _app(turn, state), state)


def _on_evidence(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    replies, onward = evidence.typed(turn, _app(turn, state), state, text)
    if onward:
        moved, more = _evidence_done(turn, state)
        return moved, [*replies, *more]
    return state, replies


def _evidence_done(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    """On from the evidence: to who decides, or straight back to the summary once it has been seen.
    No item stays open: a file sent from here on is asked about."""
    state["open"] = None
    return _set_step(turn, state, "summary" if state.get("reached_summary") else "manager")


def _open(turn: Turn, state: State, data: dict[str, Any]) -> tuple[State | None, list[Reply]]:
    app = _app(turn, state)
    slot = evidence.slot_by_key(turn, app, data.get("slot"))
    if slot is None:
        return state, [Reply(text="That item isn't part of this application."), *prompt(turn, state)]
    return state, evidence.open_item(turn, app, state, slot)


def _save_item(
    turn: Turn, state: State, data: dict[str, Any], files: list[InboundFile]
) -> tuple[State | None, list[Reply]]:
    """An item's form sent back: saved, its files attached, then back to the page it was opened from."""
    app = _app(turn, state)
    slot = evidence.slot_by_key(turn, app, data.get("slot"))
    if slot is None:
        return state, [
            Reply(text="That form is for an item that isn't part of this application."),
            *prompt(turn, state),
        ]
    warned = state.pop("pending_save", None)
    again = evidence.save_form(turn, app, state, slot, Action(name="apply_save", data=data), warned)
    if again is not None:
        return state, again
    state["open"] = slot.key
    attached = evidence_files.receive(turn, app, state, files) if files else []
    back = prompt(turn, state)
    if (
        back and back[0].card is not None and back[0].card.key
    ):  # the page is redrawn where it is, not sent again
        back = [back[0].model_copy(update={"replaces": back[0].card.key}), *back[1:]]
    return state, [evidence.saved_note(turn, app, slot), *attached, *back]


def receive_files(turn: Turn, state: State, files: list[InboundFile]) -> tuple[State | None, list[Reply]]:
    """Files sent in the chat: kept with the draft once it has its items, else explained."""
    if "app" not in state or state["step"] not in EVIDENCE_STEPS:
        return state, [evidence_files.outside_a_draft()]
    return state, [*evidence_files.receive(turn, _app(turn, state), state, files), *_redrawn(turn, state)]


def _redrawn(turn: Turn, state: State) -> list[Reply]:
    """The evidence page or the summary, redrawn where it is (a file it lists was added or removed)."""
    if state["step"] == "manager":
        return []
    page = prompt(turn, state)[0]
    return [page.model_copy(update={"replaces": page.card.key})] if page.card and page.card.key else []


def edit(turn: Turn, state: State, name: str) -> tuple[State | None, list[Reply]]:
    """Open an item by (fuzzy) name or number: 'edit care plans', 'edit 3'."""
    if "app" not in state or state["step"] not in EVIDENCE_STEPS:
        return state, [Reply(text="Choose your level first.")]
    app = _app(turn, state)
    found = evidence.find_slot(turn, app, name)
    if isinstance(found, str):
        return state, [Reply(text=found)]
    if state["step"] != "evidence":  # typed examples are taken at the evidence step, never at the summary
        state["reached_summary"] = state["step"] == "summary" or state.get("reached_summary", False)
        state["step"] = "evidence"
    replies = evidence.open_item(turn, app, state, found)
    return state, [*replies, evidence.item_prompt(turn, app, found)]


# --- line manager and summary -----------------------------------------------------------------------


def _prompt_manager(turn: Turn, state: State) -> list[Reply]:
    """Who decides, from the roster and the route: the worker confirms, but does not choose."""
    lines, ready = _route_lines(turn, state)
    text = "Your application goes through these steps:\n" + "\n".join(lines)
    if not ready:
        return [Reply(text=text + "\nSo it can't be sent yet; your draft is kept.")]
    return [
        Reply(
            text=text + "\nSend your application?",
            buttons=[button("Yes, send it", "apply_manager_ok", "primary", **here(state))],
        )
    ]


def _route_lines(turn: Turn, state: State) -> tuple[list[str], bool]:
    app = _app(turn, state)
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


def _on_manager(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    if normalise(text) in {"yes", "y", "ok", "okay", "yes please", "send", "send it"}:
        return _set_step(turn, state, "summary")
    return state, prompt(turn, state)


def _prompt_summary(turn: Turn, state: State) -> list[Reply]:
    """Every item with an Open button (a saved form comes back here), who decides, and Submit."""
    state["reached_summary"] = True
    app = _app(turn, state)
    level = turn.pack.level(app.target_level)
    items = plan.checklist(level, turn.person, turn.today)
    not_met = [i.text for i in items if i.verdict == "not_met"]
    route_lines, _ = _route_lines(turn, state)
    fields = evidence.summary_fields(turn, app)
    others = [CardField(label="Goes to", value="; ".join(route_lines))]
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


def _on_summary(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    """Typed words at the summary are never evidence: 'submit' submits, anything else shows it again."""
    if evidence.moves_on(normalise(text)) or normalise(text) in {"yes", "y", "ok", "okay"}:
        return _submit(turn, state, short_ok=False)
    return state, [Reply(text="Nothing was saved: to change an item, press its Open button (or say 'edit <item>')."),
                   *prompt(turn, state)]  # fmt: skip


def _submit(turn: Turn, state: State, *, short_ok: bool) -> tuple[State | None, list[Reply]]:
    if state["step"] != "summary":
        return state, [Reply(text="Let's finish the earlier steps first."), *prompt(turn, state)]
    app = _app(turn, state)
    problem = evidence.submission_problem(turn, app, short_ok)
    if problem is not None:
        return state, [problem]
    replies = approval.submit(turn, app)
    if turn.session.get(Application, app.id).status == "drafting":  # type: ignore[union-attr]
        return state, replies  # not sent (nobody to decide): the draft stays open
    evidence_files_store.drop_unplaced(turn.session, app.id)
    return None, replies


# --- moving between steps ---------------------------------------------------------------------------

ORDER = ["target", "checklist", "evidence", "manager", "summary"]


def _advance(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    step = state["step"]
    following = ORDER[min(ORDER.index(step) + 1, len(ORDER) - 1)]
    return _set_step(turn, state, following)


def back(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    step = state["step"]
    if step in ("target", "checklist"):
        return state, [Reply(text="This is the first step; say 'cancel' to stop the application.")]
    if step == "evidence":  # the evidence page lists every item: back from it is the checklist
        return _set_step(turn, state, "checklist")
    return _set_step(turn, state, ORDER[ORDER.index(step) - 1])


def _set_step(turn: Turn, state: State, step: str) -> tuple[State | None, list[Reply]]:
    state["step"] = step
    return state, prompt(turn, state)


def withdraw(turn: Turn, state: State) -> list[Reply]:
    if "app" in state and applications.transition(turn.session, state["app"], "drafting", "withdrawn"):
        # audited like a submitted one's withdrawal, so its history can say when
        audit.record(turn.session, turn.org, "withdrawn", actor_id=turn.person.id, application_id=state["app"],
                     detail={"stage": "draft"}, at=turn.now)  # fmt: skip
    return [
        Reply(
            text="Cancelled: your draft application is withdrawn. Say 'apply' whenever you want to start again."
        )
    ]


def _app(turn: Turn, state: State) -> Application:
    app = applications.get_application(turn.session, state["app"])
    assert app is not None, "dialog state refers to an application that does not exist"
    return app


def _named_level(turn: Turn, text: str, allowed: list[str]) -> str | None:
    index = turn.library.indexes[turn.org]
    names = [m.id for m in index.mentions(normalise(text)) if m.kind == "level" and m.id in allowed]
    return names[0] if names else None


def _status_words(turn: Turn, app: Application) -> str:
    return status_words(turn, app)


def _level_since(turn: Turn) -> date | None:
    """When the worker reached their current level, as far as Pathway's record shows."""
    approved = [
        a for a in applications.applications_of(turn.session, turn.person.id) if a.status == "approved"
    ]
    latest = approved[0] if approved else None
    if latest is None:
        return None
    return latest.effective_date or (latest.decided_at.date() if latest.decided_at else None)


def step_name(state: State) -> str:
    return STEP_NAMES[state["step"]]


# The steps at which each of the dialog's buttons means something. An item can be opened, saved and
# given files from the evidence page and from the summary (and the step between).
EVIDENCE_STEPS = ("evidence", "manager", "summary")
BUTTON_STEPS: dict[str, tuple[str, ...]] = {
    "apply_target": ("target",),
    "apply_continue": ("checklist",),
    "apply_next": ("evidence",),
    "apply_evidence_done": ("evidence",),
    "apply_rephrase": ("evidence",),
    "apply_manager_ok": ("manager",),
    "apply_submit": ("summary",),
    **{name: EVIDENCE_STEPS for name in ("apply_open", "apply_save", "apply_save_anyway", "apply_reopen",
                                         "apply_remove_file", "apply_keep_file", "apply_place_file")},
}  # fmt: skip
BUTTON_LABELS = {"apply_continue": "Continue", "apply_next": "Skip for now", "apply_open": "Open",
                 "apply_save": "Save", "apply_save_anyway": "Save anyway", "apply_rephrase": "I'll rephrase",
                 "apply_manager_ok": "Yes, send it", "apply_submit": "Submit"}  # fmt: skip
STEP_NAMES = {"target": "choosing a level", "checklist": "the checklist", "evidence": "evidence",
              "manager": "checking who decides", "summary": "checking the summary"}  # fmt: skip
PROMPTS = {
    "target": _prompt_target,
    "checklist": _prompt_checklist,
    "evidence": _prompt_evidence,
    "manager": _prompt_manager,
    "summary": _prompt_summary,
}
HANDLERS = {
    "target": _on_target,
    "checklist": _on_checklist,
    "evidence": _on_evidence,
    "manager": _on_manager,
    "summary": _on_summary,
}
