"""Evidence in a modal: one competency's examples at once, with the personal-data warning, each one
checked and saved by the core exactly as if it had been typed."""

from __future__ import annotations

from tests.slack.conftest import SlackWorkspace
from tests.slack.test_medway_application import click, last_with_button, say


async def test_examples_entered_in_a_modal_are_saved_and_checked(workspace: SlackWorkspace) -> None:
    await say(workspace, "UWORKER", "I want to go for level 3")
    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Continue"), "Continue")
    prompt = last_with_button(workspace, "DWORKER", "Write examples in a form")
    assert "Please give about 3 examples" in prompt["text"]

    await click(workspace, "UWORKER", prompt, "Write examples in a form")
    view = workspace.fake.of("views.open")[-1]["view"]
    assert "Please give about 3 examples" in str(view["blocks"][0])  # the competency being evidenced
    assert "must not identify service users" in str(view["blocks"][1])
    assert [b["block_id"] for b in view["blocks"][2:]] == ["example1", "example2", "example3"]

    before = len(workspace.posts("DWORKER"))
    examples = {
        "example1": "In a complex case I led the assessment work myself and the plan was agreed at review.",
        "example2": "I chaired the strategy discussion and the family plan was agreed with partners.",
        "example3": "",  # left blank: not sent
    }
    response = await workspace.submit("UWORKER", view, examples)
    assert response.status == 200
    await workspace.settle()
    said = [p["text"] for p in workspace.posts("DWORKER")[before:]]
    assert said[0].startswith("Saved example 1 for") and said[1].startswith("Saved example 2 for")
    assert len(said) == 2

    await click(workspace, "UWORKER", last_with_button(workspace, "DWORKER", "Write examples in a form"),
                "Write examples in a form")  # fmt: skip
    view = workspace.fake.of("views.open")[-1]["view"]
    await workspace.submit("UWORKER", view, {"example1": "I worked with John Smith, born 03/04/2015, at 12 High Street on the plan."})  # fmt: skip
    await workspace.settle()
    assert (
        "Before I save this" in workspace.last_post("DWORKER")["text"]
    )  # the core's privacy check still applies
