"""Questions over the real bolt stack: in a DM, as a channel mention (answered in thread), by /pathway."""

from __future__ import annotations

from tests.slack.conftest import SlackWorkspace


async def test_a_question_in_a_dm_is_answered_as_block_kit(workspace: SlackWorkspace) -> None:
    response = await workspace.dm("UWORKER", "how much is SCP 39?")
    assert response.status == 200
    await workspace.settle()
    post = workspace.last_post("DWORKER")
    assert "£32,800" in post["text"]  # the plain-text fallback carries the whole answer
    blocks = post["blocks"]
    assert blocks[0]["type"] == "section" and "£32,800" in blocks[0]["text"]["text"]
    assert blocks[-1]["type"] == "context" and "Source:" in blocks[-1]["elements"][0]["text"]
    assert "thread_ts" not in post or post["thread_ts"] is None
    assert [c["user"] for c in workspace.fake.of("users.info")] == ["UWORKER"]


async def test_a_mention_in_a_channel_is_answered_in_its_thread(workspace: SlackWorkspace) -> None:
    await workspace.mention("UWORKER", "what do I need for level 3?")
    await workspace.settle()
    post = workspace.last_post("C0GENERAL")
    assert "Level 3 Social Worker" in post["text"]
    event_ts = workspace.fake.of("chat.postMessage")[-1]["thread_ts"]
    assert event_ts, "a channel mention is answered in a thread"
    assert len(post["blocks"]) >= 3  # answer, detail, sources


async def test_slash_command_answers_only_the_asker(workspace: SlackWorkspace) -> None:
    response = await workspace.command("UWORKER", "how much is SCP 39?")
    assert response.status == 200
    await workspace.settle()
    answers = workspace.fake.of("response_url")
    assert answers and "£32,800" in answers[-1]["text"] and answers[-1]["response_type"] == "ephemeral"
    assert not workspace.fake.of("chat.postMessage")


async def test_someone_not_on_the_roster_is_told_clearly(workspace: SlackWorkspace) -> None:
    await workspace.dm("USTRANGER", "how much is SCP 39?")
    await workspace.settle()
    assert "can't find you on Medway" in workspace.last_post("DSTRANGER")["text"]
