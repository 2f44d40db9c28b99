"""`pathway chat`: the core in a terminal, or driven by JSON lines, with the console as a delivery channel.

Messages the core queues for other people on the console channel (a manager's card, an outcome) are
delivered here after each turn: printed with who they are for, so one terminal can play every part.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime import Runtime
from dialogs.conversation import Conversation
from dialogs.messages import Action, Button, Incoming, Reply, Sender
from storage import outbox
from storage.db import transaction
from storage.tables import Person


def delivered_on_console(sessions: sessionmaker[Session]) -> list[tuple[str, Reply]]:
    """Send the console channel's due messages (print them, via the caller), oldest first per person."""
    out: list[tuple[str, Reply]] = []
    while True:  # a claim takes one message per person at a time, to keep each person's in order
        with transaction(sessions) as session:
            rows = outbox.claim_due(session, "console", limit=100, channels=["console"])
            if not rows:
                return out
            for row in rows:
                person = session.get(Person, row.recipient_person_id) if row.recipient_person_id else None
                outbox.mark_delivered(session, row)
                email = person.email if person else str(row.address.get("email", ""))
                out.append((email, Reply.model_validate(row.payload)))


def reply_json(to: str, reply: Reply) -> dict[str, Any]:
    body = reply.model_dump(mode="json", exclude_none=True)
    buttons = [*reply.buttons, *(reply.card.buttons if reply.card else [])]
    body["buttons"] = [
        {"label": b.label, "action": b.action.model_dump(mode="json")}
        | ({"confirm": b.confirm.model_dump(mode="json")} if b.confirm else {})
        for b in buttons
    ]
    return {"to": to, **body}


def run_jsonl(runtime: Runtime, lines: Iterable[str], out: TextIO) -> None:
    """One input line: {"as", "org", "text"} or {"as", "org", "action": {"name", "data"}}; replies out as JSON lines."""
    conversation = runtime.conversation("console")
    for line in lines:
        if not line.strip():
            continue
        for to, reply in _turn_from_line(conversation, runtime, line):
            out.write(json.dumps(reply_json(to, reply), ensure_ascii=False) + "\n")
        out.flush()


def _turn_from_line(conversation: Conversation, runtime: Runtime, line: str) -> Iterator[tuple[str, Reply]]:
    try:
        item = json.loads(line)
        who = str(item["as"])
        incoming = Incoming(
            org=str(item["org"]),
            sender=Sender(platform="console", user_id=who),
            text=item.get("text"),
            action=Action.model_validate(item["action"]) if item.get("action") else None,
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
        yield "", Reply(text=f"Each line needs 'as', 'org' and 'text' or 'action': {exc.__class__.__name__}.")
        return
    for reply in conversation.handle(incoming):
        yield who, reply
    yield from delivered_on_console(runtime.sessions)


def run_interactive(runtime: Runtime, org: str, who: str) -> None:
    conversation = runtime.conversation("console")
    print(f"Pathway ({runtime.library.packs[org].organisation.name}), talking as {who}.")
    print("Type a message; /N presses button N; /as EMAIL switches person; /quit ends.\n")
    buttons: list[Button] = []
    while True:
        try:
            line = input(f"{who}> ").strip()
        except EOFError:
            return
        if line in ("/quit", "/exit"):
            return
        if line.startswith("/as "):
            who = line[4:].strip()
            continue
        action = _pressed(line, buttons)
        if line.startswith("/") and action is None:
            print("No such button.")
            continue
        if action is not None and not _confirmed(line, buttons):
            print("Nothing was done.\n")
            continue
        incoming = Incoming(
            org=org,
            sender=Sender(platform="console", user_id=who),
            text=None if action else line,
            action=action,
        )
        replies = [(who, r) for r in conversation.handle(incoming)]
        replies += delivered_on_console(runtime.sessions)
        buttons = _show(replies, who)
        buttons = _fill_forms(replies, buttons, who, conversation, org, runtime)


def _pressed(line: str, buttons: list[Button]) -> Action | None:
    if not line.startswith("/") or not line[1:].isdigit():
        return None
    index = int(line[1:]) - 1
    return buttons[index].action if 0 <= index < len(buttons) else None


def _confirmed(line: str, buttons: list[Button]) -> bool:
    """A decisive button asks first (its Confirmation), as a yes/no question in the terminal."""
    index = int(line[1:]) - 1
    asked = buttons[index].confirm
    if asked is None:
        return True
    answer = input(f"{asked.title} {asked.text} [{asked.yes}: y / {asked.no}: n] ").strip().lower()
    return answer in ("y", "yes")


def _show(replies: list[tuple[str, Reply]], who: str) -> list[Button]:
    buttons: list[Button] = []
    for to, reply in replies:
        prefix = "" if to == who else f"[message for {to}] "
        print(prefix + reply.text)
        if reply.attachment:
            print(f"(attachment {reply.attachment.filename})")
        on_lines = [f.button for f in reply.card.fields if f.button] if reply.card else []
        for button in [*reply.buttons, *on_lines, *(reply.card.buttons if reply.card else [])]:
            buttons.append(button)
            print(f"   /{len(buttons)} {button.label}" + ("" if to == who else f" (as {to})"))
    print()
    return buttons


def _fill_forms(
    replies: list[tuple[str, Reply]],
    buttons: list[Button],
    who: str,
    conversation: Conversation,
    org: str,
    runtime: Runtime,
) -> list[Button]:
    """Ask each box of a form meant for `who`, and send it; a form sent back to be corrected is asked
    again, showing what was entered (Enter keeps it, '-' clears it) and the problem."""
    while (form := next((r.form for to, r in replies if r.form is not None and to == who), None)) is not None:
        data: dict[str, str | int | None] = dict(form.submit.data)
        if any(field.value for field in form.fields):
            print("(Enter keeps what is in [brackets]; '-' clears it.)")
        for field in form.fields:
            if field.kind == "files":
                continue  # a terminal has no files to attach
            hint = {"date": " (e.g. 14 June 2027)", "time": " (e.g. 09:30)"}.get(field.kind, "")
            kept = f" [{field.value}]" if field.value else ""  # Enter keeps it, '-' clears it
            problem = f" ({field.error})" if field.error else ""
            typed = input(f"{field.label}{hint}{problem}{kept}: ")
            data[field.name] = "" if typed == "-" else (typed or field.value)
        action = Action(name=form.submit.name, data=data)
        incoming = Incoming(org=org, sender=Sender(platform="console", user_id=who), action=action)
        replies = [(who, r) for r in conversation.handle(incoming)] + delivered_on_console(runtime.sessions)
        buttons = _show(replies, who)
    return buttons


def read_lines(stream: TextIO = sys.stdin) -> Iterator[str]:
    yield from stream
