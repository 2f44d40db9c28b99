"""Progression panels HR publishes: add, change, cancel, list; and "when is the next panel?" answered
from these records (the policy's own wording answers it while no date is set)."""

from __future__ import annotations

import re

from dialogs.messages import Action, Form, FormField, Reply, button
from dialogs.turn import Turn
from dialogs.when import long_date, parse_date
from storage import audit
from storage.panels import add_panel, cancel_panel, change_panel, get_panel, upcoming_panels
from storage.tables import Panel

_NEXT_PANEL = re.compile(
    r"\b(when|what date|which date|date|dates|next|upcoming|coming up)\b.*\bpanels?\b"
    r"|\bpanels?\b.*\b(when|date|dates|next|deadline|sit|sits|meet|meets|meeting)\b",
    re.I,
)
_NOT_WHEN = re.compile(r"\b(who|how many|what happens|how does|how do|what is a|what's a)\b", re.I)
MAX_FIELD = 500
FIELDS = {"sits_on": "Panel date", "submission_deadline": "Submission deadline", "location": "Where",
          "members": "Who sits", "notes": "Notes"}  # fmt: skip


def asks_for_next_panel(text: str) -> bool:
    return bool(_NEXT_PANEL.search(text)) and not _NOT_WHEN.search(text)


def answer_next_panel(turn: Turn, text: str) -> list[Reply] | None:
    """The next panels from HR's records, or None (let the policy answer) when none is set."""
    if not asks_for_next_panel(text):
        return None
    upcoming = upcoming_panels(turn.session, turn.org, turn.today)
    if not upcoming:
        return None
    first, rest = upcoming[0], upcoming[1:4]
    lines = [f"The next progression panel sits on {describe(first)}"]
    if rest:
        lines.append("After that: " + "; ".join(describe(panel) for panel in rest) + ".")
    lines.append(f"(From {turn.pack.organisation.short_name} HR's panel schedule.)")
    return [Reply(text="\n".join(lines))]


def describe(panel: Panel) -> str:
    parts = [long_date(panel.sits_on)]
    if panel.location:
        parts.append(f"at {panel.location}")
    if panel.submission_deadline:
        parts.append(f"submissions by {long_date(panel.submission_deadline)}")
    text = ", ".join(parts)
    if panel.members:
        text += f" (panel: {panel.members})"
    if panel.notes:
        text += f". {panel.notes}"
    return text


def listing(turn: Turn) -> list[Reply]:
    upcoming = upcoming_panels(turn.session, turn.org, turn.today)
    add = button("Add a panel", "panel_save", "primary")
    if not upcoming:
        return [Reply(text="No upcoming panels are set yet.", buttons=[add])]
    replies = [Reply(text=f"Upcoming panels ({len(upcoming)}):")]
    for panel in upcoming[:10]:
        buttons = [button("Change", "panel_change", panel=panel.id),
                   button("Cancel panel", "panel_cancel", "danger", panel=panel.id)]  # fmt: skip
        replies.append(Reply(text=f"• {describe(panel)}", buttons=buttons))
    replies.append(Reply(text="Add another?", buttons=[add]))
    return replies


def on_action(turn: Turn, action: Action) -> list[Reply]:
    if action.name == "panel_change":
        return _change_form(turn, action)
    if action.name == "panel_cancel":
        return _cancel(turn, action)
    return _save(turn, action)


def _form(panel: Panel | None) -> Form:
    """Adding a panel, or changing one: its fields hold what is recorded now."""
    now = {"sits_on": panel.sits_on.isoformat(),
           "submission_deadline": panel.submission_deadline.isoformat() if panel.submission_deadline else "",
           "location": panel.location or "", "members": panel.members or "",
           "notes": panel.notes or ""} if panel else {}  # fmt: skip
    fields = [
        FormField(name="sits_on", label="Panel date", kind="date", multiline=False, required=panel is None),
        FormField(name="submission_deadline", label="Submission deadline (optional)", kind="date",
                  multiline=False, required=False),
        FormField(name="location", label="Where (optional)", multiline=False, required=False, max_length=MAX_FIELD),
        FormField(name="members", label="Who sits (optional)", required=False, max_length=MAX_FIELD),
        FormField(name="notes", label="Notes (optional)", required=False, max_length=MAX_FIELD),
    ]  # fmt: skip
    fields = [f.model_copy(update={"value": now.get(f.name, "")}) for f in fields]
    data = {} if panel is None else {"panel": panel.id}
    title = "Add a panel" if panel is None else "Change the panel"
    return Form(title=title, fields=fields, submit=Action(name="panel_save", data=data))


def _change_form(turn: Turn, action: Action) -> list[Reply]:
    panel = _panel(turn, action)
    if panel is None:
        return [Reply(text="I can't find that panel (it may have been cancelled).")]
    return [
        Reply(
            text=f"Change the panel of {describe(panel)}. A box left empty stays as it is.", form=_form(panel)
        )
    ]


def _panel(turn: Turn, action: Action) -> Panel | None:
    try:
        panel = get_panel(turn.session, int(action.data.get("panel") or 0))
    except (TypeError, ValueError):
        return None
    return panel if panel is not None and panel.org_id == turn.org and not panel.cancelled else None


def _save(turn: Turn, action: Action) -> list[Reply]:
    data = {name: str(action.data.get(name) or "").strip()[:MAX_FIELD] for name in FIELDS}
    changing = action.data.get("panel") is not None
    panel = _panel(turn, action) if changing else None
    if changing and panel is None:
        return [Reply(text="I can't find that panel (it may have been cancelled).")]
    if not any(data.values()):
        problem = "Change at least one box." if panel else "A panel needs its date."
        return [Reply(text="Tell me about the panel.", form=_form(panel).again(action, {"sits_on": problem}))]
    values, problems = _values(data, panel)
    if problems:
        text = "Please check the form: " + " ".join(problems.values())
        return [Reply(text=text, form=_form(panel).again(action, problems))]
    if panel is None:
        sits_on = values.pop("sits_on")
        panel = add_panel(turn.session, turn.org, sits_on, created_by=turn.person.id, **values)  # type: ignore[arg-type]
        done = "Panel added"
    else:
        change_panel(turn.session, panel.id, values)
        turn.session.refresh(panel)
        done = "Panel changed"
    audit.record(
        turn.session, turn.org, done.lower().replace(" ", "_"), turn.person.id, detail={"panel": panel.id}
    )
    announce = f"Progression panel: {describe(panel)}."
    # The broadcast records the panel it announces, so its deadline reminder is this panel's.
    buttons = [button("Broadcast it", "broadcast_compose", "primary", text=announce, panel=panel.id),
               button("All panels", "panel_list")]  # fmt: skip
    return [Reply(text=f"{done}: {describe(panel)}.", buttons=buttons)]


def _values(data: dict[str, str], panel: Panel | None) -> tuple[dict[str, object], dict[str, str]]:
    """The values to record, or the problem with each box that can't be (by field name)."""
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    for name in ("sits_on", "submission_deadline"):
        if data[name]:
            day = parse_date(data[name])
            if day is None:
                problems[name] = (
                    f"I couldn't read {data[name]!r} as a date: please write it like 14 June 2027."
                )
            else:
                values[name] = day
    if panel is None and "sits_on" not in values and "sits_on" not in problems:
        problems["sits_on"] = "A panel needs its date."
    if problems:
        return {}, problems
    for name in ("location", "members", "notes"):
        if data[name] or panel is None:
            values[name] = data[name]
    sits_on = values.get("sits_on", panel.sits_on if panel else None)
    deadline = values.get("submission_deadline", panel.submission_deadline if panel else None)
    if sits_on and deadline and deadline > sits_on:  # type: ignore[operator]
        return {}, {
            "submission_deadline": "The submission deadline comes after the panel date: please check them."
        }
    return values, {}


def _cancel(turn: Turn, action: Action) -> list[Reply]:
    try:
        panel = get_panel(turn.session, int(action.data.get("panel") or 0))
    except (TypeError, ValueError):
        panel = None
    if panel is None or panel.org_id != turn.org:
        return [Reply(text="I can't find that panel.")]
    if not cancel_panel(turn.session, panel.id):
        return [Reply(text=f"The panel of {long_date(panel.sits_on)} was already cancelled.")]
    audit.record(turn.session, turn.org, "panel_cancelled", turn.person.id, detail={"panel": panel.id})
    note = f"Progression panel of {long_date(panel.sits_on)} is cancelled."
    return [Reply(text=f"Cancelled the panel of {long_date(panel.sits_on)}.",
                  buttons=[button("Tell people", "broadcast_compose", text=note, panel=panel.id)])]  # fmt: skip
