"""The send pace all dispatchers share on a channel, so together they stay just under a platform's
rate limit: each claim reserves consecutive send slots; a 429 pauses the channel for everyone. When
sending was not paced, the pace is learnt: the sum of what each refused dispatcher saw getting through
(each reports once per pause). When it was, the pace is cut by HEADROOM instead."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.tables import ChannelPace

HEADROOM = 0.98  # pace this share of the rate that got through
RELEARN = timedelta(seconds=60)  # a pace with no 429 for this long is dropped (the limit may have risen)
MIN_RATE = 0.2


def _locked(session: Session, channel: str) -> ChannelPace | None:
    return session.get(ChannelPace, channel, with_for_update=True, populate_existing=True)


def reserve(session: Session, channel: str, count: int, now: datetime) -> tuple[datetime, float]:
    """Take `count` consecutive send slots: when the first is, and the seconds between them (0: unpaced)."""
    pace = _locked(session, channel)
    if pace is None:
        return now, 0.0
    start = max(pace.next_slot, now)  # a pause may still be running
    if pace.rate is None or pace.limited_at is None or now - pace.limited_at > RELEARN:
        return start, 0.0
    spacing = 1 / pace.rate
    pace.next_slot = start + timedelta(seconds=count * spacing)
    return start, spacing


def limited(
    session: Session, channel: str, now: datetime, retry_after: float, seen_rate: float | None
) -> None:
    """A dispatcher's 429: pause the channel until Retry-After has passed, and add what it saw getting
    through (sends a second, None when it saw too little) to the pace learnt in this pause."""
    session.execute(
        dialect_insert(session, ChannelPace)
        .values(channel=channel, next_slot=now)
        .on_conflict_do_nothing(index_elements=["channel"])
    )
    pace = _locked(session, channel)
    assert pace is not None
    share = max(MIN_RATE, HEADROOM * seen_rate) if seen_rate else None
    if pace.limited_at is None or now - pace.limited_at >= timedelta(seconds=retry_after):  # a new pause
        paced = pace.rate is not None and pace.limited_at is not None and now - pace.limited_at <= RELEARN
        pace.limited_at, pace.learning = now, not paced
        # Paced and still refused: the pace was a little fast, or sends bunched. Cut it; re-learning it
        # from the reports would count only the dispatchers whose sends happened to be refused.
        pace.rate = (pace.rate or 0.0) * HEADROOM if paced else share
    elif share and pace.learning:
        pace.rate = (pace.rate or 0.0) + share
    pace.next_slot = max(pace.next_slot, now + timedelta(seconds=retry_after))
