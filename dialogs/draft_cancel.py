"""Cancelling a draft application: its Cancel button (or typed 'cancel') asks first, and only the
answer to that question, for that draft, withdraws it."""

from __future__ import annotations

from typing import Any

from dialogs import application, commands, withdrawal
from dialogs.messages import Action, Reply, button
from dialogs.turn import Turn


def on_cancel(
    turn: Turn, state: dict[str, Any] | None, action: Action
) -> tuple[dict[str, Any] | None, list[Reply]]:
    """The draft's Cancel button and the answers to its question, each only for the draft (and
    the question) it was drawn for; the Cancel button outside a draft asks about withdrawing."""
    drawn_for = action.data.get("application")
    mine = state is not None and drawn_for in (None, state.get("app"))
    if state is None and action.name == "cancel" and "at" not in action.data:
        return state, withdrawal.ask(turn)
    if state is None or not mine or (action.name != "cancel" and not state.get("confirm_cancel")):
        text = ("That button was for a draft, or a question about cancelling it, that is no longer open, "
                "so it did nothing.")  # fmt: skip
        more = (
            application.prompt(turn, state)
            if state
            else [Reply(text="Say 'status' to see where things stand.")]
        )
        return state, [Reply(text=text), *more]
    if action.name == "cancel":
        return ask(state)
    return confirm(turn, state, commands.Command("yes" if action.name == "cancel_yes" else "no"))


def ask(state: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Reply]]:
    state = {**state, "confirm_cancel": True}
    drawn_for = {"application": state.get("app")}
    buttons = [
        button("Yes, cancel it", "cancel_yes", "danger", **drawn_for),
        button("No, keep going", "cancel_no", "primary", **drawn_for),
    ]
    return state, [
        Reply(
            text="Cancel your draft application? Its evidence will be kept with the withdrawn draft but it won't go anywhere.",
            buttons=buttons,
        )
    ]


def confirm(
    turn: Turn, state: dict[str, Any], command: commands.Command | None
) -> tuple[dict[str, Any] | None, list[Reply]]:
    state = {k: v for k, v in state.items() if k != "confirm_cancel"}
    if command is not None and command.name == "yes":
        return None, application.withdraw(turn, state)
    return state, [Reply(text="OK, carrying on."), *application.prompt(turn, state)]
