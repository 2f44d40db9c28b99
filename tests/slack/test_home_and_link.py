"""The App Home tab for each role, the workspace -> organisation link, and forms as modals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.runtime import Runtime
from storage import directory
from storage.db import transaction
from storage.tables import Organisation
from tests.slack.conftest import TEAM, SlackWorkspace, find_button
from tests.slack.test_medway_application import submit_application


async def open_home(workspace: SlackWorkspace, user: str) -> str:
    await workspace.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"})
    await workspace.settle()
    published = [c for c in workspace.fake.of("views.publish") if c["user_id"] == user]
    assert published, f"no home published for {user}"
    view = published[-1]["view"]
    assert view["type"] == "home"
    return str(view["blocks"])


async def test_home_tab_shows_each_role_what_concerns_them(
    workspace: SlackWorkspace, dispatch: Callable[[], Awaitable[int]]
) -> None:
    assert "You have no application yet" in await open_home(workspace, "UWORKER")
    await submit_application(workspace)
    await dispatch()
    assert "It is with Tara Manager for the Line manager's recommendation" in await open_home(
        workspace, "UWORKER"
    )
    manager = await open_home(workspace, "UMANAGER")
    assert "Waiting for your decision" in manager and "Wendy Worker" in manager

    # Deciding from the Home tab: the card in the DM shows the decision and the tab is redrawn.
    home_view = workspace.fake.of("views.publish")[-1]["view"]
    element = find_button(home_view["blocks"], "Progressed")
    published = len(workspace.fake.of("views.publish"))
    payload = {"type": "block_actions", "user": {"id": "UMANAGER", "team_id": TEAM}, "team": {"id": TEAM},
               "trigger_id": "trigger-home", "container": {"type": "view", "view_id": "V1"},
               "actions": [{**element, "block_id": "b", "action_ts": "1.0"}]}  # fmt: skip
    assert (await workspace.interactive(payload)).status == 200
    await workspace.settle()
    assert len(workspace.fake.of("views.publish")) == published + 1  # the tab is redrawn
    modal = workspace.fake.of("views.open")[-1]["view"]  # what the Manager Authorisation form records
    await workspace.submit(
        "UMANAGER", modal, {"competencies": "met", "attendance_punctuality_diversity": "have"}
    )
    await workspace.settle()
    update = workspace.fake.of("chat.update")[-1]
    assert update["text"] == "Recorded: Progressed (Line manager's recommendation)."
    assert update["ts"] == workspace.posts("DMANAGER")[0]["ts"]
    assert "Waiting for your decision" not in await open_home(workspace, "UMANAGER")

    hr = await open_home(workspace, "UHR")
    assert "Applications by stage" in hr and "Waiting for the Authorisation (1): Wendy Worker" in hr
    assert "can't find you" in await open_home(workspace, "USTRANGER")


async def test_not_approve_opens_a_modal_whose_submission_decides_and_updates_the_card(
    workspace: SlackWorkspace, dispatch: Callable[[], Awaitable[int]]
) -> None:
    await submit_application(workspace)
    await dispatch()
    card = workspace.last_post("DMANAGER")
    await workspace.click("UMANAGER", card, "NOT progressed")
    await workspace.settle()
    view = workspace.fake.of("views.open")[-1]["view"]
    assert view["title"]["text"].startswith("NOT progressed") and all(
        not b["optional"] for b in view["blocks"]
    )
    await workspace.submit(
        "UMANAGER", view, {"competencies": "not met", "attendance_punctuality_diversity": "have",
                           "reasons": "Needs more complex cases", "actions": "Lead two s47s"},
    )  # fmt: skip
    await workspace.settle()
    update = workspace.fake.of("chat.update")[-1]
    assert update["ts"] == card[
        "ts"
    ] and "NOT progressed (Line manager's recommendation) by Tara Manager" in str(update["blocks"])
    await dispatch()
    told = workspace.texts("DWORKER")
    assert "Needs more complex cases" in told and "Lead two s47s" in told

    # Typed text has no trigger to open a modal with: the form comes as a button that opens it.
    await workspace.dm("UWORKER", "review")
    await workspace.settle()
    asked = workspace.last_post("DWORKER")
    assert "Tell me your reasons for asking for a review" in asked["text"]
    await workspace.click("UWORKER", asked, "Request a review")
    await workspace.settle()
    view = workspace.fake.of("views.open")[-1]["view"]
    assert [b["block_id"] for b in view["blocks"]] == ["reasons"]
    await workspace.submit("UWORKER", view, {"reasons": "My manager did not see my court work"})
    await workspace.settle()
    # Nobody holds the post the review goes to on this roster: the worker is told so, not that it has gone.
    assert "recorded, for the Assistant Director, Children's Care" in workspace.last_post("DWORKER")["text"]


def test_linking_a_workspace_moves_it_between_organisations(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        assert directory.link_slack_team(session, "nowhere", "T1") is None
        directory.link_slack_team(session, "medway", "T1")
        directory.link_slack_team(session, "bcc", "T1")
    with transaction(sessions) as session:
        organisation = directory.organisation_for_slack_team(session, "T1")
        assert organisation is not None and organisation.id == "bcc"
        medway = session.get(Organisation, "medway")
        assert medway is not None and medway.slack_team_id is None


def test_pathway_slack_link_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("PATHWAY_DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(cli, ["slack", "link", "--org", "nowhere", "--team", "T1"]).exit_code == 2
    assert runner.invoke(cli, ["slack", "link", "--org", "medway", "--team", "not a team"]).exit_code == 2
    result = runner.invoke(cli, ["slack", "link", "--org", "medway", "--team", "T0MEDWAY"])
    assert result.exit_code == 0, result.output
    assert "Medway" in result.output
    from storage import db

    with db.session_factory(db.make_engine(url))() as session:
        assert session.scalars(select(Organisation.slack_team_id)).one() == "T0MEDWAY"


async def test_a_reply_slack_refuses_goes_to_the_outbox(
    workspace: SlackWorkspace, runtime: Runtime, dispatch: Callable[[], Awaitable[int]]
) -> None:
    workspace.fake.fail_next("chat.postMessage", status=503)  # the in-turn client retries only 429s and drops
    await workspace.dm("UWORKER", "how much is SCP 39?")
    await workspace.settle()
    assert not workspace.posts("DWORKER")
    assert await dispatch() == 1
    assert "£32,800" in workspace.last_post("DWORKER")["text"]
