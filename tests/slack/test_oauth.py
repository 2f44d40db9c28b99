"""Pathway installed in several Slack workspaces through bolt's OAuth flow, over HTTP on loopback: the
installer's browser goes to /slack/install, on to (the fake) Slack's install page and back to
/slack/oauth_redirect; each workspace then answers its own people with its own bot token, outbound
messages find people by email in their own organisation's workspaces, rotating tokens are refreshed
once however many ask, and an install link that does not belong to the browser is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.dispatch import Dispatcher
from bot.operations import link_workspace
from bot.runtime import Runtime
from bot.settings import Settings
from bot.slack import mount as slack_mount
from knowledge.library import Library
from storage import directory, outbox
from storage.db import transaction
from storage.tables import OutboxMessage
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlackApi, Install
from tests.slack.conftest import SECRET, SlackWorkspace

MEDWAY = Install(team="T0MEDWAY", name="Medway Children's Services")
BCC = Install(team="T0BCC", name="Birmingham Children's Trust")
GRID = Install(
    team=None, name="", enterprise="E0BCC", enterprise_name="Birmingham City Council", org_wide=True
)


@dataclass
class Deployment:
    """`pathway serve` in OAuth mode, the browser of whoever installs it, and Slack's side."""

    runtime: Runtime
    fake: FakeSlackApi
    server: TestServer
    browser: aiohttp.ClientSession
    app: web.Application

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    async def install(self, install: Install) -> tuple[int, str]:
        """Start at /slack/install, approve in Slack, come back: the page the installer ends on."""
        self.fake.installing = install
        async with self.browser.get(self.url("/slack/install")) as response:
            return response.status, await response.text()

    def workspace(self, team: str, enterprise: str | None = None) -> SlackWorkspace:
        turns = self.app[slack_mount.SLACK_KEY].turns
        return SlackWorkspace(self.url("/slack/events"), self.fake, self.browser, turns, team, enterprise)

    async def dispatch(self) -> int:
        senders = slack_mount.senders(self.runtime)
        try:
            return await Dispatcher(self.runtime.sessions, {s.channel: s for s in senders}).run_once()
        finally:
            for sender in senders:
                await sender.close()

    def queue(self, org: str, email: str, text: str) -> None:
        """A message for someone who has never talked to Pathway: only their roster email is known."""
        with transaction(self.runtime.sessions) as session:
            person = directory.find_person_by_email(session, org, email)
            assert person is not None
            outbox.enqueue(session, org_id=org, channel="slack", address={"email": email}, kind="message",
                           payload={"text": text}, idempotency_key=f"{org}:{email}:{text}",
                           recipient_person_id=person.id)  # fmt: skip


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi(team_id="T0NOBODY")  # every token is a workspace's own: none is "the" workspace
    fake.add_user("UWORKER", "worker@medway.example", team="T0MEDWAY", name="Wendy")
    fake.add_user("UTARA", "tm@medway.example", team="T0MEDWAY", name="Tara")
    fake.add_user("UWILL", "worker@bcc.example", team="T0BCC", name="Will")
    fake.add_user("UMO", "manager@bcc.example", team="T0BCC", name="Mo")
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def deployment(
    sessions: sessionmaker[Session], library: Library, fake: FakeSlackApi
) -> AsyncIterator[Deployment]:
    settings = Settings(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET, slack_signing_secret=SECRET,
                        slack_api_url=fake.base_url, slack_answer_processes=0)  # fmt: skip
    runtime = Runtime(settings, library, sessions)
    app = web.Application()
    note = slack_mount.mount(app, runtime)
    assert "workspaces installed at GET /slack/install" in note
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    fake.redirect_uri = str(server.make_url("/slack/oauth_redirect"))  # the app's Redirect URL
    # A browser: keeps the state cookie (Secure, as bolt sets it) for this loopback origin.
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[str(server.make_url("/"))])
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        yield Deployment(runtime, fake, server, browser, app)
    await server.close()


def posts_to(fake: FakeSlackApi, channel: str) -> list[tuple[str, str]]:
    """(token, text) of every message posted to `channel`."""
    return [(c.token, str(c.params.get("text"))) for c in fake.calls
            if c.method == "chat.postMessage" and c.params.get("channel") == channel]  # fmt: skip


def token_of(fake: FakeSlackApi, team: str) -> str:
    return next(g.token for g in fake.grants.values() if team in (g.install.team, g.install.enterprise))


async def test_two_workspaces_for_two_councils_each_answer_with_their_own_token(
    deployment: Deployment,
) -> None:
    link_workspace(deployment.runtime, "medway", "slack", "T0MEDWAY")  # linked before it was installed
    status, page = await deployment.install(MEDWAY)
    assert (
        status == 200
        and "Pathway is installed in Medway Children" in page
        and "answers for medway" in page.lower()
    )
    status, page = await deployment.install(BCC)
    assert status == 200 and "pathway slack link --org ORG --team T0BCC" in page  # not linked yet
    link_workspace(deployment.runtime, "bcc", "slack", "T0BCC")
    fake = deployment.fake
    medway, bcc = token_of(fake, "T0MEDWAY"), token_of(fake, "T0BCC")
    assert medway != bcc
    exchanges = [c.params.get("code") for c in fake.calls if c.method == "oauth.v2.access"]
    assert exchanges == ["code-1", "code-2"]

    in_medway, in_bcc = deployment.workspace("T0MEDWAY"), deployment.workspace("T0BCC")
    await in_medway.dm("UWORKER", "how much is SCP 39?")
    await in_bcc.dm("UWILL", "what grade is level 3?")
    await in_medway.settle()
    [(token, text)] = posts_to(fake, "DWORKER")
    assert token == medway and "39" in text
    [(token, text)] = posts_to(fake, "DWILL")
    assert token == bcc and "BCC" in text  # answered from BCC's policy
    assert set(fake.tokens_used("users.info")) == {medway, bcc}

    # Outbound, to people who never wrote: found by email in their own council's workspace, and sent
    # with its token (the fake shows no workspace another's people).
    deployment.queue("medway", "tm@medway.example", "Your decision is waiting")
    deployment.queue("bcc", "manager@bcc.example", "Your decision is waiting")
    assert await deployment.dispatch() == 2
    assert posts_to(fake, "DTARA") == [(medway, "Your decision is waiting")]
    assert posts_to(fake, "DMO") == [(bcc, "Your decision is waiting")]
    with transaction(deployment.runtime.sessions) as session:
        mo = directory.find_person_by_email(session, "bcc", "manager@bcc.example")
        assert mo is not None
        [identity] = directory.identities_of(session, mo.id)
        assert (identity.tenant, identity.address) == (
            "T0BCC",
            {"team": "T0BCC", "user": "UMO", "channel": "DMO"},
        )


async def test_a_council_with_two_workspaces_finds_its_people_in_either(deployment: Deployment) -> None:
    adults = Install(team="T0MEDADULTS", name="Medway Adults")
    deployment.fake.add_user("USAM", "sm@medway.example", team="T0MEDWAY", name="Sam")
    for install in (MEDWAY, adults):
        assert (await deployment.install(install))[0] == 200
        link_workspace(deployment.runtime, "medway", "slack", str(install.team))
    deployment.queue("medway", "sm@medway.example", "Panel dates are out")
    assert await deployment.dispatch() == 1
    fake = deployment.fake
    adults_token, children_token = token_of(fake, "T0MEDADULTS"), token_of(fake, "T0MEDWAY")
    assert posts_to(fake, "DSAM") == [(children_token, "Panel dates are out")]
    # Looked for in each workspace linked to Medway in turn, until one knew the email.
    assert fake.tokens_used("users.lookupByEmail") == [adults_token, children_token]


async def test_an_enterprise_grid_installed_org_wide_answers_in_each_of_its_workspaces(
    deployment: Deployment,
) -> None:
    fake = deployment.fake
    fake.add_user("UGRIDWILL", "worker@bcc.example", team="T0BCCKIDS", name="Will", enterprise="E0BCC")
    fake.add_user("UGRIDMO", "manager@bcc.example", team="T0BCCADULT", name="Mo", enterprise="E0BCC")
    fake.users.pop("UWILL"), fake.users.pop("UMO")
    status, page = await deployment.install(GRID)
    assert status == 200 and "Birmingham City Council (E0BCC)" in page
    link_workspace(deployment.runtime, "bcc", "slack", "E0BCC")  # the whole Grid answers for BCC
    grid = token_of(fake, "E0BCC")

    kids = deployment.workspace("T0BCCKIDS", enterprise="E0BCC")
    await kids.dm("UGRIDWILL", "what grade is level 3?")
    await kids.settle()
    [(token, text)] = posts_to(fake, "DGRIDWILL")
    assert token == grid and "BCC" in text
    deployment.queue("bcc", "manager@bcc.example", "Your decision is waiting")
    assert await deployment.dispatch() == 1
    assert posts_to(fake, "DGRIDMO") == [(grid, "Your decision is waiting")]
    with transaction(deployment.runtime.sessions) as session:
        mo = directory.find_person_by_email(session, "bcc", "manager@bcc.example")
        assert mo is not None
        [identity] = directory.identities_of(session, mo.id)
        assert identity.address == {
            "enterprise": "E0BCC",
            "team": "T0BCCADULT",
            "user": "UGRIDMO",
            "channel": "DGRIDMO",
        }


async def test_a_token_about_to_expire_is_refreshed_once_and_used(deployment: Deployment) -> None:
    fake = deployment.fake
    fake.rotation = True
    fake.lifetime = 90 * 60  # installed with 90 minutes left: within the 2 hours before expiry
    assert (await deployment.install(MEDWAY))[0] == 200
    link_workspace(deployment.runtime, "medway", "slack", "T0MEDWAY")
    [first] = fake.grants
    medway = deployment.workspace("T0MEDWAY")
    # Four people write at once: the token is refreshed once (a refresh token works once), not four times.
    for user, email in (("UW1", "worker@medway.example"), ("UW2", "tm@medway.example"),
                        ("UW3", "sm@medway.example"), ("UW4", "hr@medway.example")):  # fmt: skip
        fake.add_user(user, email, team="T0MEDWAY")
    fake.users.pop("UWORKER"), fake.users.pop("UTARA")
    responses = await asyncio.gather(
        *(medway.dm(user, "how much is SCP 39?") for user in ("UW1", "UW2", "UW3", "UW4"))
    )
    assert [r.status for r in responses] == [200] * 4
    await medway.settle()
    refreshes = [c for c in fake.calls if c.method == "oauth.v2.access" and c.params.get("grant_type")]
    assert [c.params["refresh_token"] for c in refreshes] == [fake.grants[first].refresh_token]
    refreshed = token_of_latest(fake)
    assert refreshed != first
    for user in ("UW1", "UW2", "UW3", "UW4"):
        assert [token for token, _text in posts_to(fake, "D" + user[1:])] == [refreshed]
    # The dispatcher reads the refreshed token (12 hours left now): no second refresh.
    fake.add_user("UNED", "nq@medway.example", team="T0MEDWAY")
    deployment.queue("medway", "nq@medway.example", "Welcome")
    assert await deployment.dispatch() == 1
    assert posts_to(fake, "DNED") == [(refreshed, "Welcome")]
    assert len([c for c in fake.calls if c.method == "oauth.v2.access" and c.params.get("grant_type")]) == 1


def token_of_latest(fake: FakeSlackApi) -> str:
    return list(fake.grants)[-1]


async def test_an_install_that_does_not_belong_to_the_browser_is_refused_with_a_clear_page(
    deployment: Deployment,
) -> None:
    # Someone else's link (a made-up state, no cookie): nothing is traded or installed.
    async with deployment.browser.get(
        deployment.url("/slack/oauth_redirect?code=code-9&state=made-up")
    ) as forged:
        assert forged.status == 400
        page = await forged.text()
    assert "Pathway was not installed" in page and "Nothing was installed" in page
    assert "/slack/install" in page  # where to start again
    # A state this browser holds the cookie for, but already used: refused too.
    deployment.fake.installing = MEDWAY
    async with deployment.browser.get(deployment.url("/slack/install"), allow_redirects=False) as started:
        assert started.status == 302 and started.headers["Location"].startswith(deployment.fake.base_url[:-4])
        cookie = started.cookies["slack-app-oauth-state"].value
    state = cookie  # bolt's cookie holds the state it issued
    headers = {"Cookie": f"slack-app-oauth-state={cookie}"}
    callback = deployment.url(f"/slack/oauth_redirect?code=code-1&state={state}")
    deployment.fake.codes["code-1"] = MEDWAY
    async with aiohttp.ClientSession() as plain:
        async with plain.get(callback, headers=headers) as first:
            assert first.status == 200
        async with plain.get(callback, headers=headers) as replayed:
            assert replayed.status == 401 and "expired or was already used" in await replayed.text()
    assert len(deployment.fake.grants) == 1  # one install


async def test_a_workspace_nobody_installed_gets_no_answer_and_no_token_is_guessed(
    deployment: Deployment,
) -> None:
    link_workspace(deployment.runtime, "medway", "slack", "T0MEDWAY")  # linked, never installed
    deployment.queue("medway", "tm@medway.example", "Your decision is waiting")
    assert await deployment.dispatch() == 1
    with transaction(deployment.runtime.sessions) as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "message"))
        assert row.status == "failed" and "not installed in the Slack workspace T0MEDWAY" in str(
            row.last_error
        )
    assert deployment.fake.of("chat.postMessage") == []


async def test_the_installed_workspaces_are_listed_with_the_council_each_answers_for(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    for install in (MEDWAY, BCC):
        assert (await deployment.install(install))[0] == 200
    link_workspace(deployment.runtime, "medway", "slack", "T0MEDWAY")
    url = deployment.runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    for name, value in {"PATHWAY_DATABASE_URL": url, "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET,
                        "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": deployment.fake.base_url}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    listed = await asyncio.to_thread(CliRunner().invoke, cli, ["slack", "workspaces"])
    assert listed.exit_code == 0, listed.output
    bcc, medway = listed.output.splitlines()  # by workspace id
    assert medway.startswith("T0MEDWAY (Medway Children's Services), installed ")
    assert medway.endswith("answers for medway")
    assert (
        bcc.startswith("T0BCC (Birmingham Children's Trust)")
        and "not linked (pathway slack link --org ORG --team T0BCC)" in bcc
    )
    checked = await asyncio.to_thread(CliRunner().invoke, cli, ["doctor"])
    assert "ok    slack workspaces: installed in 2: " in checked.output
