"""msrest's retry policy, built for every Bot Framework client botbuilder creates (two a turn), is
built from a frozenset once Teams is set up (bot/teams/retry_codes.py): the same codes retried."""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy

from bot.teams.retry_codes import make_retry_codes_cheap

MSREST_SAFE_CODES = [i for i in range(500) if i != 408] + [501, 505]  # msrest 0.7's list


def test_the_retry_policy_is_the_same_and_built_from_a_set() -> None:
    make_retry_codes_cheap()
    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    assert sorted(ClientRetryPolicy.safe_codes) == sorted(MSREST_SAFE_CODES)
    expected = [i for i in range(999) if i not in MSREST_SAFE_CODES]
    assert ClientRetryPolicy().policy.status_forcelist == expected
