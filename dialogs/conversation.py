"""Conversation.handle(incoming) -> replies: the one entry point every adapter calls.

One turn is one transaction: identify the person, load their dialog state, route (a button to the
workflow, an active dialog to its step, anything else to the knowledge answers), save the state with
a version check, and commit together with any outbox notices. A conflicting save (a double click, a
second server) re-runs the turn; a crash rolls everything back, so nothing is half-saved.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from dialogs import (
    answering,
    application,
    approval,
    commands,
    delegation,
    draft_cancel,
    escalation,
    evidence_files,
    evidence_requests,
    hr,
    reassignment,
    review,
    withdrawal,
)
from dialogs.help import help_reply
from dialogs.history import history
from dialogs.identify import identify
from dialogs.messages import (
    Action,
    InboundFile,
    Incoming,
    Platform,
    Reply,
    refused_form,
    submission_key,
    whole_number,
)
from dialogs.status import status
from dialogs.turn import Turn
from knowledge.library import Library
from storage import applications
from storage.availability import UNAVAILABLE_TEXT, is_outage, reason
from storage.columns import utc_now
from storage.db import transaction
from storage.dialog_states import Saved, save_state
from storage.handled_events import first_delivery, forget

log = logging.getLogger(__name__)
DIALOG = "application"
# Buttons about who decides: reassigning, an escalation taken over, out of office.
DECIDER_ACTIONS: dict[str, Callable[[Turn, Action], list[Reply]]] = {
    "reassign": reassignment.reassign,
    "reassign_offer": reassignment.offer,
    "take_over": escalation.take_over,
    "delegate": delegation.delegate,
    "delegate_end": delegation.end,
}
ATTEMPTS = 3
SUBMITTED_TWICE = "You had already sent that form with these answers, so it was not saved again."


class StaleState(Exception):
    """Someone else saved this person's dialog during our turn."""


class Conversation:
    def __init__(
        self,
        library: Library,
        sessions: sessionmaker[Session],
        *,
        channel: Platform = "console",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.library = library
        self.sessions = sessions
        self.channel = channel
        self.clock = clock

    def handle(self, incoming: Incoming) -> list[Reply]:
        return self.handle_identified(incoming)[0]

    def handle_identified(self, incoming: Incoming) -> tuple[list[Reply], int | None]:
        """The replies, and the roster person the turn identified (None when it identified nobody), so an
        edge that keeps per-person state (where cards went) needs no look-up of its own."""
        if incoming.org not in self.library.packs:
            return [
                Reply(
                    text="This workspace isn't linked to an organisation yet. Please ask your HR team to set Pathway up."
                )
            ], None
        problem = incoming.problem()
        if problem is not None:
            return [Reply(text=problem)], None
        for _ in range(ATTEMPTS):
            try:
                with transaction(self.sessions) as session:
                    return self._turn(session, incoming)
            except StaleState:
                continue
            except Exception as exc:
                if is_outage(exc):  # rolled back: say so plainly, not as a bug or a stale button
                    log.warning(
                        "turn refused for %s: database unavailable (%s)", incoming.sender.user_id, reason(exc)
                    )
                    return [Reply(text=UNAVAILABLE_TEXT)], None
                log.exception("turn failed for %s", incoming.sender.user_id)
                return [
                    Reply(
                        text="Sorry, something went wrong on my side and nothing was changed. Please try again; say 'continue' to pick up your application."
                    )
                ], None
        return [
            Reply(text="That clashed with another change made at the same moment. Please try again.")
        ], None

    def _turn(self, session: Session, incoming: Incoming) -> tuple[list[Reply], int | None]:
        if incoming.event_id and not first_delivery(session, incoming.sender.platform, incoming.event_id):
            return [], None  # the platform's retry of a delivery already handled
        submitted = submission_key(incoming.action) if incoming.action else None
        if submitted and not first_delivery(session, incoming.sender.platform, submitted):
            return [Reply(text=SUBMITTED_TWICE)], None  # a double click on a form's submit
        identified = identify(session, incoming, (DIALOG, withdrawal.QUESTION))
        if identified is None:
            org = self.library.packs[incoming.org].organisation
            return [
                Reply(
                    text=f"I can't find you on {org.name}'s staff list, so I can't help with applications yet. Please ask HR to add you (or check the email on your chat profile)."
                )
            ], None
        person, saved = identified.person, identified.dialogs
        turn = Turn(session, self.library, person, self.clock(), self.channel)
        loaded, version = saved[DIALOG]
        before = copy.deepcopy(loaded)  # what is saved, whatever the turn does to the dict it was given
        state, replies = self._route(turn, loaded, incoming, saved[withdrawal.QUESTION])
        # A turn that leaves the dialog as it was (most are questions) writes nothing: a save would only
        # bump the version. A turn that changed it saves with the version check.
        if state != before and not save_state(session, person.id, DIALOG, state, version):
            raise StaleState
        if submitted and incoming.action and refused_form(replies, incoming.action):
            # Sent back to be corrected, so nothing was done: the same answers sent again (the form
            # kept open, submitted unchanged) are checked again, not taken for a double click.
            forget(session, incoming.sender.platform, submitted)
        return replies, person.id

    def _route(
        self, turn: Turn, state: dict[str, Any] | None, incoming: Incoming, question: Saved
    ) -> tuple[dict[str, Any] | None, list[Reply]]:
        # The withdrawal question (asked only outside a draft) is answered by the very next turn or lapses.
        asked = withdrawal.take_question(turn, question) if state is None else None
        if incoming.action is not None:
            return self._on_action(turn, state, incoming.action, incoming.files)
        if incoming.files:  # files sent in the chat (any words with them are only their caption)
            if state is None:
                return state, [evidence_files.outside_a_draft()]
            return application.receive_files(turn, state, incoming.files)
        text = (incoming.text or "").strip()
        if not text:
            return state, [help_reply(turn, "I didn't catch anything there.")]
        command = commands.parse(text)
        if state is None and command is not None and command.name in ("yes", "no"):
            typed = withdrawal.typed_answer(turn, asked, command.name)
            if typed is not None:
                return state, typed
        if state and state.get("confirm_cancel"):
            return draft_cancel.confirm(turn, state, command)
        # HR's commands, reassigning, out of office; not mid-application, where "Broadcast…" may be evidence.
        for on_text in () if state else (hr.on_text, reassignment.on_text, delegation.on_text):
            handled = on_text(turn, text)
            if handled is not None:
                return state, handled
        if command is not None:
            return self._on_command(turn, state, command, text)
        if state and not commands.looks_like_question(text):
            return application.handle(turn, state, text, None)
        return state, answering.answer(turn, state, text)

    def _on_command(
        self, turn: Turn, state: dict[str, Any] | None, command: commands.Command, text: str
    ) -> tuple[dict[str, Any] | None, list[Reply]]:
        name = command.name
        if name == "help":
            return state, [help_reply(turn)]
        if name == "status":
            return state, status(turn, application.step_name(state) if state else None)
        if name == "review":
            return state, review.request(turn, Action(name="review"))
        if name == "history":
            shown = history(turn, command.argument)
            return state, shown if shown is not None else answering.answer(turn, state, text)
        if name == "apply":
            return (
                (
                    state,
                    [
                        Reply(text="You're already working on an application."),
                        *application.prompt(turn, state),
                    ],
                )
                if state
                else application.start(turn, text)
            )
        if state is None:
            if name == "continue":
                return state, self._nothing_to_continue(turn)
            if name in ("yes", "no"):
                return state, [help_reply(turn)]
            if name == "cancel":  # nothing in draft: withdrawing the submitted one, if there is one
                return state, withdrawal.ask(turn)
            return state, [Reply(text="You have no application in progress. Say 'apply' to start one.")]
        if name == "continue":  # at the checklist, "continue" is the Continue button
            return (
                application.handle(turn, state, text, None)
                if state["step"] == "checklist"
                else (state, application.prompt(turn, state))
            )
        if name == "back":
            return application.back(turn, state)
        if name == "edit":
            return application.edit(turn, state, command.argument)
        if name == "cancel":
            return draft_cancel.ask(state)
        return application.handle(turn, state, text, None)

    def _on_action(
        self, turn: Turn, state: dict[str, Any] | None, action: Action, files: list[InboundFile] | None = None
    ) -> tuple[dict[str, Any] | None, list[Reply]]:
        name = action.name
        if state and state.get("confirm_cancel") and name not in ("cancel_yes", "cancel_no"):
            state = {k: v for k, v in state.items() if k != "confirm_cancel"}  # pressing on answers it no
        hr_replies = hr.on_action(turn, action)
        if hr_replies is not None:
            return state, hr_replies
        if name == "decide":
            return state, approval.decide(turn, action)
        handler = DECIDER_ACTIONS.get(name)
        if handler is not None:
            return state, handler(turn, action)
        if name == "review":
            return state, review.request(turn, action)
        if name == "review_decide":
            return state, review.decide(turn, action)
        if name == "review_hearing":
            return state, review.arrange_hearing(turn, action)
        if name == "evidence":
            return state, evidence_requests.evidence_in_full_reply(turn, action)
        if name == "evidence_files":
            return state, evidence_requests.files_reply(turn, action)
        if name == "evidence_file":
            return state, [evidence_files.download(turn, whole_number(action.data.get("file") or 0) or 0)]
        if name == "status":
            return state, status(turn, application.step_name(state) if state else None)
        if name in ("withdraw_yes", "withdraw_no"):
            return state, withdrawal.confirm(turn, action)
        if name == "ask":  # a reading chosen from the ones a question was asked back with
            return state, answering.answer(turn, state, str(action.data.get("question") or ""))
        if name == "continue":
            return self._on_command(turn, state, commands.Command("continue"), "continue")
        if name == "start":
            return self._on_command(turn, state, commands.Command("apply"), "apply")
        if name in ("cancel", "cancel_yes", "cancel_no"):
            return draft_cancel.on_cancel(turn, state, action)
        if name.startswith("apply_"):
            if state is None:
                return state, [
                    Reply(
                        text="That button belongs to an application step that's finished. Say 'status' to see where things stand."
                    )
                ]
            return application.handle(turn, state, None, action, files)
        return state, [
            Reply(text="I don't recognise that button; it may be from an older version of a message.")
        ]

    def _nothing_to_continue(self, turn: Turn) -> list[Reply]:
        if applications.active_application(turn.session, turn.person.id) is not None:
            return status(turn)
        return [Reply(text="You have no application in progress. Say 'apply' to start one.")]
