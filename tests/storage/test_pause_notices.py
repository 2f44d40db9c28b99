"""A pause notice (NOTIFY pathway_pauses) comes from anyone who can reach the database: one without a time
zone is read as UTC, and one that names no time is ignored, instead of stopping every dispatch pass."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.wakeups import pause_of


def test_a_pause_end_without_a_zone_is_read_as_utc() -> None:
    # The old listener passed it on naive, and the dispatcher's "until > now" raised on every pass.
    assert pause_of("slack 2026-12-08T09:30:00") == ("slack", datetime(2026, 12, 8, 9, 30, tzinfo=UTC))
    assert pause_of("teams 2026-12-08T09:30:00+00:00") == ("teams", datetime(2026, 12, 8, 9, 30, tzinfo=UTC))


def test_a_notice_that_names_no_time_is_ignored() -> None:
    assert pause_of("slack soon") is None
    assert pause_of("") is None
