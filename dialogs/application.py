"""The application dialog: target -> checklist -> evidence -> line manager -> summary -> submit.

An explicit state machine whose state (a small dict) is saved at the end of every turn, so the worker
can stop and come back days later, on another server, and carry on at the same step. The steps and
their content come from the organisation's pack (see dialogs.plan).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy.exc import IntegrityError

from dialogs import approval, authorisation, cover, plan
from dialogs.checklist_marks import legend
from dialogs.decision_cards import status_words
from dialogs.documents import evidence_summary
from dialogs.messages import Action, Reply, button
from dialogs.privacy import clean, identifying_details
from dialogs.route import route_of
from dialogs.turn import Turn
from knowledge.text import normalise
from storage import applications, audit
from storage.tables import Application

State = dict[str, Any]
MAX_EVIDENCE = 3000
MIN_EVIDENCE = 15
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
        state: State = {"app": existing.id, "step": "evidence", "slot": 0}
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
    turn: Turn, state: State, text: str | None, action: Action | None
) -> tuple[State | None, list[Reply]]:
    _forget_chosen_decider(state)
    step = state["step"]
    if action is not None:
        return _on_action(turn, state, action)
    return HANDLERS[step](turn, state, (text or "").strip())


def _on_action(turn: Turn, state: State, action: Action) -> tuple[State | None, list[Reply]]:
    name, data = action.name, action.data
    if state["step"] not in BUTTON_STEPS.get(name, ()):  # a button from an older message
        return state, [Reply(text="That button belongs to another step."), *prompt(turn, state)]
    if name == "apply_target":
        return _choose_target(turn, state, str(data.get("level")))
    if name == "apply_continue":
        return _advance(turn, state)
    if name == "apply_next":
        return _next_slot(turn, state)
    if name == "apply_save_anyway" and state.get("pending"):
        return _save_evidence(turn, state, state.pop("pending"))
    if name == "apply_rephrase":
        state.pop("pending", None)
        return state, [Reply(text="Fine: send the example again without the identifying details.")]
    if name == "apply_manager_ok":
        return _set_step(turn, state, "summary")
    if name == "apply_submit":
        return _submit(turn, state)
    return state, [Reply(text="That button belongs to an earlier step."), *prompt(turn, state)]


# --- target ---------------------------------------------------------------------------------------


def _prompt_target(turn: Turn, state: State) -> list[Reply]:
    choices = plan.applicable(turn.pack, plan.targets(turn.pack, turn.person))
    buttons = [button(lv.name, "apply_target", "primary", level=lv.id) for lv in choices[:6]]
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
    return [Reply(text=text, buttons=[button("Continue", "apply_continue", "primary")])]


def _on_checklist(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    if normalise(text) in {"yes", "ok", "okay", "continue", "next", "go on", "carry on", "y"}:
        return _advance(turn, state)
    return state, [Reply(text="Say 'continue' when you're ready for the evidence.")]


# --- evidence -------------------------------------------------------------------------------------


def _slots(turn: Turn, state: State) -> list[plan.EvidenceSlot]:
    app = _app(turn, state)
    return plan.evidence_slots(turn.pack, turn.pack.level(app.target_level))


def _prompt_evidence(turn: Turn, state: State) -> list[Reply]:
    slots = _slots(turn, state)
    index = min(state.get("slot", 0), len(slots) - 1)
    slot = slots[index]
    have = len(applications.list_evidence(turn.session, state["app"], slot.key))
    asked = f"about {slot.examples} examples" if slot.examples > 1 else "your answer"
    text = f"{index + 1} of {len(slots)}: {slot.prompt}\nPlease give {asked}; you have {have} so far."
    buttons = [button("Next", "apply_next"), button("Status", "status")]
    return [Reply(text=text, buttons=buttons)]


def _on_evidence(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    if normalise(text) in {"next", "skip", "done", "next competency"}:
        return _next_slot(turn, state)
    text = clean(text)
    if len(text) < MIN_EVIDENCE:
        return state, [Reply(text="That's very short for an example: say what you did and what came of it.")]
    if len(text) > MAX_EVIDENCE:
        return state, [
            Reply(
                text=f"That's {len(text):,} characters; please keep one example under {MAX_EVIDENCE:,} (split it into two if you need to)."
            )
        ]
    found = identifying_details(text, turn.library.speller.vocabulary)
    if found:
        state["pending"] = text
        warning = (f"Before I save this: it seems to contain {', '.join(found)}. Evidence should not identify "
                   "service users. Rephrase it, or save it if you're sure it's fine.")  # fmt: skip
        buttons = [
            button("I'll rephrase", "apply_rephrase", "primary"),
            button("Save anyway", "apply_save_anyway"),
        ]
        return state, [Reply(text=warning, buttons=buttons)]
    return _save_evidence(turn, state, text)


def _save_evidence(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    slot = _slots(turn, state)[state.get("slot", 0)]
    applications.add_evidence(turn.session, state["app"], slot.key, text)
    have = len(applications.list_evidence(turn.session, state["app"], slot.key))
    saved = Reply(text=f"Saved example {have} for {slot.title}.")
    if have >= slot.examples:
        moved, replies = _next_slot(turn, state)
        return moved, [saved, *replies]
    return state, [saved]


def _next_slot(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    if state["step"] != "evidence":
        return state, prompt(turn, state)
    slot = state.get("slot", 0) + 1
    if slot >= len(_slots(turn, state)):
        return _set_step(turn, state, "manager")
    state["slot"] = slot
    return state, prompt(turn, state)


def edit(turn: Turn, state: State, name: str) -> tuple[State | None, list[Reply]]:
    """Jump to a competency's evidence by (fuzzy) name: 'edit care plans'."""
    if "app" not in state:
        return state, [Reply(text="Choose your level first.")]
    slots = _slots(turn, state)
    match = process.extractOne(name, [s.title for s in slots], scorer=fuzz.WRatio, score_cutoff=70)
    if match is None:
        return state, [
            Reply(text=f"I couldn't find '{name}'. The items are: {', '.join(s.title for s in slots)}.")
        ]
    state.update(step="evidence", slot=match[2])
    return state, prompt(turn, state)


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
            buttons=[button("Yes, send it", "apply_manager_ok", "primary")],
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
    app = _app(turn, state)
    level = turn.pack.level(app.target_level)
    items = plan.checklist(level, turn.person, turn.today)
    not_met = [i.text for i in items if i.verdict == "not_met"]
    route_lines, _ = _route_lines(turn, state)
    lines = [f"Your application for {level.name}:",
             f"Evidence: {evidence_summary(turn.session, turn.pack, app)}",
             "Goes to: " + "; ".join(route_lines)]  # fmt: skip
    if not_met:
        lines.append("Not met on your record: " + "; ".join(not_met))
    buttons = [button("Submit", "apply_submit", "primary"), button("Cancel", "cancel", "danger")]
    return [
        Reply(
            text="\n".join(lines) + "\nSubmit it now, or say 'edit <competency>' to add evidence.",
            buttons=buttons,
        )
    ]


def _on_summary(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    if normalise(text) in {"submit", "yes", "send", "send it", "submit it"}:
        return _submit(turn, state)
    return state, prompt(turn, state)


def _submit(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    if state["step"] != "summary":
        return state, [Reply(text="Let's finish the earlier steps first."), *prompt(turn, state)]
    return None, approval.submit(turn, _app(turn, state))


# --- moving between steps ---------------------------------------------------------------------------

ORDER = ["target", "checklist", "evidence", "manager", "summary"]


def _advance(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    step = state["step"]
    following = ORDER[min(ORDER.index(step) + 1, len(ORDER) - 1)]
    return _set_step(turn, state, following)


def back(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    step = state["step"]
    if step == "evidence" and state.get("slot", 0) > 0:
        state["slot"] -= 1
        return state, prompt(turn, state)
    if step in ("target", "checklist"):
        return state, [Reply(text="This is the first step; say 'cancel' to stop the application.")]
    previous = ORDER[ORDER.index(step) - 1]
    if previous == "evidence":
        state["slot"] = len(_slots(turn, state)) - 1
    return _set_step(turn, state, previous)


def _set_step(turn: Turn, state: State, step: str) -> tuple[State | None, list[Reply]]:
    state["step"] = step
    if step == "evidence":
        state.setdefault("slot", 0)
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
    return {"target": "choosing a level", "checklist": "the checklist", "evidence": "evidence",
            "manager": "checking who decides",
            "summary": "checking the summary"}[state["step"]]  # fmt: skip


# The steps at which each of the dialog's buttons means something.
BUTTON_STEPS: dict[str, tuple[str, ...]] = {
    "apply_target": ("target",),
    "apply_continue": ("checklist",),
    "apply_next": ("evidence",),
    "apply_save_anyway": ("evidence",),
    "apply_rephrase": ("evidence",),
    "apply_manager_ok": ("manager",),
    "apply_submit": ("summary",),
}
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
