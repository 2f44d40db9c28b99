"""Progression applications, their evidence, and race-safe status transitions."""

from typing import Any, Final

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.columns import utc_now
from storage.conditional_update import update_if
from storage.dialog_states import load_state, save_state
from storage.tables import FINAL_APPLICATION_STATUSES, Application, EvidenceItem

__all__ = [
    "TRANSITION_FIELDS",
    "active_application",
    "add_evidence",
    "applications_awaiting",
    "applications_of",
    "applications_waiting",
    "claim",
    "create_application",
    "delete_evidence",
    "get_application",
    "list_evidence",
    "load_state",
    "save_state",
    "transition",
]

# What a transition may set besides the status (never who applied or for which organisation).
TRANSITION_FIELDS: Final = frozenset(
    {
        "target_level",
        "from_level",
        "from_point",
        "line_manager_id",
        "authoriser_id",
        "submitted_at",
        "manager_signed_at",
        "decided_at",
        "effective_date",
        "data",
    }
)


def create_application(
    session: Session,
    *,
    org_id: str,
    person_id: int,
    target_level: str,
    from_level: str,
    line_manager_id: int | None = None,
    from_point: int | None = None,
    authoriser_id: int | None = None,
    status: str = "drafting",
    data: dict[str, Any] | None = None,
) -> Application:
    """A new application. A person may have only one unfinished application: a second one raises
    IntegrityError at flush (the database enforces it, so a double click cannot create two)."""
    application = Application(
        org_id=org_id,
        person_id=person_id,
        target_level=target_level,
        from_level=from_level,
        line_manager_id=line_manager_id,
        from_point=from_point,
        authoriser_id=authoriser_id,
        status=status,
        data=data or {},
    )
    session.add(application)
    session.flush()
    return application


def get_application(session: Session, application_id: int) -> Application | None:
    return session.get(Application, application_id)


def active_application(session: Session, person_id: int) -> Application | None:
    """The person's application that is not yet approved, not approved or withdrawn, if any."""
    query = select(Application).where(
        Application.person_id == person_id, Application.status.not_in(FINAL_APPLICATION_STATUSES)
    )
    return session.scalars(query).one_or_none()


def applications_of(session: Session, person_id: int) -> list[Application]:
    """Every application the person has made, newest first."""
    query = select(Application).where(Application.person_id == person_id)
    return list(session.scalars(query.order_by(Application.created_at.desc(), Application.id.desc())))


def applications_awaiting(
    session: Session,
    status: str,
    *,
    org_id: str | None = None,
    line_manager_id: int | None = None,
    authoriser_id: int | None = None,
) -> list[Application]:
    """Applications in `status` (e.g. a manager's queue, or everything a reminder job must chase)."""
    query = select(Application).where(Application.status == status)
    if org_id is not None:
        query = query.where(Application.org_id == org_id)
    if line_manager_id is not None:
        query = query.where(Application.line_manager_id == line_manager_id)
    if authoriser_id is not None:
        query = query.where(Application.authoriser_id == authoriser_id)
    return list(session.scalars(query.order_by(Application.updated_at, Application.id)))


def applications_waiting(session: Session, org_id: str | None = None) -> list[Application]:
    """Applications waiting on a decision at some stage (status `awaiting:<stage>`), oldest first."""
    query = select(Application).where(Application.status.startswith("awaiting:"))
    if org_id is not None:
        query = query.where(Application.org_id == org_id)
    return list(session.scalars(query.order_by(Application.updated_at, Application.id)))


def transition(
    session: Session, application_id: int, from_status: str, to_status: str, **fields: Any
) -> bool:
    """Move the application from `from_status` to `to_status`, setting `fields`, if and only if it is
    still in `from_status`. One conditional UPDATE, so of two racing decisions exactly one wins;
    False means somebody else got there first (or the status was never `from_status`)."""
    unknown = set(fields) - TRANSITION_FIELDS
    if unknown:
        raise TypeError(f"transition() cannot set {', '.join(sorted(unknown))}")
    return update_if(
        session,
        Application,
        application_id,
        Application.status == from_status,
        {"status": to_status, "updated_at": utc_now(), "version": Application.version + 1, **fields},
    )


def claim(session: Session, app: Application, seen: int | None = None) -> bool:
    """Move the application on from the version `seen` (default: as loaded in this session) before
    changing whom its decision waits on or deciding it: one conditional UPDATE, so of two people acting
    on the same version exactly one goes ahead, on SQLite and on PostgreSQL across processes (the
    second waits for the first's row lock, then finds the version gone). False: it changed meanwhile."""
    expected = app.version if seen is None else seen
    return update_if(
        session, Application, app.id, Application.version == expected, {"version": expected + 1}, instance=app
    )


def add_evidence(session: Session, application_id: int, competency: str, text: str) -> EvidenceItem:
    """Append a piece of evidence to the application (after the ones already there)."""
    last = session.scalar(
        select(func.max(EvidenceItem.position)).where(EvidenceItem.application_id == application_id)
    )
    item = EvidenceItem(
        application_id=application_id, competency=competency, text=text, position=(last or 0) + 1
    )
    session.add(item)
    session.flush()
    return item


def list_evidence(session: Session, application_id: int, competency: str | None = None) -> list[EvidenceItem]:
    query = select(EvidenceItem).where(EvidenceItem.application_id == application_id)
    if competency is not None:
        query = query.where(EvidenceItem.competency == competency)
    return list(session.scalars(query.order_by(EvidenceItem.position, EvidenceItem.id)))


def delete_evidence(session: Session, application_id: int, evidence_id: int) -> bool:
    """Remove one piece of evidence; the application id guards against deleting someone else's."""
    statement = (
        delete(EvidenceItem)
        .where(EvidenceItem.id == evidence_id, EvidenceItem.application_id == application_id)
        .returning(EvidenceItem.id)
        .execution_options(synchronize_session="fetch")
    )
    return session.execute(statement).first() is not None
