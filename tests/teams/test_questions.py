"""Questions in a personal chat and by @mention in a channel, over the real endpoint and adapter."""

from __future__ import annotations

from tests.teams.conftest import Teams, words


async def test_question_in_personal_chat_is_answered_as_a_card_with_sources(teams: Teams) -> None:
    replies = await teams.say("worker@medway.example", "how much is SCP 39?")
    assert len(replies) == 1
    card = replies[0].card
    assert card is not None and card["type"] == "AdaptiveCard"
    assert "£" in words(replies) and "medway" in words(replies).lower()
    assert card["fallbackText"].startswith(card["body"][0]["text"])  # text fallback for old clients
    assert teams.connector.lookups == ["29:wendy"]  # the roster match used the member lookup once
    await teams.say("worker@medway.example", "who signs off my application?")
    assert teams.connector.lookups == ["29:wendy"]  # later messages are matched by the linked identity


async def test_channel_mention_is_stripped_and_answered_in_the_thread(teams: Teams) -> None:
    replies = await teams.mention("tm@medway.example", "how much is SCP 39?")
    assert len(replies) == 1 and replies[0].kind == "reply"  # threaded under the question
    assert "£" in replies[0].text
    with_mention = await teams.say("tm@medway.example", "<at>Pathway</at> how much is SCP 39?")
    assert words(with_mention) == replies[0].text  # the same answer as in a personal chat
    assert teams.connector.lookups == ["29:tara"]  # matched to the roster once, in the channel


async def test_someone_not_on_the_roster_gets_a_clear_message(teams: Teams) -> None:
    replies = await teams.say("stranger@medway.example", "how much is SCP 39?")
    assert "can't find you on Medway" in words(replies) and "ask HR" in words(replies)


async def test_unlinked_tenant_is_told_to_ask_hr(teams: Teams) -> None:
    activity = teams.activity("worker@medway.example", text="hello", channelData={"tenant": {"id": "other"}})
    activity["conversation"]["tenantId"] = "other"
    assert (await teams.post(activity)).status == 201
    assert "isn't linked to an organisation" in words(teams.connector.posted(activity["conversation"]["id"]))
