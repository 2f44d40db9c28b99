"""Evidence typed in the chat: each message at the evidence step is one example for the open item
(checked first: its length, and details that may identify a service user), and words towards sending
move on, never saved as evidence."""

from __future__ import annotations

import re

from dialogs.evidence import State, describe, example_problem, given, open_slot, overview, skip
from dialogs.messages import Reply, button
from dialogs.privacy import clean, identifying_details
from dialogs.turn import Turn
from knowledge.text import normalise
from storage import applications
from storage.tables import Application

# Typed at the evidence step, these move on towards sending; they are never saved as an example.
ONWARDS = re.compile(
    r"^(ok |okay |right |please |now )*((i'?m |i am )?(ready to )?(submit|send)( it| this| my application| the application|"
    r" application| my evidence)?( off)?( now)?( please)?|(i'?m |i am )?(done|finished)( now)?|that'?s (all|it)|that is (all|it)|"
    r"(show me |go to |back to )?(the )?summary|check and submit)$"
)
SKIP = {"next", "skip", "next competency", "next item", "skip this", "skip it"}


def typed(turn: Turn, app: Application, state: State, text: str) -> tuple[list[Reply], bool]:
    """A message typed at the evidence step: an example for the open item (checked first), or a word
    that moves on. Returns the replies and whether the worker has moved on from the evidence."""
    words = normalise(text)
    if moves_on(words):
        return [], True
    current = open_slot(turn, app, state)
    if words in SKIP:
        return skip(turn, app, state, current.key if current else None)
    if current is None:
        page = overview(turn, app, state)
        note = "No item is open, so I haven't saved that. Press Open beside the item it is for (or say 'edit <item>'), then send it again."
        return [Reply(text=note), page], False
    text = clean(text)
    problem = example_problem(text)
    if problem:
        return [Reply(text=problem)], False
    found = identifying_details(text, turn.library.speller.vocabulary)
    if found:
        state["pending"] = text
        return [_identifying_warning(found, "apply_rephrase", "apply_save_anyway")], False
    return save_typed(turn, app, state, text)


def moves_on(words: str) -> bool:
    """'submit', 'send it now please', "I'm done": words towards sending, never an example."""
    return bool(ONWARDS.match(words.strip(" .!")))


def _identifying_warning(found: list[str], rephrase: str, anyway: str, what: str = "this") -> Reply:
    warning = (f"Before I save {what}: it seems to contain {', '.join(found)}. Evidence should not identify "
               "service users. Rephrase it, or save it if you're sure it's fine.")  # fmt: skip
    return Reply(
        text=warning, buttons=[button("I'll rephrase", rephrase, "primary"), button("Save anyway", anyway)]
    )


def save_typed(turn: Turn, app: Application, state: State, text: str) -> tuple[list[Reply], bool]:
    current = open_slot(turn, app, state)
    if current is None:
        return [Reply(text="No item is open any more, so I haven't saved that.")], False
    applications.add_evidence(turn.session, app.id, current.key, text)
    have = given(turn, app)[current.key]
    saved = Reply(text=f"Saved example {have.examples} for {current.title} ({describe(current, have)}).")
    if have.pieces < current.examples:
        return [saved], False
    replies, onward = skip(turn, app, state, current.key)
    return [saved, *replies], onward
