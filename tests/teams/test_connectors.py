"""The Bot Connector clients are kept across turns (bot/teams/connectors.py): one turn after another,
the replies reach the Bot Connector over the connection the first one opened, where botbuilder's
client for each turn opened a new one for every reply (a TLS handshake each, in a real tenant)."""

from __future__ import annotations

from tests.fakes.bot_connector import BotConnector
from tests.teams.conftest import Teams

WORKER, MANAGER = "worker@medway.example", "tm@medway.example"


async def test_one_turn_after_another_replies_over_one_connection(
    teams: Teams, connector: BotConnector
) -> None:
    for question in ("how much is SCP 39?", "who signs off progression?", "what do I need for level 3?"):
        assert await teams.say(WORKER, question)
    assert await teams.say(MANAGER, "how much is SCP 39?")  # someone else's turn: the same client
    peers = [r.peer for r in connector.log]
    assert len(peers) >= 4 and None not in peers
    assert len(set(peers)) == 1, peers
