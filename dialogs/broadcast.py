"""HR broadcasts: compose, choose the audience, preview how many it reaches, send now or schedule,
remind non-submitters before a panel deadline, cancel a scheduled one; and mute / un-mute for anyone.

A broadcast is a row (draft -> scheduled -> sending -> sent, or cancelled). Going out means one outbox
row per recipient with the key broadcast:<id>:<person>, so it fans out once however often it is pressed
or released, and the dispatcher delivers each copy once. The copies are queued in order of person id:
the first FIRST_CHUNK in the releasing transaction (HR's turn), so sending starts as soon as it commits;
a larger audience's rest by `fan_out_rest`, a chunk per transaction, resuming after the last person
queued (after a crash, too), while the first copies are already going out.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from dialogs import audience
from dialogs.messages import FORM_KEY, Action, Card, CardField, Form, FormField, Reply, button, whole_number
from dialogs.panels import describe as describe_panel
from dialogs.turn import Turn
from dialogs.when import DEFAULT_TIME, UK, long_date, parse_date, parse_time, uk_moment
from dialogs.wording import counted
from knowledge.library import Library
from knowledge.models import Pack
from storage import audit, broadcasts, directory, mutes, outbox
from storage.db import transaction
from storage.panels import get_panel, upcoming_panels
from storage.tables import Broadcast, Panel

MAX_BROADCAST = 3000
FIRST_CHUNK = 500  # copies queued in the releasing transaction: a few seconds of sending at Slack's pace
CHUNK = 1000  # copies queued per transaction after that
REMIND_DAYS_BEFORE = 7
MUTE = button("Mute broadcasts", "broadcast_mute")


def compose(turn: Turn, action: Action) -> list[Reply]:
    """A new broadcast's text, from a button (a panel's "Broadcast it", which names its panel), the
    compose form, or typed after 'broadcast:'."""
    text = str(action.data.get("text") or "").strip()
    form = Form(title="New broadcast", fields=[FormField(name="text", label="Message", max_length=MAX_BROADCAST)],
                submit=Action(name="broadcast_compose"))  # fmt: skip
    if not text:
        return [
            Reply(
                text="What should the broadcast say?",
                form=form.again(action, {"text": "Please write the message."}),
            )
        ]
    if len(text) > MAX_BROADCAST:
        problem = f"That's {len(text):,} characters; please keep a broadcast under {MAX_BROADCAST:,}."
        return [Reply(text=problem, form=form.again(action, {"text": problem}))]
    panel = _announced_panel(turn, action)
    draft = broadcasts.create_broadcast(
        turn.session, turn.org, text, {"kind": "everyone"}, created_by=turn.person.id, status="draft",
        panel_id=panel.id if panel else None,
    )  # fmt: skip
    return [Reply(text="Who should get it?", buttons=audience_buttons(draft.id))]


def _announced_panel(turn: Turn, action: Action) -> Panel | None:
    """The panel a "Broadcast it" (or a cancelled panel's "Tell people") announces; cancelled or not."""
    chosen = action.data.get("panel")
    found = get_panel(turn.session, whole_number(chosen) or 0) if chosen is not None else None
    return found if found is not None and found.org_id == turn.org else None


def audience_buttons(broadcast_id: int) -> list[Any]:
    choices = [("Everyone", "everyone", None), ("Children's framework", "framework", "children"),
               ("Adults' framework", "framework", "adults"), ("A team…", "team", None),
               ("A level…", "level", None), ("A grade…", "grade", None),
               ("Eligible or nearly eligible for next level", "ready", None)]  # fmt: skip
    return [
        button(label, "broadcast_audience", broadcast=broadcast_id, kind=kind, value=value)
        for label, kind, value in choices
    ]


def choose_audience(turn: Turn, action: Action) -> list[Reply]:
    draft = _own(turn, action)
    if draft is None:
        return [Reply(text="I can't find that broadcast.")]
    kind, value = str(action.data.get("kind") or ""), action.data.get("value")
    if kind not in audience.KINDS:
        return [Reply(text="Please choose one of these.", buttons=audience_buttons(draft.id))]
    if kind in ("team", "level", "grade") and not value:
        return _values_for(turn, draft.id, kind)
    if not broadcasts.set_audience(turn.session, draft.id, {"kind": kind, "value": value}):
        return [
            Reply(text="That broadcast has already gone out or been scheduled, so its audience is fixed.")
        ]
    return preview(turn, draft)


def _values_for(turn: Turn, broadcast_id: int, kind: str) -> list[Reply]:
    teams, grades = directory.teams_and_grades(turn.session, turn.org)
    options = {"team": [(t, t) for t in teams], "grade": [(g, g) for g in grades],
               "level": [(lv.name, lv.id) for lv in turn.pack.levels]}[kind]  # fmt: skip
    if not options:
        return [Reply(text=f"The roster has no {kind}s recorded.", buttons=audience_buttons(broadcast_id))]
    buttons = [button(label, "broadcast_audience", broadcast=broadcast_id, kind=kind, value=value)
               for label, value in options[:25]]  # fmt: skip
    return [Reply(text=f"Which {kind}?", buttons=buttons)]


def preview(turn: Turn, draft: Broadcast) -> list[Reply]:
    reached, muted = audience.recipients(turn.session, turn.pack, turn.org, draft.audience, turn.today)
    stranded = [r.problem for r in reached if r.problem]
    reachable = [r for r in reached if r.problem is None]
    channels = _by_channel([r.channel for r in reachable])
    fields = [CardField(label="Audience", value=audience.describe(turn.pack, draft.audience)),
              CardField(label="Reaches", value=f"{counted(len(reachable), 'person', 'people')} ({channels or 'nobody'})")]  # fmt: skip
    if muted:
        fields.append(
            CardField(
                label="Muted",
                value=f"{counted(muted, 'person has', 'people have')} muted broadcasts and won't get it",
            )
        )
    if stranded:
        fields.append(CardField(label="Can't reach", value=f"{len(stranded):,}: {stranded[0]}"))
    # Sending and scheduling act on the audience this preview shows, not one chosen since.
    shown: dict[str, str | int | None] = {"broadcast": draft.id, "audience": audience_version(draft)}
    reaches = counted(len(reachable), "person", "people")
    send = button("Send now", "broadcast_send", "primary", **shown).confirming(
        f"Send this broadcast to {reaches} now?",
        f"It goes at once to {audience.describe(turn.pack, draft.audience)} and can't be called back.",
        "Yes, send it",
    )
    buttons = [send, button("Schedule…", "broadcast_schedule", "default", **shown),
               button("Change audience", "broadcast_audience", broadcast=draft.id, kind="", value=None),
               button("Discard", "broadcast_cancel", "danger", broadcast=draft.id)]  # fmt: skip
    if not reachable:  # nothing to send or schedule: offer another audience
        buttons = buttons[2:]
    card = Card(title="Broadcast preview", fields=fields, body=draft.text, buttons=buttons)
    # The text is the card's plain fallback (it opens with the card's title), so a channel that draws the
    # card shows the preview once.
    summary = f"This will reach {counted(len(reachable), 'person', 'people')} ({channels or 'nobody'})."
    if stranded:
        summary += f" {len(stranded):,} more can't be reached: {stranded[0]}."
    return [Reply(text=f"{card.title}. {summary}\n{draft.text}", card=card, card_fallback=True)]


def audience_version(draft: Broadcast) -> str:
    """A short mark of the audience a preview showed, carried by its Send and Schedule buttons."""
    return hashlib.sha256(json.dumps(draft.audience, sort_keys=True).encode()).hexdigest()[:12]


def _previewed(turn: Turn, draft: Broadcast, action: Action) -> list[Reply] | None:
    """None when the pressed button came from a preview of the audience the draft has now; else
    what to say: it was for another audience, and here is the preview as it stands."""
    if draft.status != "draft" or action.data.get("audience") == audience_version(draft):
        return None
    return [Reply(text="That button was from a preview of another audience: the audience has changed since, "
                       "so nothing was sent. Here is the broadcast as it stands:"), *preview(turn, draft)]  # fmt: skip


def _by_channel(channels: list[str]) -> str:
    counts = {c: channels.count(c) for c in sorted(set(channels))}
    return ", ".join(f"{count:,} on {channel}" for channel, count in counts.items())


def send_now(turn: Turn, action: Action) -> list[Reply]:
    draft = _own(turn, action)
    if draft is None:
        return [Reply(text="I can't find that broadcast.")]
    elsewhere = _previewed(turn, draft, action)
    if elsewhere is not None:
        return elsewhere
    if not broadcasts.schedule_broadcast(turn.session, draft.id, turn.now):
        return [Reply(text=f"That broadcast is already {draft.status}.", buttons=[_report(draft.id)])]
    sent = release(turn.session, turn.library, draft, turn.now)
    audit.record(
        turn.session, turn.org, "broadcast_sent", turn.person.id, detail={"broadcast": draft.id, "to": sent}
    )
    return [
        Reply(
            text=f"Sending to {counted(sent, 'person', 'people')} now.",
            buttons=[_report(draft.id), *_remind_offer(turn, draft)],
        )
    ]


def schedule(turn: Turn, action: Action) -> list[Reply]:
    draft = _own(turn, action)
    if draft is None:
        return [Reply(text="I can't find that broadcast.")]
    elsewhere = _previewed(turn, draft, action)
    if elsewhere is not None:
        return elsewhere
    form = schedule_form(draft)
    when, problems = _moment(turn, action)
    if when is None:
        shown = form.again(action, problems)
        return [Reply(text=" ".join(problems.values()) if problems else "When should it go out?", form=shown)]
    if not broadcasts.schedule_broadcast(turn.session, draft.id, when):
        return [Reply(text=f"That broadcast is already {draft.status}.")]
    audit.record(turn.session, turn.org, "broadcast_scheduled", turn.person.id,
                 detail={"broadcast": draft.id, "for": when.isoformat()})  # fmt: skip
    cancel = button("Cancel it", "broadcast_cancel", "danger", broadcast=draft.id)
    return [Reply(text=f"Scheduled for {uk_moment(when)}.", buttons=[cancel, *_remind_offer(turn, draft)])]


def schedule_form(draft: Broadcast) -> Form:
    """The day and time it goes out (UK), each with the platform's own picker."""
    fields = [FormField(name="on", label="Day it goes out", kind="date", multiline=False),
              FormField(name="at", label="Time it goes out (UK time)", kind="time", multiline=False,
                        value=f"{DEFAULT_TIME:%H:%M}")]  # fmt: skip
    data = {"broadcast": draft.id, "audience": audience_version(draft)}
    return Form(
        title="Schedule the broadcast", fields=fields, submit=Action(name="broadcast_schedule", data=data)
    )


def _moment(turn: Turn, action: Action) -> tuple[datetime | None, dict[str, str]]:
    """The moment the form names, or the problem with each box (none at all: the form not sent yet)."""
    day_text, time_text = (str(action.data.get(name) or "").strip() for name in ("on", "at"))
    if not action.data.get(FORM_KEY) and not day_text:
        return None, {}
    problems: dict[str, str] = {}
    day = parse_date(day_text) if day_text else None
    if day is None:
        problems["on"] = f"I couldn't read {day_text!r} as a date." if day_text else "Please choose the day."
    at = parse_time(time_text or f"{DEFAULT_TIME:%H:%M}")
    if at is None:
        problems["at"] = f"I couldn't read {time_text!r} as a time of day (e.g. 09:30)."
    if day is None or at is None:
        return None, problems
    when = datetime.combine(day, at, tzinfo=UK).astimezone(UTC)
    if when <= turn.now:
        return None, {"on": f"{uk_moment(when)} has passed: please choose a time to come."}
    return when, {}


def cancel(turn: Turn, action: Action) -> list[Reply]:
    found = _own(turn, action)
    if found is None:
        return [Reply(text="I can't find that broadcast.")]
    for status in ("draft", "scheduled"):
        if broadcasts.change_broadcast_status(turn.session, found.id, status, "cancelled"):
            audit.record(
                turn.session, turn.org, "broadcast_cancelled", turn.person.id, detail={"broadcast": found.id}
            )
            return [Reply(text="Discarded." if status == "draft" else "Cancelled: it won't go out.")]
    if found.status == "cancelled":
        return [Reply(text="That broadcast was already cancelled.")]
    return [
        Reply(
            text="That broadcast has already gone out, so it can't be called back.",
            buttons=[_report(found.id)],
        )
    ]


def _remind_offer(turn: Turn, sent: Broadcast) -> list[Any]:
    """A button to remind non-submitters before a panel's deadline, when there is one ahead: the
    deadline of the panel the broadcast announces, or for a broadcast that names none, the next
    panel's (the button says which panel)."""
    ahead = [p for p in upcoming_panels(turn.session, turn.org, turn.today)
             if p.submission_deadline and p.submission_deadline > turn.today]  # fmt: skip
    if sent.panel_id is not None:
        ahead = [p for p in ahead if p.id == sent.panel_id]
    panel = ahead[0] if ahead else None
    if panel is None or panel.submission_deadline is None or sent.audience.get("not_submitted"):
        return []
    label = (f"Remind non-submitters {REMIND_DAYS_BEFORE} days before the {long_date(panel.submission_deadline)} "
             f"deadline (panel of {long_date(panel.sits_on)})")  # fmt: skip
    return [button(label, "broadcast_remind", broadcast=sent.id, panel=panel.id)]


def remind(turn: Turn, action: Action) -> list[Reply]:
    """Schedule a reminder to the same audience, less anyone who has submitted by then."""
    original = _own(turn, action)
    panel = next((p for p in upcoming_panels(turn.session, turn.org, turn.today)
                  if p.id == action.data.get("panel")), None)  # fmt: skip
    if original is None or panel is None or panel.submission_deadline is None:
        return [Reply(text="That panel or broadcast is no longer there.")]
    key = f"reminder:{original.id}:{panel.id}"
    if any(
        b.audience.get("reminder") == key for b in broadcasts.recent_broadcasts(turn.session, turn.org, 50)
    ):
        return [Reply(text="That reminder is already scheduled.")]
    day = panel.submission_deadline - timedelta(days=REMIND_DAYS_BEFORE)
    when = max(turn.now, datetime.combine(day, datetime.min.time(), UK).replace(hour=9))
    text = (f"Reminder: submissions for the progression panel of {describe_panel(panel)} close on "
            f"{long_date(panel.submission_deadline)}.")  # fmt: skip
    reminder = broadcasts.create_broadcast(
        turn.session, turn.org, text, {**original.audience, "not_submitted": True, "reminder": key},
        created_by=turn.person.id, scheduled_for=when,
    )  # fmt: skip
    return [Reply(text=f"I'll remind those who haven't submitted on {uk_moment(when)}.",
                  buttons=[button("Cancel the reminder", "broadcast_cancel", "danger", broadcast=reminder.id)])]  # fmt: skip


def _own(turn: Turn, action: Action) -> Broadcast | None:
    try:
        found = broadcasts.get_broadcast(turn.session, int(action.data.get("broadcast") or 0))
    except (TypeError, ValueError):
        return None
    return found if found is not None and found.org_id == turn.org else None


def _report(broadcast_id: int) -> Any:
    return button("Reach report", "broadcast_report", broadcast=broadcast_id)


def release(session: Session, library: Library, scheduled: Broadcast, now: datetime) -> int:
    """Start fanning a due broadcast out to its audience as it stands now; returns how many people it
    reaches. The first FIRST_CHUNK copies are queued in this transaction, the rest by `fan_out_rest`.
    The conditional status change means two releasers (servers) cannot both start it."""
    if not broadcasts.change_broadcast_status(session, scheduled.id, "scheduled", "sending"):
        return 0
    pack = library.packs[scheduled.org_id]
    everyone = _recipient_ids(session, pack, scheduled, now)
    _queue(session, pack, scheduled, everyone[:FIRST_CHUNK], now)
    if len(everyone) <= FIRST_CHUNK:
        broadcasts.change_broadcast_status(session, scheduled.id, "sending", "sent")
    return len(everyone)


def fan_out_rest(sessions: sessionmaker[Session], library: Library, now: datetime) -> int:
    """Queue the rest of every broadcast still being fanned out, CHUNK copies per transaction, so the
    dispatchers send the first while later ones are queued, and a crash loses nothing (the next pass
    resumes after the last person queued). Servers doing this at once take turns, a chunk each: the
    broadcast's row is locked while a chunk is queued. Returns how many copies were queued."""
    with transaction(sessions) as session:
        started = [
            b.id for b in broadcasts.broadcasts_due(session, now, "sending") if b.org_id in library.packs
        ]
    queued = 0
    for broadcast_id in started:
        with transaction(sessions) as session:
            found = broadcasts.get_broadcast(session, broadcast_id)
            assert found is not None
            pack = library.packs[found.org_id]
            everyone = _recipient_ids(session, pack, found, now)
        done = False
        while not done:
            with transaction(sessions) as session:
                locked = broadcasts.lock_broadcast(session, broadcast_id)
                if locked is None or locked.status != "sending":  # another server finished it
                    break
                after = outbox.last_broadcast_recipient(session, broadcast_id) or 0
                todo = [person_id for person_id in everyone if person_id > after][:CHUNK]
                queued += _queue(session, pack, locked, todo, now)
                done = not todo or todo[-1] == everyone[-1]
                if done:
                    broadcasts.change_broadcast_status(session, broadcast_id, "sending", "sent")
    return queued


def _recipient_ids(session: Session, pack: Pack, broadcast: Broadcast, now: datetime) -> list[int]:
    """Who the broadcast reaches as things stand, in the order their copies are queued."""
    people = audience.members(session, pack, broadcast.org_id, broadcast.audience, now.date())
    return sorted(p.id for p in people if not p.muted_broadcasts)


def _queue(session: Session, pack: Pack, broadcast: Broadcast, person_ids: list[int], now: datetime) -> int:
    payload = _message(pack, broadcast.text).model_dump(mode="json")
    rows = [{"org_id": broadcast.org_id, "channel": r.channel, "address": r.address, "kind": "broadcast",
             "payload": payload, "idempotency_key": f"broadcast:{broadcast.id}:{r.person.id}",
             "recipient_person_id": r.person.id, "broadcast_id": broadcast.id, "due_at": now,
             "failed_because": r.problem}
            for r in audience.reach(session, person_ids)]  # fmt: skip
    return outbox.enqueue_many(session, rows)


def _message(pack: Pack, text: str) -> Reply:
    return Reply(text=f"📣 {pack.organisation.short_name} HR: {text}", buttons=[MUTE])


def release_due(session: Session, library: Library, now: datetime) -> int:
    """Start every scheduled broadcast whose time has come (run periodically, with `fan_out_rest`);
    returns how many people they reach."""
    return sum(release(session, library, due, now) for due in broadcasts.broadcasts_due(session, now)
               if due.org_id in library.packs)  # fmt: skip


def mute(turn: Turn) -> list[Reply]:
    mutes.mute(turn.session, turn.person.id)
    return [Reply(text="Broadcasts muted. Messages about your own applications and decisions will still reach you.",
                  buttons=[button("Un-mute broadcasts", "broadcast_unmute")])]  # fmt: skip


def unmute(turn: Turn) -> list[Reply]:
    if not mutes.unmute(turn.session, turn.person.id):
        return [Reply(text="You haven't muted broadcasts, so you already get them.")]
    return [Reply(text="Broadcasts un-muted: you'll get HR's announcements again.", buttons=[MUTE])]
