"""Who is who: organisations, people, their chat identities and their line-management chain."""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.slack_tables import SlackRemoval, SlackWorkspace
from storage.tables import Identity, Organisation, Person, Platform, Role

# A chain deeper than this is a data error; stop rather than walk for ever.
MAX_CHAIN_LENGTH = 50
IN_LIST = 1000  # ids per IN list, well inside the databases' limits


def get_organisation(session: Session, org_id: str) -> Organisation | None:
    return session.get(Organisation, org_id)


def ensure_organisation(session: Session, org_id: str, name: str | None = None) -> Organisation:
    """The organisation with this id, created (named `name`, or its id) if it does not exist yet."""
    insert = dialect_insert(session, Organisation).values(id=org_id, name=name or org_id)
    session.execute(insert.on_conflict_do_nothing(index_elements=["id"]))
    return session.scalars(select(Organisation).where(Organisation.id == org_id)).one()


def organisation_for_slack(session: Session, *workspace_ids: str | None) -> Organisation | None:
    """The organisation linked to the first of these that is linked: an event's workspace (T…), then
    its Enterprise Grid organisation (E…), linked as a whole when the app is installed org-wide."""
    for workspace_id in workspace_ids:
        if workspace_id:
            linked = session.get(SlackWorkspace, workspace_id)
            if linked is not None:
                return session.get(Organisation, linked.org_id)
    return None


def slack_workspace_links(session: Session) -> dict[str, str]:
    """Every linked Slack workspace (or Grid organisation) and the organisation it answers for."""
    return {row.id: row.org_id for row in session.scalars(select(SlackWorkspace))}


def slack_workspaces_of(session: Session, org_id: str) -> list[str]:
    """The Slack workspaces (and Grid organisations) linked to this organisation, oldest link first."""
    query = select(SlackWorkspace.id).where(SlackWorkspace.org_id == org_id).order_by(SlackWorkspace.id)
    return list(session.scalars(query))


def organisation_for_teams_tenant(session: Session, tenant_id: str) -> Organisation | None:
    query = select(Organisation).where(Organisation.teams_tenant_id == tenant_id)
    return session.scalars(query).one_or_none()


def link_teams_tenant(session: Session, org_id: str, tenant_id: str) -> Organisation | None:
    """Map a Microsoft 365 tenant to an organisation (moving it from any other); None if no such org."""
    organisation = session.get(Organisation, org_id)
    if organisation is None:
        return None
    _add_platform(organisation, "teams")
    # A tenant answers for one organisation: unlink it elsewhere first (the column is unique).
    others = update(Organisation).where(Organisation.teams_tenant_id == tenant_id, Organisation.id != org_id)
    session.execute(others.values(teams_tenant_id=None))
    session.flush()
    organisation.teams_tenant_id = tenant_id
    session.flush()
    return organisation


def link_slack_workspace(session: Session, org_id: str, workspace_id: str) -> Organisation | None:
    """Answer a Slack workspace (T…) or Grid organisation (E…) for this organisation, moving it from any
    other (an organisation may have several; each answers for one); None if no such organisation."""
    organisation = session.get(Organisation, org_id)
    if organisation is None:
        return None
    _add_platform(organisation, "slack")
    upsert = dialect_insert(session, SlackWorkspace).values(id=workspace_id, org_id=org_id)
    session.execute(upsert.on_conflict_do_update(index_elements=["id"], set_={"org_id": org_id}))
    session.execute(delete(SlackRemoval).where(SlackRemoval.workspace_id == workspace_id))  # reinstalled
    session.flush()
    return organisation


def remove_slack_workspace(
    session: Session, workspace_id: str, event: str, at: datetime
) -> tuple[SlackRemoval, bool]:
    """Pathway was removed from this workspace (or Grid organisation): unlink it from the organisation
    it answered for and record when and how; True with it when this is the first word of the removal.

    Slack says it twice for one uninstall (tokens_revoked and app_uninstalled), and Pathway handles the
    two at once, in either order: the first record says when, and an uninstall says how (it is the
    fuller account: uninstalling revokes the tokens). Written as statements that tolerate the other
    event's transaction (ON CONFLICT, a DELETE that may find nothing) rather than read-then-write."""
    org_id = session.scalar(select(SlackWorkspace.org_id).where(SlackWorkspace.id == workspace_id))
    insert = dialect_insert(session, SlackRemoval).values(workspace_id=workspace_id, org_id=org_id,
                                                          removed_at=at, event=event)  # fmt: skip
    inserted = insert.on_conflict_do_nothing(index_elements=["workspace_id"]).returning(
        SlackRemoval.workspace_id
    )
    first = session.execute(inserted).first() is not None
    if not first and event == "app_uninstalled":
        session.execute(update(SlackRemoval).where(SlackRemoval.workspace_id == workspace_id)
                        .values(event=event))  # fmt: skip
    session.execute(delete(SlackWorkspace).where(SlackWorkspace.id == workspace_id))
    query = select(SlackRemoval).where(SlackRemoval.workspace_id == workspace_id)
    return session.scalars(query.execution_options(populate_existing=True)).one(), first


def slack_removal(session: Session, workspace_id: str) -> SlackRemoval | None:
    return session.get(SlackRemoval, workspace_id)


def slack_removals_of(session: Session, org_id: str) -> list[SlackRemoval]:
    """The workspaces Pathway was removed from while they answered for this organisation, latest first."""
    query = select(SlackRemoval).where(SlackRemoval.org_id == org_id)
    return list(session.scalars(query.order_by(SlackRemoval.removed_at.desc())))


DELIVERY_PLATFORMS: tuple[Platform, ...] = ("slack", "teams", "web")  # web: the demo's chat only


class NotAPlatform(ValueError):
    """An organisation's staff can be reached on Slack, Teams or (in the demo) the web chat."""


def platforms_of(session: Session, org_id: str) -> list[Platform]:
    """The platforms the organisation's staff use, in order of preference ([] when it has not said)."""
    organisation = session.get(Organisation, org_id)
    return [p for p in (organisation.platforms if organisation else []) if p in DELIVERY_PLATFORMS]


def set_platforms(session: Session, org_id: str, platforms: Sequence[str]) -> Organisation | None:
    """Say which platforms the organisation's staff use (first: where newcomers are reached); None if
    no such organisation."""
    unknown = [p for p in platforms if p not in DELIVERY_PLATFORMS]
    if unknown:
        raise NotAPlatform(f"{', '.join(unknown)}: staff can be reached on {', '.join(DELIVERY_PLATFORMS)}")
    organisation = session.get(Organisation, org_id)
    if organisation is not None:
        organisation.platforms = list(dict.fromkeys(platforms))
        session.flush()
    return organisation


def _add_platform(organisation: Organisation, platform: Platform) -> None:
    if platform not in organisation.platforms:  # a linked workspace is where its staff are
        organisation.platforms = [*organisation.platforms, platform]


def get_person(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def find_person_by_email(
    session: Session, org_id: str, email: str, *, include_inactive: bool = False
) -> Person | None:
    """The person with this email on the organisation's roster. A leaver (inactive) is found only when
    asked for: every look-up that lets someone act goes through here or the identity look-up below,
    so a leaver can act on nothing."""
    query = select(Person).where(Person.org_id == org_id, Person.email == email.strip().lower())
    if not include_inactive:
        query = query.where(Person.active.is_(True))
    return session.scalars(query).one_or_none()


def find_person_by_identity(
    session: Session, platform: Platform, tenant: str, external_id: str, *, include_inactive: bool = False
) -> Person | None:
    """The person behind a chat account; a leaver only when asked for (see find_person_by_email)."""
    query = (
        select(Person)
        .join(Identity, Identity.person_id == Person.id)
        .where(Identity.platform == platform, Identity.tenant == tenant, Identity.external_id == external_id)
    )
    if not include_inactive:
        query = query.where(Person.active.is_(True))
    return session.scalars(query).one_or_none()


def find_identity(session: Session, platform: Platform, tenant: str, external_id: str) -> Identity | None:
    query = select(Identity).where(
        Identity.platform == platform, Identity.tenant == tenant, Identity.external_id == external_id
    )
    return session.scalars(query).one_or_none()


def link_identity(
    session: Session,
    person_id: int,
    platform: Platform,
    tenant: str,
    external_id: str,
    address: dict[str, Any] | None = None,
) -> Identity:
    """Attach a chat account to a person (moving it if it pointed at someone else).

    An upsert, so two first messages arriving at once cannot create the account twice. A None
    `address` keeps the conversation reference already stored.
    """
    changes: dict[str, Any] = {"person_id": person_id}
    if address is not None:
        changes["address"] = address
    insert = dialect_insert(session, Identity).values(
        platform=platform, tenant=tenant, external_id=external_id, **changes
    )
    session.execute(
        insert.on_conflict_do_update(index_elements=["platform", "tenant", "external_id"], set_=changes)
    )
    query = select(Identity).where(
        Identity.platform == platform, Identity.tenant == tenant, Identity.external_id == external_id
    )
    return session.scalars(query.execution_options(populate_existing=True)).one()


def addresses_in_tenant(
    session: Session, platform: Platform, tenant: str, limit: int = 5
) -> list[dict[str, Any]]:
    """Some stored conversation references of a workspace or tenant, newest first."""
    query = select(Identity.address).where(
        Identity.platform == platform, Identity.tenant == tenant, Identity.address.is_not(None)
    )
    return [dict(a) for a in session.scalars(query.order_by(Identity.id.desc()).limit(limit)) if a]


def identities_of(session: Session, person_id: int) -> list[Identity]:
    return list(
        session.scalars(select(Identity).where(Identity.person_id == person_id).order_by(Identity.id))
    )


def list_people(
    session: Session,
    org_id: str,
    *,
    roles: Sequence[Role] | None = None,
    team: str | None = None,
    framework: str | None = None,
    level: str | None = None,
    include_inactive: bool = False,
) -> list[Person]:
    """People of an organisation, filtered by any of role, team, framework and level, by name."""
    query = select(Person).where(Person.org_id == org_id)
    if roles is not None:
        query = query.where(Person.role.in_(roles))
    if team is not None:
        query = query.where(Person.team == team)
    if framework is not None:
        query = query.where(Person.framework == framework)
    if level is not None:
        query = query.where(Person.level == level)
    if not include_inactive:
        query = query.where(Person.active.is_(True))
    return list(session.scalars(query.order_by(Person.name, Person.id)))


def direct_reports(session: Session, manager_id: int) -> list[Person]:
    query = select(Person).where(Person.line_manager_id == manager_id, Person.active.is_(True))
    return list(session.scalars(query.order_by(Person.name, Person.id)))


def line_manager_chain(session: Session, person_id: int) -> list[Person]:
    """The person's line manager, their manager, and so on upwards (nearest first)."""
    chain: list[Person] = []
    seen = {person_id}
    person = session.get(Person, person_id)
    while person is not None and person.line_manager_id is not None and len(chain) < MAX_CHAIN_LENGTH:
        if person.line_manager_id in seen:  # a loop in the data: report what we have
            break
        seen.add(person.line_manager_id)
        person = session.get(Person, person.line_manager_id)
        if person is not None:
            chain.append(person)
    return chain


def nearest_above(session: Session, person_id: int, roles: Sequence[Role]) -> Person | None:
    """The closest active person up the line-management chain holding one of `roles`
    (e.g. the service manager who must authorise after the line manager)."""
    return next(
        (
            manager
            for manager in line_manager_chain(session, person_id)
            if manager.role in roles and manager.active
        ),
        None,
    )


def people_by_id(session: Session, person_ids: Sequence[int]) -> list[Person]:
    """These people (those that exist), in the order of `person_ids`."""
    found: dict[int, Person] = {}
    for chunk in _in_lists(person_ids):
        found |= {person.id: person for person in session.scalars(select(Person).where(Person.id.in_(chunk)))}
    return [found[person_id] for person_id in person_ids if person_id in found]


def identities_by_person(session: Session, person_ids: Sequence[int]) -> dict[int, list[Identity]]:
    """The chat accounts of many people at once (a broadcast's audience), by person id."""
    found: dict[int, list[Identity]] = {person_id: [] for person_id in person_ids}
    for chunk in _in_lists(person_ids):
        for identity in session.scalars(select(Identity).where(Identity.person_id.in_(chunk))):
            found[identity.person_id].append(identity)
    return found


def _in_lists(ids: Sequence[int]) -> Iterator[list[int]]:
    """`ids` in pieces small enough for one IN list each."""
    for start in range(0, len(ids), IN_LIST):
        yield list(ids[start : start + IN_LIST])


def teams_and_grades(session: Session, org_id: str) -> tuple[list[str], list[str]]:
    """The distinct teams and grades on an organisation's active roster, sorted."""
    query = select(Person.team, Person.grade).where(Person.org_id == org_id, Person.active.is_(True))
    rows = session.execute(query.distinct()).all()
    return sorted({t for t, _ in rows if t}), sorted({g for _, g in rows if g})


def organisations_with_people(session: Session) -> set[str]:
    """The organisations whose staff list has anyone on it, active or not."""
    return set(session.scalars(select(Person.org_id).distinct()))
