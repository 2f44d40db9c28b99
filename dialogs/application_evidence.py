"""The application dialog's evidence step (dialogs.evidence: one form per item, the page listing
them, files): typed examples, an item opened and saved, files sent in the chat, and 'edit <item>'."""

from __future__ import annotations

from typing import Any

from dialogs import evidence, evidence_files, evidence_form, evidence_typed
from dialogs.application_views import State, app_of, prompt, set_step
from dialogs.messages import Action, InboundFile, Reply
from dialogs.turn import Turn

# The steps at which each of the dialog's buttons means something. An item can be opened, saved and
# given files from the evidence page and from the summary (and the step between).
EVIDENCE_STEPS = ("evidence", "manager", "summary")


def on_evidence_action(
    turn: Turn, state: State, action: Action, files: list[InboundFile]
) -> tuple[State | None, list[Reply]]:
    name, data = action.name, action.data
    app = app_of(turn, state)
    if name == "apply_evidence_done":
        return evidence_done(turn, state)
    if name == "apply_open":
        return open_item(turn, state, data)
    if name == "apply_save":
        return save_item(turn, state, data, files)
    if name in ("apply_remove_file", "apply_keep_file", "apply_place_file"):
        return state, [*evidence_files.act(turn, app, state, name, data), *redrawn(turn, state)]
    if name == "apply_next":  # "Skip for now" on the item it was drawn for, never on another
        current = evidence.open_slot(turn, app, state)
        if current is None or data.get("slot", current.key) != current.key:
            return state, [
                Reply(text="That button was for an item that is no longer open."),
                *prompt(turn, state),
            ]
        replies, onward = evidence.skip(turn, app, state, current.key)
        return evidence_done(turn, state) if onward else (state, replies)
    if name == "apply_save_anyway" and state.get("pending"):
        replies, onward = evidence_typed.save_typed(turn, app, state, state.pop("pending"))
        if onward:
            moved, more = evidence_done(turn, state)
            return moved, [*replies, *more]
        return state, replies
    if name == "apply_save_anyway" and state.get("pending_save"):
        pending = state.pop("pending_save")
        return save_item(turn, state, {**pending["values"], "slot": pending["slot"], "anyway": 1}, [])
    if name == "apply_reopen" and state.get("pending_save"):
        pending = state.pop("pending_save")
        slot = evidence.slot_by_key(turn, app, pending["slot"])
        if slot is not None:
            return state, evidence_form.open_item(turn, app, state, slot, pending["values"])
    if name in ("apply_rephrase", "apply_reopen"):
        state.pop("pending", None)
        return state, [Reply(text="Fine: send the example again without the identifying details.")]
    return state, [Reply(text="That button belongs to an earlier step."), *prompt(turn, state)]


def on_evidence(turn: Turn, state: State, text: str) -> tuple[State | None, list[Reply]]:
    replies, onward = evidence_typed.typed(turn, app_of(turn, state), state, text)
    if onward:
        moved, more = evidence_done(turn, state)
        return moved, [*replies, *more]
    return state, replies


def evidence_done(turn: Turn, state: State) -> tuple[State | None, list[Reply]]:
    """On from the evidence: to who decides, or straight back to the summary once it has been seen.
    No item stays open: a file sent from here on is asked about."""
    state["open"] = None
    return set_step(turn, state, "summary" if state.get("reached_summary") else "manager")


def open_item(turn: Turn, state: State, data: dict[str, Any]) -> tuple[State | None, list[Reply]]:
    app = app_of(turn, state)
    slot = evidence.slot_by_key(turn, app, data.get("slot"))
    if slot is None:
        return state, [Reply(text="That item isn't part of this application."), *prompt(turn, state)]
    return state, evidence_form.open_item(turn, app, state, slot)


def save_item(
    turn: Turn, state: State, data: dict[str, Any], files: list[InboundFile]
) -> tuple[State | None, list[Reply]]:
    """An item's form sent back: saved, its files attached, then back to the page it was opened from."""
    app = app_of(turn, state)
    slot = evidence.slot_by_key(turn, app, data.get("slot"))
    if slot is None:
        return state, [
            Reply(text="That form is for an item that isn't part of this application."),
            *prompt(turn, state),
        ]
    warned = state.pop("pending_save", None)
    again = evidence_form.save_form(turn, app, state, slot, Action(name="apply_save", data=data), warned)
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
    return state, [*evidence_files.receive(turn, app_of(turn, state), state, files), *redrawn(turn, state)]


def redrawn(turn: Turn, state: State) -> list[Reply]:
    """The evidence page or the summary, redrawn where it is (a file it lists was added or removed)."""
    if state["step"] == "manager":
        return []
    page = prompt(turn, state)[0]
    return [page.model_copy(update={"replaces": page.card.key})] if page.card and page.card.key else []


def edit(turn: Turn, state: State, name: str) -> tuple[State | None, list[Reply]]:
    """Open an item by (fuzzy) name or number: 'edit care plans', 'edit 3'."""
    if "app" not in state or state["step"] not in EVIDENCE_STEPS:
        return state, [Reply(text="Choose your level first.")]
    app = app_of(turn, state)
    found = evidence.find_slot(turn, app, name)
    if isinstance(found, str):
        return state, [Reply(text=found)]
    if state["step"] != "evidence":  # typed examples are taken at the evidence step, never at the summary
        state["reached_summary"] = state["step"] == "summary" or state.get("reached_summary", False)
        state["step"] = "evidence"
    replies = evidence_form.open_item(turn, app, state, found)
    return state, [*replies, evidence.item_prompt(turn, app, found)]
