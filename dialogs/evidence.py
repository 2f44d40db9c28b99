"""The evidence step: one form per item (a competency, or a requirement such as a portfolio) holding
its examples, a page listing every item where each can be opened, changed and returned from, files
attached to an item, and the policy's minimums checked before anything is sent.

An item is *open* while the worker is working on it: what they type goes to it as one example, and a
file they send is attached to it. Pressing an item's Open gives its form with every example in its own
box (change one, clear one to remove it, add more), and saving it returns to the page it was opened
from. State keys: "open" (the open item's key), "reached_summary" (the worker has seen the summary, so
the evidence page leads straight back to it), and what waits for the worker's word ("pending" text,
"pending_save", "pending_file", "unplaced" file). An item's form is dialogs.evidence_form's, examples
typed in the chat dialogs.evidence_typed's; this module holds what both use and the pages they return to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from dialogs import plan
from dialogs.documents import evidence_headline
from dialogs.messages import Card, CardField, Reply, button
from dialogs.turn import Turn
from knowledge.replies import Citation
from storage import applications, evidence_files
from storage.tables import Application

State = dict[str, Any]
MAX_EVIDENCE = 3000
MIN_EVIDENCE = 15
NEW = "new"  # form boxes for examples not yet given: new1, new2...
FILES_FIELD = "files"
PRIVACY = ("Evidence must not identify service users: no names, addresses, dates of birth or case numbers. "
           "Describe what you did and what came of it.")  # fmt: skip


@dataclass(frozen=True)
class Given:
    """What an item has: written examples and (placed) files."""

    examples: int
    files: list[str]

    @property
    def pieces(self) -> int:
        return self.examples + len(self.files)


def slots(turn: Turn, app: Application) -> list[plan.EvidenceSlot]:
    return plan.evidence_slots(turn.pack, turn.pack.level(app.target_level))


def given(turn: Turn, app: Application) -> dict[str, Given]:
    examples = Counter(item.competency for item in applications.list_evidence(turn.session, app.id))
    files: dict[str, list[str]] = {}
    for row in evidence_files.files_of(turn.session, app.id):
        files.setdefault(row.slot or "", []).append(row.filename)
    return {s.key: Given(examples[s.key], files.get(s.key, [])) for s in slots(turn, app)}


def slot_by_key(turn: Turn, app: Application, key: object) -> plan.EvidenceSlot | None:
    return next((s for s in slots(turn, app) if s.key == key), None)


def open_slot(turn: Turn, app: Application, state: State) -> plan.EvidenceSlot | None:
    """The item being worked on; a draft saved before items could be opened says it by number."""
    if "slot" in state and "open" not in state:
        index = state.pop("slot")
        found = slots(turn, app)
        state["open"] = found[min(int(index), len(found) - 1)].key if found else None
    return slot_by_key(turn, app, state.get("open"))


def first_short(turn: Turn, app: Application, after: str | None = None) -> plan.EvidenceSlot | None:
    """The next item (after `after`, wrapping round) with fewer pieces than the policy's number."""
    all_slots, have = slots(turn, app), given(turn, app)
    keys = [s.key for s in all_slots]
    start = keys.index(after) + 1 if after in keys else 0
    ordered = all_slots[start:] + all_slots[:start]
    return next((s for s in ordered if have[s.key].pieces < s.examples and s.key != after), None)


def policy_name(turn: Turn) -> str:
    return f"{turn.pack.organisation.short_name}'s policy"


def cited(turn: Turn, slot: plan.EvidenceSlot) -> str:
    sections = ", ".join(dict.fromkeys(s.section for s in slot.sources))
    return f"{policy_name(turn)}, {sections}" if sections else ""


def citations(found: list[plan.EvidenceSlot]) -> list[Citation]:
    seen = dict.fromkeys((s.document, s.section) for slot in found for s in slot.sources)
    return [Citation(document=d, section=s) for d, s in seen]


# --- what the worker sees -------------------------------------------------------------------------


def describe(slot: plan.EvidenceSlot, have: Given) -> str:
    """'2 of about 3 examples, 1 file' (about: the policy's own word for Medway's number)."""
    wanted = f"{'about ' if slot.examples_stated else ''}{slot.examples}"
    count = f"{have.examples} {'example' if have.examples == 1 else 'examples'}"
    if slot.examples > 1:
        count = f"{have.examples} of {wanted} examples"
    files = (
        f", {len(have.files)} {'file' if len(have.files) == 1 else 'files'} ({', '.join(have.files)})"
        if have.files
        else ""
    )
    return count + files


def page_key(app: Application) -> str:
    return f"evidence-{app.id}"


def overview(turn: Turn, app: Application, state: State) -> Reply:
    """Every item with what it has and an Open button: the page a saved form returns to."""
    have, found, current = given(turn, app), slots(turn, app), state.get("open")
    fields = [
        CardField(label=f"{n}. {slot.title}" + (" (open: type here)" if slot.key == current else ""),
                  value=describe(slot, have[slot.key]),
                  button=button("Open", "apply_open", slot=slot.key, app=app.id))
        for n, slot in enumerate(found, 1)
    ]  # fmt: skip
    rule = turn.pack.process.evidence
    guide = ("Open an item to write or change all its examples in one form; saving brings you back here. "
             "To attach a file (a portfolio, a certificate), open its item and send the file here.")  # fmt: skip
    if rule is not None:
        guide += f"\n{rule.text} ({policy_name(turn)}, {rule.source.section})"
    onward = "Back to the summary" if state.get("reached_summary") else "Continue"
    title = f"Your evidence for {turn.pack.level(app.target_level).name}"
    lines = [f"{f.label}: {f.value}" for f in fields]
    return Reply(
        text=f"{title}: {evidence_headline(turn.session, turn.pack, app)[0]}.\n" + "\n".join(lines),
        card=Card(title=title, fields=fields, body=guide, key=page_key(app),
                  buttons=[button(onward, "apply_evidence_done", "primary"), button("Status", "status")]),
    )  # fmt: skip


def item_prompt(turn: Turn, app: Application, slot: plan.EvidenceSlot) -> Reply:
    """The open item, for someone typing: what it asks and what it has."""
    found = slots(turn, app)
    index = next(i for i, s in enumerate(found) if s.key == slot.key)
    have = given(turn, app)[slot.key]
    asked = f"about {slot.examples} examples" if slot.examples > 1 else "your answer"
    text = (f"{index + 1} of {len(found)}: {slot.prompt}\nPlease give {asked}; you have {have.pieces} so far. "
            "Type each example here as a message, or press Open for a form holding them all.")  # fmt: skip
    buttons = [button("Open", "apply_open", "primary", slot=slot.key, app=app.id),
               button("Skip for now", "apply_next", slot=slot.key, app=app.id)]  # fmt: skip
    return Reply(text=text, buttons=buttons)


def prompt(turn: Turn, app: Application, state: State) -> list[Reply]:
    current = open_slot(turn, app, state)
    if current is None and "open" not in state:  # first time at the step: the first short item opens
        current = first_short(turn, app)
        state["open"] = current.key if current else None
    page = overview(turn, app, state)
    return [page, item_prompt(turn, app, current)] if current is not None else [page]


def example_problem(text: str, which: str = "") -> str:
    if len(text) < MIN_EVIDENCE:
        return f"{which}That's very short for an example: say what you did and what came of it."
    if len(text) > MAX_EVIDENCE:
        return (f"{which}That's {len(text):,} characters; please keep one example under {MAX_EVIDENCE:,} "
                "(split it into two if you need to).")  # fmt: skip
    return ""


def skip(turn: Turn, app: Application, state: State, key: str | None) -> tuple[list[Reply], bool]:
    """On to the next item still short of the policy's number; past the last, on to sending."""
    following = first_short(turn, app, after=key)
    if following is None:
        state["open"] = None
        return [], True
    state["open"] = following.key
    return [item_prompt(turn, app, following)], False


def saved_note(turn: Turn, app: Application, slot: plan.EvidenceSlot) -> Reply:
    return Reply(text=f"Saved {slot.title}: {describe(slot, given(turn, app)[slot.key])}.")


def find_slot(turn: Turn, app: Application, name: str) -> plan.EvidenceSlot | str:
    """An item by (fuzzy) name or number: 'edit care plans', 'edit 3'."""
    found = slots(turn, app)
    if name.strip().isdigit() and 0 < int(name) <= len(found):
        return found[int(name) - 1]
    match = process.extractOne(name, [s.title for s in found], scorer=fuzz.WRatio, score_cutoff=70)
    if match is None:
        return f"I couldn't find '{name}'. The items are: {', '.join(s.title for s in found)}."
    return found[match[2]]


# --- the policy's minimums --------------------------------------------------------------------------


def submission_problem(turn: Turn, app: Application, short_ok: bool) -> Reply | None:
    """What stops sending: an item the policy asks for with nothing at all; and, until the worker says
    to send it as it is, items with fewer than the policy's number of examples (Medway says
    'approximately', so that is the worker's and their manager's judgement, not a bar)."""
    have, found = given(turn, app), slots(turn, app)
    missing = [s for s in found if s.required and have[s.key].pieces == 0]
    if missing:
        names = "; ".join(s.title for s in missing)
        text = (f"Not sent yet: {policy_name(turn)} asks for evidence for each of these, and they have none: "
                f"{names}. ({'; '.join(dict.fromkeys(cited(turn, s) for s in missing))})")  # fmt: skip
        opens = [
            button(f"Open {s.title}"[:75], "apply_open", "primary", slot=s.key, app=app.id)
            for s in missing[:5]
        ]
        return Reply(text=text, sources=citations(missing), buttons=opens)
    short = [s for s in found if s.examples_stated and have[s.key].pieces < s.examples]
    if short and not short_ok:
        rule = turn.pack.process.evidence
        asks = f'"{rule.text}" ({policy_name(turn)}, {rule.source.section})' if rule else ""
        names = "; ".join(f"{s.title} ({have[s.key].pieces})" for s in short)
        text = (f"Before you send it: {asks}. These have fewer: {names}. Add to them, or send it as it is "
                "(your line manager assesses the evidence).")  # fmt: skip
        buttons = [button("Send it as it is", "apply_submit", "primary", short_ok=1, application=app.id,
                          at="summary"),  # asked only at the summary (application.here)
                   *(button(f"Open {s.title}"[:75], "apply_open", slot=s.key, app=app.id) for s in short[:4])]  # fmt: skip
        return Reply(text=text, sources=citations(short), buttons=buttons)
    return None


def summary_fields(turn: Turn, app: Application) -> list[CardField]:
    have = given(turn, app)
    return [CardField(label=f"{n}. {s.title}", value=describe(s, have[s.key]),
                      button=button("Open", "apply_open", slot=s.key, app=app.id))
            for n, s in enumerate(slots(turn, app), 1)]  # fmt: skip
