"""Who a Teams activity is from, as far as the handler must know before the core runs: the tenant's
organisation, and whether the account is already linked to someone Pathway can message (then the
Bot Connector's member look-up for their email is not needed).

Both are kept for a minute, as Slack's workspace links are (bot/slack/turns.py): a turn then needs no
transaction of its own before the core's. Only an account already linked, with somewhere to reach it,
is kept: an account seen for the first time is looked up every time until the core links it. A tenant
linked or moved by `pathway teams link` in another process is seen within the minute.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from storage import directory
from storage.db import transaction

KEEP_SECONDS = 60.0
MAX_KEPT = 50_000


@dataclass(frozen=True)
class Account:
    org: str  # "" when the tenant is linked to no organisation
    linked: bool  # the account is linked to someone on a roster
    reachable: bool  # and Pathway has a conversation to message them in


class Accounts:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._orgs: dict[str, tuple[float, str]] = {}
        self._reachable: dict[tuple[str, str], float] = {}

    def kept(self, tenant: str, user_id: str) -> Account | None:
        """The account as last looked up, if that was less than a minute ago and it was reachable."""
        now = time.monotonic()
        org = self._orgs.get(tenant)
        if org is not None and org[0] > now and self._reachable.get((tenant, user_id), 0.0) > now:
            return Account(org[1], linked=True, reachable=True)
        return None

    def lookup(self, tenant: str, user_id: str) -> Account:
        """Read from the database (blocking: call in a thread), and kept if it is reachable."""
        now = time.monotonic()
        with transaction(self.sessions) as session:
            organisation = directory.organisation_for_teams_tenant(session, tenant) if tenant else None
            identity = directory.find_identity(session, "teams", tenant, user_id)
        account = Account(organisation.id if organisation else "", identity is not None,
                          bool(identity and identity.address))  # fmt: skip
        self._keep(tenant, user_id, account, now + KEEP_SECONDS)
        return account

    def _keep(self, tenant: str, user_id: str, account: Account, until: float) -> None:
        if len(self._reachable) >= MAX_KEPT:
            self._reachable.clear()
        self._orgs[tenant] = (until, account.org)
        if account.linked and account.reachable:
            self._reachable[(tenant, user_id)] = until
