"""The application dialog: target -> checklist -> evidence -> line manager -> summary -> submit.

An explicit state machine whose state (a small dict) is saved at the end of every turn, so the worker
can stop and come back days later, on another server, and carry on at the same step. The steps and
their content come from the organisation's pack (see dialogs.plan).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from dialogs import approval, evidence, evidence_typed, plan
from dialogs.application_evidence import EVIDENCE_STEPS, edit, on_evidence, on_evidence_action, receive_files
from dialogs.application_views import (
    State,
    app_of,
    forget_chosen_decider,
    here,
    prompt,
    prompt_target,
    set_step,
)
from dialogs.decision_cards import status_words
from dialogs.messages import Action, InboundFile, Reply
from dialogs.route import route_of
from dialogs.turn import Turn
from knowledge.text import normalise
from storage import applications, audit
from storage import evidence_files as evidence_files_store
from storage.tables import Application

# What the conversation uses: starting, a turn at the current step, the commands, where it is.
__all__ = ["back", "edit", "handle", "here", "prompt", "receive_files", "start", "step_name", "withdraw"]


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


def handle(
    turn: Turn, state: State, text: str | None, action: Action | None, files: list[InboundFile] | None = None
) -> tuple[State | None, list[Reply]]:
    forget_chosen_decider(state)
    step = state["step"]
    if action is not None:
        return _on_action(turn, state, action, files or [])
    return HANDLERS[step](turn, state, (text or "").strip())


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
        return set_step(turn, state, "summary")
    if name == "apply_submit":
        return _submit(turn, state, short_ok=bool(data.get("short_ok")))
    if str(data.get("app", state.get("app"))) != str(state.get("app")):
        return state, [Reply(text="That button belongs to an earlier application."), *prompt(turn, state)]
    return on_evidence_action(turn, state, action, files)


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


def _on_target(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    named = _named_level(
        turn, text, [lv.id for lv in plan.applicable(turn.pack, plan.targets(turn.pack, turn.person))]
    )
    if named is None:
        return state, [Reply(text="Please pick one of the levels."), *prompt_target(turn, state)]
    return _choose_target(turn, state, named)


def _choose_target(turn: Turn, state: State, level_id: str) -> tuple[State | None, list[Reply]]:
    if level_id not in {lv.id for lv in plan.applicable(turn.pack, plan.targets(turn.pack, turn.person))}:
        return state, [
            Reply(text="That level isn't one you can apply for from your current level."),
            *prompt_target(turn, state),
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


def _on_checklist(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    if normalise(text) in {"yes", "ok", "okay", "continue", "next", "go on", "carry on", "y"}:
        return _advance(turn, state)
    return state, [Reply(text="Say 'continue' when you're ready for the evidence.")]


def _on_manager(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    if normalise(text) in {"yes", "y", "ok", "okay", "yes please", "send", "send it"}:
        return set_step(turn, state, "summary")
    return state, prompt(turn, state)


def _on_summary(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    """Typed words at the summary are never evidence: 'submit' submits, anything else shows it again."""
    if evidence_typed.moves_on(normalise(text)) or normalise(text) in {"yes", "y", "ok", "okay"}:
        return _submit(turn, state, short_ok=False)
    return state, [Reply(text="Nothing was saved: to change an item, press its Open button (or say 'edit <item>')."),
                   *prompt(turn, state)]  # fmt: skip


def _submit(turn: Turn, state: State, *, short_ok: bool) -> tuple[State | None, list[Reply]]:
    if state["step"] != "summary":
        return state, [Reply(text="Let's finish the earlier steps first."), *prompt(turn, state)]
    app = app_of(turn, state)
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
    return set_step(turn, state, following)


def back(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    step = state["step"]
    if step in ("target", "checklist"):
        return state, [Reply(text="This is the first step; say 'cancel' to stop the application.")]
    if step == "evidence":  # the evidence page lists every item: back from it is the checklist
        return set_step(turn, state, "checklist")
    return set_step(turn, state, ORDER[ORDER.index(step) - 1])


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


HANDLERS = {
    "target": _on_target,
    "checklist": _on_checklist,
    "evidence": on_evidence,
    "manager": _on_manager,
    "summary": _on_summary,
}
