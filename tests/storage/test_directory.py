import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.columns import utc_now
from storage.db import transaction
from storage.directory import (
    direct_reports,
    ensure_organisation,
    find_identity,
    find_person_by_email,
    find_person_by_identity,
    identities_of,
    line_manager_chain,
    link_identity,
    link_slack_workspace,
    list_people,
    nearest_above,
    organisation_for_slack,
    organisation_for_teams_tenant,
    remove_slack_workspace,
    slack_removal,
    slack_workspaces_of,
)
from storage.tables import Organisation, Person
from tests.storage.concurrency import run_together
from tests.storage.conftest import Staff


def test_email_is_stored_and_found_in_lower_case(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    with transaction(session_factory) as session:
        session.add(Person(org_id="medway", email=" Ann.Lee@Medway.gov.UK ", name="Ann", role="worker"))
    with transaction(session_factory) as session:
        ann = find_person_by_email(session, "medway", "ANN.LEE@medway.gov.uk")
        assert ann is not None and ann.email == "ann.lee@medway.gov.uk"
        assert find_person_by_email(session, "bcc", "ann.lee@medway.gov.uk") is None


def test_organisation_is_found_from_its_workspace_or_tenant(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        session.add(Organisation(id="medway", name="Medway", teams_tenant_id="tenant-9"))
        assert ensure_organisation(session, "medway", "renamed?").name == "Medway"
        link_slack_workspace(session, "medway", "T123")
    with transaction(session_factory) as session:
        assert getattr(organisation_for_slack(session, "T123"), "id", None) == "medway"
        assert getattr(organisation_for_teams_tenant(session, "tenant-9"), "id", None) == "medway"
        assert organisation_for_slack(session, "T999") is None
        assert organisation_for_slack(session, None, "") is None


def test_an_organisation_has_several_workspaces_and_a_grid_answers_for_its_workspaces(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        ensure_organisation(session, "medway")
        ensure_organisation(session, "bcc")
        link_slack_workspace(session, "medway", "T0CHILDREN")
        link_slack_workspace(session, "medway", "T0ADULTS")
        link_slack_workspace(session, "bcc", "E0BIRMINGHAM")  # installed org-wide in an Enterprise Grid
    with transaction(session_factory) as session:
        assert slack_workspaces_of(session, "medway") == ["T0ADULTS", "T0CHILDREN"]
        assert getattr(organisation_for_slack(session, "T0ADULTS"), "id", None) == "medway"
        # A workspace of the Grid that is not linked itself is answered for its Grid's organisation.
        assert getattr(organisation_for_slack(session, "T0GRIDTEAM", "E0BIRMINGHAM"), "id", None) == "bcc"
        # A workspace linked on its own comes first.
        link_slack_workspace(session, "medway", "T0GRIDTEAM")
        assert getattr(organisation_for_slack(session, "T0GRIDTEAM", "E0BIRMINGHAM"), "id", None) == "medway"


def test_identity_links_find_the_person_and_keep_the_address(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    with transaction(session_factory) as session:
        link_identity(session, staff.worker, "slack", "T123", "U1", {"channel": "D1"})
        link_identity(session, staff.worker, "teams", "tenant-9", "29:abc", {"serviceUrl": "https://x"})
    with transaction(session_factory) as session:
        person = find_person_by_identity(session, "slack", "T123", "U1")
        assert person is not None and person.id == staff.worker
        assert find_person_by_identity(session, "slack", "OTHER", "U1") is None
        # Linking again without an address keeps the stored conversation reference.
        again = link_identity(session, staff.worker, "slack", "T123", "U1")
        assert again.address == {"channel": "D1"}
        assert [identity.platform for identity in identities_of(session, staff.worker)] == ["slack", "teams"]


def test_relinking_moves_the_identity(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        link_identity(session, staff.worker, "slack", "T123", "U1", {"channel": "D1"})
    with transaction(session_factory) as session:
        moved = link_identity(session, staff.other_worker, "slack", "T123", "U1", {"channel": "D2"})
        assert (moved.person_id, moved.address) == (staff.other_worker, {"channel": "D2"})
    with transaction(session_factory) as session:
        identity = find_identity(session, "slack", "T123", "U1")
        assert identity is not None and identity.person_id == staff.other_worker
        assert identities_of(session, staff.worker) == []


def test_people_are_listed_by_role_team_framework_and_level(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    with transaction(session_factory) as session:

        def names(**filters: object) -> list[str]:
            return [person.name for person in list_people(session, "medway", **filters)]  # type: ignore[arg-type]

        assert names(roles=["worker"]) == ["Wendy", "Will"]
        assert names(roles=["manager", "service_manager"]) == ["Mo", "Sam"]
        assert names(team="Duty", level="3") == ["Will"]
        assert names(framework="adults") == []
        session.get_one(Person, staff.other_worker).active = False
        session.flush()
        assert names(roles=["worker"]) == ["Wendy"]
        assert names(roles=["worker"], include_inactive=True) == ["Wendy", "Will"]
        assert [person.name for person in direct_reports(session, staff.manager)] == ["Wendy"]


def test_line_manager_chain_and_nearest_service_manager(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    with transaction(session_factory) as session:
        assert [person.name for person in line_manager_chain(session, staff.worker)] == ["Mo", "Sam"]
        found = nearest_above(session, staff.worker, ["service_manager"])
        assert found is not None and found.id == staff.service_manager
        assert nearest_above(session, staff.worker, ["hr"]) is None
        assert line_manager_chain(session, staff.service_manager) == []


@pytest.mark.timeout(10)
def test_a_loop_in_the_chain_does_not_hang(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        session.get_one(Person, staff.service_manager).line_manager_id = staff.worker
    with transaction(session_factory) as session:
        assert [person.name for person in line_manager_chain(session, staff.worker)] == ["Mo", "Sam"]


@pytest.mark.parametrize(
    "order", [("tokens_revoked", "app_uninstalled"), ("app_uninstalled", "tokens_revoked")]
)
def test_a_removal_is_first_once_and_an_uninstall_says_how_in_either_order(
    session_factory: sessionmaker[Session], order: tuple[str, str]
) -> None:
    with transaction(session_factory) as session:
        ensure_organisation(session, "medway")
        link_slack_workspace(session, "medway", "T0GONE")
    firsts = []
    for event in order:
        with transaction(session_factory) as session:
            removal, first = remove_slack_workspace(session, "T0GONE", event, utc_now())
            firsts.append(first)
    assert firsts == [True, False]
    with transaction(session_factory) as session:
        removal = slack_removal(session, "T0GONE")
        assert removal is not None and (removal.event, removal.org_id) == ("app_uninstalled", "medway")
        assert organisation_for_slack(session, "T0GONE") is None


def test_both_removal_events_at_once_record_one_removal(session_factory: sessionmaker[Session]) -> None:
    """Slack's two events for one uninstall are handled concurrently: neither fails on the other's row,
    and exactly one of them is the first."""
    with transaction(session_factory) as session:
        ensure_organisation(session, "medway")
        link_slack_workspace(session, "medway", "T0GONE")

    def remove(event: str) -> bool:
        with transaction(session_factory) as session:
            return remove_slack_workspace(session, "T0GONE", event, utc_now())[1]

    firsts = run_together(lambda: remove("tokens_revoked"), lambda: remove("app_uninstalled"))
    assert sorted(firsts) == [False, True]
    with transaction(session_factory) as session:
        assert getattr(slack_removal(session, "T0GONE"), "event", None) == "app_uninstalled"
