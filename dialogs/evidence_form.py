"""An evidence item's form: one box per example (saved ones as they are, empty ones for more) and a
place for files, opened from the evidence page or the summary; sent back, every box is checked and
the whole item saved together, or the form comes back as typed with each problem under its box."""

from __future__ import annotations

from typing import Any

from dialogs import file_checks, plan
from dialogs.evidence import FILES_FIELD, MAX_EVIDENCE, NEW, PRIVACY, State, cited, example_problem, given
from dialogs.messages import Action, Form, FormField, Reply, button
from dialogs.privacy import clean, identifying_details
from dialogs.turn import Turn
from storage import applications, evidence_files
from storage.tables import Application


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
