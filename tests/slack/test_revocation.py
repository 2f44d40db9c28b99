"""Pathway removed from a Slack workspace: signed `app_uninstalled` and `tokens_revoked` events through the
real bolt stack. The installation's tokens are deleted from slack_sdk's store (OAuth), the workspace is
unlinked from its council (recorded and audited), and what is still addressed there fails at once with
the reason, for the reach report and HR, instead of being retried with a dead token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.operations import link_workspace
from bot.runtime import Runtime
from bot.slack import mount as slack_mount
from bot.slack.revocation import removed_text
from storage import directory, outbox
from storage.db import transaction
from storage.tables import AuditEntry, OutboxMessage
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import SlackWorkspace
from tests.slack.test_oauth import BCC, MEDWAY, Deployment, deployment, fake  # noqa: F401  (fixtures)

REMOVED = "Pathway was removed from Slack workspace T0MEDWAY on "
REVOKED = "Pathway's bot token was revoked in Slack workspace T0MEDWAY on "


def queue(sessions: sessionmaker[Session], org: str, email: str, address: dict[str, str], text: str) -> int:
    with transaction(sessions) as session:
        person = directory.find_person_by_email(session, org, email)
        assert person is not None
        row = outbox.enqueue(session, org_id=org, channel="slack", address=address, kind="message",
                             payload={"text": text}, idempotency_key=f"{org}:{email}:{text}",
                             recipient_person_id=person.id)  # fmt: skip
        return row.id


def row(sessions: sessionmaker[Session], row_id: int) -> OutboxMessage:
    with transaction(sessions) as session:
        found = session.get(OutboxMessage, row_id)
        assert found is not None
        return found


def hr_notices(sessions: sessionmaker[Session], org: str) -> list[str]:
    with transaction(sessions) as session:
        query = select(OutboxMessage).where(OutboxMessage.org_id == org, OutboxMessage.kind == "undelivered")
        return [str(m.payload.get("text")) for m in session.scalars(query)]


def audited(sessions: sessionmaker[Session], org: str) -> list[dict[str, object]]:
    with transaction(sessions) as session:
        query = select(AuditEntry).where(
            AuditEntry.org_id == org, AuditEntry.action == "slack_workspace_removed"
        )
        return [dict(e.detail) for e in session.scalars(query)]


async def installed_two(deployment: Deployment) -> None:  # noqa: F811
    link_workspace(deployment.runtime, "medway", "slack", "T0MEDWAY")
    link_workspace(deployment.runtime, "bcc", "slack", "T0BCC")
    for install in (MEDWAY, BCC):
        status, _page = await deployment.install(install)
        assert status == 200


async def bots(deployment: Deployment, team: str) -> object:  # noqa: F811
    installations = deployment.app[slack_mount.SLACK_KEY].bolt.installation_store
    return await installations.async_find_bot(enterprise_id=None, team_id=team)


async def test_uninstalling_deletes_the_tokens_unlinks_the_council_and_fails_its_deliveries(
    deployment: Deployment,  # noqa: F811
) -> None:
    await installed_two(deployment)
    sessions = deployment.runtime.sessions
    assert await bots(deployment, "T0MEDWAY") is not None
    deployment.fake.uninstall("T0MEDWAY")  # Slack revokes the tokens, then tells the app
    medway = deployment.workspace("T0MEDWAY")
    for event in (
        {"type": "tokens_revoked", "tokens": {"bot": ["UPATHWAYBOT"]}},
        {"type": "app_uninstalled"},
    ):
        response = await medway.event(event)
        assert response.status == 200
    await medway.settle()

    assert await bots(deployment, "T0MEDWAY") is None  # deleted through slack_sdk's installation store
    assert await bots(deployment, "T0BCC") is not None
    with transaction(sessions) as session:
        assert directory.organisation_for_slack(session, "T0MEDWAY") is None
        assert directory.slack_workspaces_of(session, "bcc") == ["T0BCC"]
    # Once, whichever of the two events was handled first; the record says how: uninstalled.
    assert [entry["workspace"] for entry in audited(sessions, "medway")] == ["T0MEDWAY"]
    with transaction(sessions) as session:
        assert getattr(directory.slack_removal(session, "T0MEDWAY"), "event", None) == "app_uninstalled"

    by_email = queue(
        sessions, "medway", "worker@medway.example", {"email": "worker@medway.example"}, "Panel dates"
    )
    by_dm = queue(sessions, "medway", "tm@medway.example",
                  {"team": "T0MEDWAY", "user": "UTARA", "channel": "DTARA"}, "A card for you")  # fmt: skip
    elsewhere = queue(sessions, "bcc", "worker@bcc.example", {"email": "worker@bcc.example"}, "Panel dates")
    await deployment.dispatch()
    for failed in (row(sessions, by_email), row(sessions, by_dm)):
        assert failed.status == "failed" and failed.attempts == 1  # at once, not retried
        assert str(failed.last_error).startswith(REMOVED)
    assert row(sessions, elsewhere).status == "delivered"
    notices = hr_notices(sessions, "medway")
    assert notices and all(REMOVED in n for n in notices)  # HR told, with the reason
    assert not [c for c in deployment.fake.calls if c.method == "chat.postMessage" and c.status != 200]


async def test_revoking_the_bot_token_alone_is_recorded_as_a_revocation(deployment: Deployment) -> None:  # noqa: F811
    await installed_two(deployment)
    medway = deployment.workspace("T0MEDWAY")
    await medway.event({"type": "tokens_revoked", "tokens": {"bot": ["UPATHWAYBOT"]}})
    await medway.settle()
    with transaction(deployment.runtime.sessions) as session:
        removal = directory.slack_removal(session, "T0MEDWAY")
        assert removal is not None and removed_text(removal).startswith(REVOKED)
        assert directory.organisation_for_slack(session, "T0MEDWAY") is None


async def test_revoking_only_user_tokens_leaves_the_workspace_linked(deployment: Deployment) -> None:  # noqa: F811
    await installed_two(deployment)
    medway = deployment.workspace("T0MEDWAY")
    await medway.event({"type": "tokens_revoked", "tokens": {"oauth": ["UINSTALLER"]}})
    await medway.settle()
    with transaction(deployment.runtime.sessions) as session:
        assert directory.slack_workspaces_of(session, "medway") == ["T0MEDWAY"]
    assert await bots(deployment, "T0MEDWAY") is not None


async def test_one_token_mode_uninstall_is_recorded_and_a_new_link_restores_delivery(
    runtime: Runtime,
    workspace: SlackWorkspace,
    fake_slack: FakeSlackApi,
    dispatch: Callable[[], Awaitable[int]],
) -> None:
    fake_slack.uninstall("T0MEDWAY")
    assert (await workspace.event({"type": "app_uninstalled"})).status == 200
    await workspace.settle()
    sessions = runtime.sessions
    assert audited(sessions, "medway") == [{"workspace": "T0MEDWAY", "event": "app_uninstalled"}]
    first = queue(sessions, "medway", "worker@medway.example", {"email": "worker@medway.example"}, "Before")
    await dispatch()
    failed = row(sessions, first)
    assert failed.status == "failed" and str(failed.last_error).startswith(REMOVED)

    fake_slack.removed.clear()  # reinstalled, and the operator links it again
    link_workspace(runtime, "medway", "slack", "T0MEDWAY")
    again = queue(sessions, "medway", "worker@medway.example", {"email": "worker@medway.example"}, "After")
    await dispatch()
    assert row(sessions, again).status == "delivered"
