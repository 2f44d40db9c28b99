"""The real Slack sender pointed at the loopback fake Slack Web API, and ways to wait on the outbox."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack import mount
from bot.slack.sender import SlackSender
from knowledge.library import Library
from storage import directory
from storage.db import transaction
from storage.tables import OutboxMessage, Person
from tests.fakes.slack_api import FakeSlackApi

TEAM = "T0MEDWAY"


def slack_sender(fake: FakeSlackApi, sessions: sessionmaker[Session]) -> SlackSender:
    settings = Settings(slack_bot_token="xoxb-test", slack_api_url=fake.base_url)
    return mount.senders(Runtime(settings, Library.load(), sessions))[0]


def slack_user(person_id: int) -> str:
    return f"U{person_id:08d}"


def link_everyone_to_slack(sessions: sessionmaker[Session], org: str) -> None:
    """Give every person of `org` a Slack account with a known DM channel, as after their first message."""
    with transaction(sessions) as session:
        for person in session.scalars(select(Person).where(Person.org_id == org)):
            user = slack_user(person.id)
            address = {"team": TEAM, "user": user, "channel": "D" + user[1:]}
            directory.link_identity(session, person.id, "slack", TEAM, user, address)


def posted(fake: FakeSlackApi) -> Counter[str]:
    """Messages that Slack accepted, per channel (a refused call, e.g. a 429, posted nothing)."""
    return Counter(channel for channel, _ts in fake.messages)


def unsettled(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        query = select(func.count()).where(OutboxMessage.status.in_(("pending", "sending")))
        return int(session.scalar(query) or 0)


async def deliver_all(dispatcher: Dispatcher, sessions: sessionmaker[Session], timeout: float = 90) -> float:
    """Run the dispatcher until nothing is left to send; returns the seconds it took. The timeout only stops
    a hung dispatcher failing slowly: it is no speed goal (a loaded CI machine took over 20 s once)."""
    stop = asyncio.Event()
    started = time.monotonic()
    running = asyncio.create_task(dispatcher.run(stop))
    try:
        while await asyncio.to_thread(unsettled, sessions):
            assert time.monotonic() - started < timeout, "the outbox did not drain"
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running
    return time.monotonic() - started
