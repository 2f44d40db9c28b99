"""HR's part of the chat: panels, broadcasts and their reach, unanswered questions; and muting
broadcasts, which anyone may do. Only the HR role may manage panels and broadcasts; anyone else is told so.

`on_text` and `on_action` return None for anything that is not theirs, so the conversation routes on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from dialogs import broadcast, delegation, leavers, panels, process_hr, reach
from dialogs.messages import Action, Attachment, Reply, button
from dialogs.spreadsheet import csv_text
from dialogs.turn import Turn
from dialogs.when import long_date
from storage.unanswered import unanswered_since

HR_ROLES = ("hr", "admin")
MAX_LISTED = 25
_COMMANDS = [
    ("hr_menu", re.compile(r"^(hr|hr menu|hr tools)\W*$")),
    ("panel_list", re.compile(r"^(panels|list panels|manage panels|panel dates)\W*$")),
    ("panel_save", re.compile(r"^(add|new|create|set up) (a )?panel\W*$")),
    ("broadcast_list", re.compile(r"^(broadcasts|list broadcasts|my broadcasts|sent broadcasts)\W*$")),
    ("broadcast_compose", re.compile(r"^(broadcast|new broadcast|send a broadcast|announce)(\s*[:\-]\s*|\s+|\W*$)")),
    ("hr_leaver", re.compile(r"^(deactivate|leaver|mark leaver|mark as (a )?leaver)\s+(?P<email>\S+@\S+?)\W*$")),
    ("hr_unanswered", re.compile(r"^(unanswered|unanswered questions)(\s+(?P<weeks>\d{1,2})\s*weeks?)?\W*$")),
    ("hr_posts", re.compile(r"^(posts|list posts|who holds posts|post holders)\W*$")),
    ("hr_post", re.compile(r"^(assign post|post)\s+(?=.*\S@\S)")),
    ("hr_post_release", re.compile(r"^(release post|remove post)\s+(?=.*\S@\S)")),
    ("hr_local", re.compile(r"^(record )?local procedure\s*[:\-]?\s*")),
    ("broadcast_mute", re.compile(r"^(mute|mute broadcasts|stop broadcasts|no more broadcasts)\W*$")),
    ("broadcast_unmute", re.compile(r"^(unmute|un-mute|unmute broadcasts|un-mute broadcasts|resume broadcasts)\W*$")),
]  # fmt: skip
ANYONE = {"broadcast_mute", "broadcast_unmute"}
HR_ONLY_TEXT = ("hr_posts", "hr_post", "hr_post_release", "hr_local")


def on_text(turn: Turn, text: str) -> list[Reply] | None:
    lowered = text.strip().lower()
    for name, pattern in _COMMANDS:
        match = pattern.match(lowered)
        if match is None:
            continue
        if name in ("panel_list", "hr_menu", *HR_ONLY_TEXT) and not is_hr(turn):
            return None  # a worker saying "panels" or "HR" gets an answer, not a refusal
        data: dict[str, str | int | None] = {}
        if name in ("broadcast_compose", "hr_post", "hr_post_release", "hr_local"):
            data["text"] = text.strip()[match.end() :]
        if name == "hr_leaver":
            data["email"] = match.group("email")
        if name == "hr_unanswered" and match.group("weeks"):
            data["weeks"] = int(match.group("weeks"))
        return on_action(turn, Action(name=name, data=data))
    return None


def on_action(turn: Turn, action: Action) -> list[Reply] | None:
    name = action.name
    if not name.startswith(("panel_", "broadcast_", "hr_")):
        return None
    if name == "broadcast_mute":
        return broadcast.mute(turn)
    if name == "broadcast_unmute":
        return broadcast.unmute(turn)
    if not is_hr(turn):
        return [
            Reply(
                text="Only HR can manage panels and broadcasts. If you think you should, please ask your HR team."
            )
        ]
    handler = _HANDLERS.get(name)
    if handler is None:
        return [Reply(text="I don't recognise that button; it may be from an older version of a message.")]
    return handler(turn, action)


def is_hr(turn: Turn) -> bool:
    return turn.person.role in HR_ROLES


def menu(turn: Turn, _action: Action) -> list[Reply]:
    buttons = [button("Panels", "panel_list"), button("New broadcast", "broadcast_compose", "primary"),
               button("Broadcasts and reach", "broadcast_list"), button("Unanswered questions", "hr_unanswered"),
               button("Posts", "hr_posts"), button("Out of office", "hr_delegations")]  # fmt: skip
    text = ("HR tools: panels, broadcasts and their reach, questions I couldn't answer, who holds the posts "
            "the policy names, and who is out of office (with their cover). To pass a waiting decision to someone else, say 'reassign <number> to <email>' "
            "(the numbers are in 'status'); to take a leaver off the roster, 'deactivate <email>'.")  # fmt: skip
    return [Reply(text=text, buttons=buttons)]


def _weeks(action: Action) -> int:
    try:
        return min(52, max(1, int(action.data.get("weeks") or 4)))
    except (TypeError, ValueError):
        return 4


def unanswered(turn: Turn, action: Action) -> list[Reply]:
    """Questions declined or answered with low confidence in the last few weeks, week by week."""
    weeks = _weeks(action)
    monday = turn.today - timedelta(days=turn.today.weekday())
    since = monday - timedelta(weeks=weeks - 1)
    entries = unanswered_since(turn.session, turn.org, _midnight(since, turn))
    if not entries:
        return [Reply(text=f"No unanswered questions in the last {weeks} week(s).")]
    by_week: dict[date, list[str]] = defaultdict(list)
    for entry in entries:
        day = entry.asked_at.date()
        by_week[day - timedelta(days=day.weekday())].append(
            f"• {entry.question[:200]} ({entry.reason.replace('_', ' ')})"
        )
    lines, shown = [f"Unanswered questions at {turn.pack.organisation.short_name}, last {weeks} week(s):"], 0
    for week in sorted(by_week, reverse=True):
        lines.append(f"Week of {long_date(week)}: {len(by_week[week])}")
        for line in by_week[week][: max(0, MAX_LISTED - shown)]:
            lines.append(line)
            shown += 1
    more = len(entries) - shown
    if more > 0:
        lines.append(f"…and {more} more in the CSV.")
    download = button("Download CSV", "hr_unanswered_csv", weeks=weeks)
    return [Reply(text="\n".join(lines), buttons=[download])]


def _midnight(day: date, _turn: Turn) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def unanswered_csv(turn: Turn, action: Action) -> list[Reply]:
    weeks = _weeks(action)
    since = turn.today - timedelta(days=turn.today.weekday()) - timedelta(weeks=weeks - 1)
    entries = unanswered_since(turn.session, turn.org, _midnight(since, turn))
    rows = [
        [entry.asked_at.date() - timedelta(days=entry.asked_at.weekday()), entry.asked_at.isoformat(),
         entry.reason, entry.question]
        for entry in entries
    ]  # fmt: skip
    content = csv_text(["week_of", "asked_at", "reason", "question"], rows)
    attachment = Attachment(
        filename=f"unanswered-{turn.org}-{turn.today}.csv", content=content, media_type="text/csv"
    )
    return [Reply(text=f"{len(entries)} unanswered question(s) (CSV attached).", attachment=attachment)]


Handler = Callable[[Turn, Action], list[Reply]]
_HANDLERS: dict[str, Handler] = {
    "hr_menu": menu,
    "hr_unanswered": unanswered,
    "hr_unanswered_csv": unanswered_csv,
    "hr_posts": process_hr.listing,
    "hr_delegations": lambda turn, _action: delegation.listing(turn),
    "hr_post": process_hr.assign,
    "hr_post_release": process_hr.release,
    "hr_local": process_hr.record_local,
    "hr_leaver": leavers.confirm,
    "hr_leaver_confirm": leavers.deactivate,
    "panel_list": lambda turn, _action: panels.listing(turn),
    "panel_save": panels.on_action,
    "panel_change": panels.on_action,
    "panel_cancel": panels.on_action,
    "broadcast_compose": broadcast.compose,
    "broadcast_audience": broadcast.choose_audience,
    "broadcast_send": broadcast.send_now,
    "broadcast_schedule": broadcast.schedule,
    "broadcast_cancel": broadcast.cancel,
    "broadcast_remind": broadcast.remind,
    "broadcast_report": reach.report,
    "broadcast_csv": reach.export,
    "broadcast_list": lambda turn, _action: reach.listing(turn),
}
