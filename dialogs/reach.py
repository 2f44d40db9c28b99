"""How far a broadcast got: delivered, still going out, failed and why, by channel; a CSV of every copy;
and the list of recent broadcasts. "Who was reached" is a query over the outbox."""

from __future__ import annotations

from dialogs.messages import Action, Attachment, Reply, button
from dialogs.spreadsheet import csv_text
from dialogs.turn import Turn
from dialogs.when import uk_moment
from dialogs.wording import counted
from storage import broadcasts, outbox
from storage.tables import Broadcast

GOING_OUT = ("pending", "sending")
# channel: where it was sent (or is going); not_found_on: platforms of the organisation looked on first,
# which had nobody with the person's email (dialogs.turn.elsewhere).
CSV_COLUMNS = [
    "name",
    "email",
    "team",
    "channel",
    "status",
    "attempts",
    "delivered_at",
    "error",
    "not_found_on",
]


def _broadcast(turn: Turn, action: Action) -> Broadcast | None:
    try:
        found = broadcasts.get_broadcast(turn.session, int(action.data.get("broadcast") or 0))
    except (TypeError, ValueError):
        return None
    return found if found is not None and found.org_id == turn.org else None


def _headline(text: str, limit: int = 60) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def report(turn: Turn, action: Action) -> list[Reply]:
    found = _broadcast(turn, action)
    if found is None:
        return [Reply(text="I can't find that broadcast.")]
    title = f"“{_headline(found.text)}”"
    if found.status in ("draft", "scheduled", "cancelled"):
        when = f" for {uk_moment(found.scheduled_for)}" if found.status == "scheduled" else ""
        return [Reply(text=f"{title} is {found.status}{when}: nothing has gone out.")]
    counts = outbox.broadcast_reach(turn.session, found.id)
    total = sum(c.count for c in counts)
    delivered = sum(c.count for c in counts if c.status == "delivered")
    going = sum(c.count for c in counts if c.status in GOING_OUT)
    failed = sum(c.count for c in counts if c.status == "failed")
    share = f" ({delivered * 100 // total}%)" if total else ""
    so_far = " so far (the rest are still being queued)" if found.status == "sending" else ""
    lines = [f"{title}, sent {uk_moment(found.scheduled_for)} to {counted(total, 'person', 'people')}{so_far}:",
             f"delivered {delivered:,}{share}, going out {going:,}, failed {failed:,}."]  # fmt: skip
    for channel in sorted({c.channel for c in counts}):
        parts = [f"{_word(c.status)} {c.count:,}" for c in counts if c.channel == channel]
        lines.append(f"• {channel}: " + ", ".join(parts))
    reasons = outbox.failure_reasons(turn.session, found.id)
    if reasons:
        lines.append("Failed because: " + "; ".join(f"{why} ({n:,})" for why, n in reasons[:5]))
    buttons = [button("Refresh", "broadcast_report", broadcast=found.id),
               button("Download CSV", "broadcast_csv", broadcast=found.id)]  # fmt: skip
    return [Reply(text="\n".join(lines), buttons=buttons)]


def _word(status: str) -> str:
    return "going out" if status in GOING_OUT else status


def export(turn: Turn, action: Action) -> list[Reply]:
    found = _broadcast(turn, action)
    if found is None:
        return [Reply(text="I can't find that broadcast.")]
    rows = outbox.broadcast_messages(turn.session, found.id)
    cells = [
        [person.name if person else "", person.email if person else "", (person.team or "") if person else "",
         message.channel, message.status, message.attempts,
         message.delivered_at.isoformat() if message.delivered_at else "", message.last_error or "",
         " ".join(str(p) for p in (message.address or {}).get("not_on") or [])]
        for message, person in rows
    ]  # fmt: skip
    attachment = Attachment(
        filename=f"broadcast-{found.id}-reach.csv",
        content=csv_text(CSV_COLUMNS, cells),
        media_type="text/csv",
    )
    return [
        Reply(
            text=f"Reach of “{_headline(found.text)}”: {len(rows):,} rows (CSV attached).",
            attachment=attachment,
        )
    ]


def listing(turn: Turn) -> list[Reply]:
    recent = broadcasts.recent_broadcasts(turn.session, turn.org)
    if not recent:
        return [Reply(text="No broadcasts yet. Say 'broadcast' to write one.")]
    replies = [Reply(text=f"Recent broadcasts ({len(recent)}):")]
    for item in recent:
        buttons = [button("Reach report", "broadcast_report", broadcast=item.id)]
        if item.status == "scheduled":
            buttons.append(button("Cancel", "broadcast_cancel", "danger", broadcast=item.id))
        when = uk_moment(item.scheduled_for)
        replies.append(Reply(text=f"• {item.status} ({when}): {_headline(item.text)}", buttons=buttons))
    return replies
