"""The send pace all dispatchers share on a channel, so together they stay just under a platform's rate
limit. One row per channel, locked briefly by each claim.

- A 429 pauses the channel for every dispatcher until its Retry-After has passed (`limited`): the
  pause is announced to all of them at once (storage.wakeups), and a claim during it takes nothing
  (`look`), so nobody sends into it.
- The pace is learnt from bursts: sending that was not paced, up to a 429. Once per pause, each
  dispatcher reports how many of its sends in the burst got through and when the first was sent: on
  its own 429, or on hearing of the pause, or at its next claim, so no dispatcher goes uncounted.
  When the pause is over, the sum is an estimate of what the platform allows in a WINDOW.
- Platforms count in fixed windows, and a burst that straddles the end of one gets more through. A
  burst that took a WINDOW or longer certainly straddled, and is not used. One that took less may have
  (the first, or one after a burst that did not); but then the next burst starts early in a window,
  after a pause as long as the window, and either fits in it or takes longer than a WINDOW. So the
  smaller of two estimates from bursts shorter than a WINDOW is what the platform allows, and the pace
  is set just under it.
- A 429 soon after the pace was set means the estimate was still too high (bursts run at uneven
  speeds): one more burst is measured. A 429 after the pace held for a while comes from sends bunching
  on the way (or a lower limit): the pace is cut a little. A pace with no 429 for RELEARN is dropped
  (the limit may have risen) and learnt afresh.
- Known limit: the argument for the smaller of two needs a burst to fill a window in under half of it,
  i.e. to send at least twice as fast as the platform allows. Against a limit near what the
  dispatchers can send at all, a burst that starts where the last pause ended straddles every time,
  the estimate stays too high and paced 429s recur (benchmark, --rate 500 with one dispatcher on two
  cores: +24-29% over the floor). Slack's and Teams' limits are far below that.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.tables import ChannelPace
from storage.wakeups import announce_pause

HEADROOM = 0.98  # pace this share of the estimate: leeway for sends bunching on the way
RELEARN = timedelta(seconds=60)  # a pace with no 429 for this long is dropped (the limit may have risen)
MIN_RATE = 0.2
BURSTS = 2  # estimates to take the smallest of before pacing
SOON = timedelta(seconds=3)  # a 429 this soon after the pace was set: the estimate was too high
MIN_EVIDENCE = 5  # sends that got through, over all dispatchers, needed to make an estimate
WINDOW = timedelta(seconds=1)  # the platform's counting window, as Retry-After's whole seconds suggest
LOOKBACK = 2 * WINDOW  # how far back a report looks, for a burst with no pause before it

# A dispatcher's own sends on the channel that got through, sent in [start, end): how many, and when
# the first was sent (POSIX seconds; None if none).
Successes = Callable[[datetime, datetime], tuple[int, float | None]]


def _locked(session: Session, channel: str) -> ChannelPace | None:
    return session.get(ChannelPace, channel, with_for_update=True, populate_existing=True)


def look(session: Session, channel: str, worker: str, now: datetime, successes: Successes) -> datetime | None:
    """Before a claim: report this dispatcher's part in a pause it has not reported yet, learn what a
    finished pause taught, and say until when the channel is paused (None: it is not)."""
    pace = _locked(session, channel)
    if pace is None:
        return None
    _report(pace, worker, successes)
    if pace.pause_until is not None and now < pace.pause_until:
        return pace.pause_until
    _after_pause(pace)
    return None


def reserve(session: Session, channel: str, count: int, now: datetime) -> tuple[datetime, float]:
    """Take `count` consecutive send slots: when the first is, and the seconds between them (0: unpaced)."""
    pace = _locked(session, channel)
    if pace is None:
        return now, 0.0
    start = max(pace.next_slot, now)  # a pause may still be running
    if pace.rate is not None and pace.limited_at is not None and now - pace.limited_at > RELEARN:
        _forget(pace)
    if pace.rate is None:
        return start, 0.0
    spacing = 1 / pace.rate
    pace.next_slot = start + timedelta(seconds=count * spacing)
    return start, spacing


def limited(
    session: Session, channel: str, worker: str, now: datetime, retry_after: float, successes: Successes
) -> datetime:
    """A dispatcher's 429, come at `now`: pause the channel until Retry-After has passed, report this
    dispatcher's part, and return when the pause ends. The first 429 sets the pause: sends already in
    flight are refused too, a little later, in the same window of the platform's."""
    session.execute(
        dialect_insert(session, ChannelPace)
        .values(channel=channel, next_slot=now, reports={})
        .on_conflict_do_nothing(index_elements=["channel"])
    )
    pace = _locked(session, channel)
    assert pace is not None
    if pace.pause_until is None or now >= pace.pause_until:  # a new pause
        _after_pause(pace)
        paced = pace.rate is not None
        if paced and pace.resumed_at is not None and now - pace.resumed_at < SOON:
            pace.rate = None  # measure one more burst
        elif paced:
            pace.rate = max(MIN_RATE, HEADROOM * (pace.rate or 0.0))
        pace.limited_at, pace.learning, pace.reports = now, not paced, {}
        pace.pause_until = now + timedelta(seconds=retry_after)
        pace.next_slot = max(pace.next_slot, pace.pause_until)
        announce_pause(session, channel, pace.pause_until)  # every dispatcher stops sending at once
    _report(pace, worker, successes)
    return pace.pause_until


def _stretch(pace: ChannelPace) -> tuple[datetime, datetime]:
    """The burst the current pause ended: from the end of the pause before it (or LOOKBACK) to the
    first 429. Every send the platform let through before refusing was sent before that 429 came back
    (sends are counted by when they were sent); a few sent just before may have got into the next
    window, which can only make an estimate too high, and the smaller of two is taken."""
    assert pace.limited_at is not None
    start = pace.limited_at - LOOKBACK
    if pace.resumed_at is not None:
        start = max(start, pace.resumed_at)
    return start, pace.limited_at


def _report(pace: ChannelPace, worker: str, successes: Successes) -> None:
    if not pace.learning or worker in pace.reports:
        return
    count, first = successes(*_stretch(pace))
    pace.reports = {**pace.reports, worker: [count, first]}  # a new dict, so the change is saved


def _after_pause(pace: ChannelPace) -> None:
    if pace.learning:
        _learn(pace)
    pace.resumed_at = pace.pause_until


def _learn(pace: ChannelPace) -> None:
    """The pause is over: a burst shorter than a WINDOW makes an estimate; from the second, the
    smallest sets the pace."""
    assert pace.limited_at is not None
    pace.learning = False
    got_through = sum(count for count, _first in pace.reports.values())
    began = min((first for _count, first in pace.reports.values() if first is not None), default=None)
    if (
        got_through < MIN_EVIDENCE
        or began is None
        or pace.limited_at.timestamp() - began >= WINDOW.total_seconds()
    ):
        return
    estimate = got_through / WINDOW.total_seconds()
    pace.estimate = estimate if pace.estimate is None else min(pace.estimate, estimate)
    pace.bursts += 1
    if pace.bursts >= BURSTS:
        pace.rate = max(MIN_RATE, HEADROOM * pace.estimate)


def _forget(pace: ChannelPace) -> None:
    pace.rate, pace.estimate, pace.bursts = None, None, 0
