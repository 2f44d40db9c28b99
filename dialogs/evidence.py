"""The evidence step: one form per item (a competency, or a requirement such as a portfolio) holding
its examples, a page listing every item where each can be opened, changed and returned from, files
attached to an item, and the policy's minimums checked before anything is sent.

An item is *open* while the worker is working on it: what they type goes to it as one example, and a
file they send is attached to it. Pressing an item's Open gives its form with every example in its own
box (change one, clear one to remove it, add more), and saving it returns to the page it was opened
from. State keys: "open" (the open item's key), "reached_summary" (the worker has seen the summary, so
the evidence page leads straight back to it), and what waits for the worker's word ("pending" text,
"pending_save", "pending_file", "unplaced" file).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from dialogs import file_checks, plan
from dialogs.documents import evidence_headline
from dialogs.messages import Action, Card, CardField, Form, FormField, Reply, button
from dialogs.privacy import clean, identifying_details
from dialogs.turn import Turn
from knowledge.replies import Citation
from knowledge.text import normalise
from storage import applications, evidence_files
from storage.tables import Application

State = dict[str, Any]
MAX_EVIDENCE = 3000
MIN_EVIDENCE = 15
NEW = "new"  # form boxes for examples not yet given: new1, new2...
FILES_FIELD = "files"
PRIVACY = ("Evidence must not identify service users: no names, addresses, dates of birth or case numbers. "
           "Describe what you did and what came of it.")  # fmt: skip
# Typed at the evidence step, these move on towards sending; they are never saved as an example.
ONWARDS = re.compile(
    r"^(ok |okay |right |please |now )*((i'?m |i am )?(ready to )?(submit|send)( it| this| my application| the application|"
    r" application| my evidence)?( off)?( now)?( please)?|(i'?m |i am )?(done|finished)( now)?|that'?s (all|it)|that is (all|it)|"
    r"(show me |go to |back to )?(the )?summary|check and submit)$"
)
SKIP = {"next", "skip", "next competency", "next item", "skip this", "skip it"}


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


def item_form(
    turn: Turn,
    app: Application,
    slot: plan.EvidenceSlot,
    typed: dict[str, str] | None = None,
    intro: str = "",
) -> Form:
    """The item's form: a box per example given (as saved, or as just typed), empty ones for more, and
    (where the surface has one) a place for files."""
    examples = applications.list_evidence(turn.session, app.id, slot.key)
    boxes = [FormField(name=f"e{item.id}", label=f"Example {n}", required=False, max_length=MAX_EVIDENCE,
                       value=(typed or {}).get(f"e{item.id}", item.text))
             for n, item in enumerate(examples, 1)]  # fmt: skip
    more = max(slot.examples - len(examples), 1)
    boxes += [FormField(name=f"{NEW}{k}", label=f"Example {len(examples) + k}", required=False,
                        max_length=MAX_EVIDENCE, value=(typed or {}).get(f"{NEW}{k}", ""))
              for k in range(1, more + 1)]  # fmt: skip
    boxes.append(FormField(name=FILES_FIELD, label=f"Attach files ({file_checks.LIMITS})", required=False,
                           kind="files", max_length=file_checks.MAX_FILE_BYTES))  # fmt: skip
    data: dict[str, str | int | None] = {"slot": slot.key, "app": app.id}
    # Drawn again as typed (a box to mend), its reopening keeps what was typed (state "pending_save").
    reopen = Action(name="apply_reopen" if typed else "apply_open", data=data)
    return Form(title=slot.title[:60], fields=boxes, submit=Action(name="apply_save", data=data), intro=intro,
                opened_by=reopen)  # fmt: skip


def open_item(turn: Turn, app: Application, state: State, slot: plan.EvidenceSlot, typed: dict[str, str] | None = None,
              note: str = "") -> list[Reply]:  # fmt: skip
    state["open"] = slot.key
    have = given(turn, app)[slot.key]
    files = f"\nFiles attached: {', '.join(have.files)}." if have.files else ""
    asked = (
        f"Policy: {cited(turn, slot)}."
        if slot.sources
        else "(Pathway asks for this; the policy sets no evidence requirement here.)"
    )
    intro = (f"{note}{slot.prompt}\n{asked}{files}\n{PRIVACY} Clear a box to remove that example. To attach "
             "a file where the form has no place for one, send it here in the chat while this item is open.")  # fmt: skip
    text = f"{note}{slot.title}: write or change its examples in the form."
    removes = [button(f"Remove {name}", "apply_remove_file", file=row.id, app=app.id)
               for row in evidence_files.files_of(turn.session, app.id) if row.slot == slot.key
               for name in [row.filename]][:5]  # fmt: skip
    return [Reply(text=text, form=item_form(turn, app, slot, typed, intro), buttons=removes)]


# --- typed examples -------------------------------------------------------------------------------


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


def example_problem(text: str, which: str = "") -> str:
    if len(text) < MIN_EVIDENCE:
        return f"{which}That's very short for an example: say what you did and what came of it."
    if len(text) > MAX_EVIDENCE:
        return (f"{which}That's {len(text):,} characters; please keep one example under {MAX_EVIDENCE:,} "
                "(split it into two if you need to).")  # fmt: skip
    return ""


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


def skip(turn: Turn, app: Application, state: State, key: str | None) -> tuple[list[Reply], bool]:
    """On to the next item still short of the policy's number; past the last, on to sending."""
    following = first_short(turn, app, after=key)
    if following is None:
        state["open"] = None
        return [], True
    state["open"] = following.key
    return [item_prompt(turn, app, following)], False


# --- the item's form ------------------------------------------------------------------------------


def save_form(
    turn: Turn,
    app: Application,
    state: State,
    slot: plan.EvidenceSlot,
    action: Action,
    warned: dict[str, Any] | None = None,
) -> list[Reply] | None:
    """The item's form sent back: every box checked, then saved together (a changed box replaces its
    example, a cleared one removes it, a new one adds one). Returns the form again, as typed with each
    problem under its box (so a Slack modal stays open with inline errors), when it must be looked at
    again; None when saved. A warning of identifying details is a problem the first time; sending the
    same examples again (`warned`: what was warned about) saves them as they are."""
    values = {k: clean(str(v or "")) for k, v in action.data.items() if is_box(k)}
    problems = {name: problem for name, text in values.items()
                if text and (problem := example_problem(text, f"{_box_label(turn, app, slot, name)}: "))}  # fmt: skip
    existing = {f"e{item.id}": item for item in applications.list_evidence(turn.session, app.id, slot.key)}
    changed = {n: t for n, t in values.items() if t and (n not in existing or existing[n].text != t)}
    sure = action.data.get("anyway") or (warned is not None and warned.get("values") == values)
    for name, text in changed.items():
        found = identifying_details(text, turn.library.speller.vocabulary)
        if found and not sure and name not in problems:
            problems[name] = (f"This seems to contain {', '.join(found)}. Evidence should not identify service "
                              "users: rephrase it, or send the form again as it is to save it anyway.")  # fmt: skip
    if problems:
        state["pending_save"] = {"slot": slot.key, "values": values}  # kept for reopening as typed
        note = " ".join(dict.fromkeys(problems.values()))
        [reply] = [r for r in open_item(turn, app, state, slot, values, note=f"{note}\n") if r.form]
        return [reply.model_copy(update={"form": reply.form.again(action, problems) if reply.form else None})]
    for name, text in values.items():
        if name in existing and not text:
            applications.delete_evidence(turn.session, app.id, existing[name].id)
        elif name in existing:
            existing[name].text = text
        elif text:
            applications.add_evidence(turn.session, app.id, slot.key, text)
    return None


def is_box(name: str) -> bool:
    """A form box holding an example: e<id> (one already saved) or new<k>."""
    return (name.startswith("e") and name[1:].isdigit()) or (
        name.startswith(NEW) and name[len(NEW) :].isdigit()
    )


def _box_label(turn: Turn, app: Application, slot: plan.EvidenceSlot, name: str) -> str:
    field = next((f for f in item_form(turn, app, slot).fields if f.name == name), None)
    return field.label if field else "An example"


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
