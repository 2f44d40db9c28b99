"""A Medway database with one of each kind of record, old and recent, for the retention and
personal-data tests; and a snapshot of every row, so a test can check that a rule changed exactly
the rows it should."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import applications, audit, decisions, outbox
from storage.db import transaction
from storage.directory import ensure_organisation, link_identity
from storage.tables import (
    Application,
    Base,
    DialogState,
    EvidenceItem,
    HandledEvent,
    OfferedFile,
    OutboxMessage,
    Person,
    UnansweredQuestion,
)

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=3 * 365)  # older than any period
LATELY = NOW - timedelta(days=2)  # newer than any period


@dataclass(frozen=True)
class World:
    worker: int
    manager: int
    leaver: int
    old_withdrawn: int
    new_withdrawn: int
    old_draft: int
    decided_long_ago: int
    decided_lately: int
    leavers_application: int


def person(session: Session, email: str, role: str, manager: int | None = None, **fields: Any) -> int:
    added = Person(org_id="medway", email=email, name=email.split("@")[0].title(), role=role,
                   line_manager_id=manager, team="Duty", framework="children", **fields)  # fmt: skip
    session.add(added)
    session.flush()
    return added.id


def application(session: Session, who: int, manager: int, status: str, at: datetime, **fields: Any) -> int:
    app = applications.create_application(
        session, org_id="medway", person_id=who, target_level="level-3", from_level="level-2",
        line_manager_id=manager, status=status, data={"checklist": {"qualified": True}},
    )  # fmt: skip
    for name, value in {"created_at": at, "updated_at": at, **fields}.items():
        setattr(app, name, value)
    item = applications.add_evidence(session, app.id, "assessment", f"Evidence for application {app.id}.")
    item.created_at = at
    return app.id


def message(session: Session, who: int, key: str, status: str, at: datetime) -> None:
    row = outbox.enqueue(session, org_id="medway", channel="slack", kind="notice", recipient_person_id=who,
                         address={"user": f"U{who}"}, payload={"text": f"Hello {key}"}, idempotency_key=key)  # fmt: skip
    row.created_at, row.status = at, status
    row.delivered_at = at if status == "delivered" else None


def build_world(sessions: sessionmaker[Session]) -> World:
    with transaction(sessions) as session:
        ensure_organisation(session, "medway", "Medway Council")
        manager = person(session, "mo@medway.gov.uk", "manager")
        worker = person(session, "wendy@medway.gov.uk", "worker", manager, level="level-2", spinal_point=37)
        leaver = person(session, "lee@medway.gov.uk", "worker", manager, level="level-2", active=False,
                        inactive_since=LONG_AGO)  # fmt: skip
        link_identity(session, worker, "slack", "T0MEDWAY", "UWENDY", {"channel": "DWENDY"})
        link_identity(session, leaver, "slack", "T0MEDWAY", "ULEE", {"channel": "DLEE"})
        world = World(
            worker=worker,
            manager=manager,
            leaver=leaver,
            old_withdrawn=application(session, worker, manager, "withdrawn", LONG_AGO),
            new_withdrawn=application(session, worker, manager, "withdrawn", LATELY),
            old_draft=application(session, worker, manager, "drafting", LONG_AGO),
            decided_long_ago=application(session, worker, manager, "approved", LONG_AGO, decided_at=LONG_AGO),
            decided_lately=application(session, worker, manager, "not_approved", LATELY, decided_at=LATELY),
            leavers_application=application(
                session, leaver, manager, "approved", LONG_AGO, decided_at=LONG_AGO
            ),
        )
        session.add(DialogState(person_id=worker, dialog="application", state={"step": "evidence"}, version=1,
                                updated_at=LONG_AGO))  # fmt: skip
        for app in (world.decided_long_ago, world.decided_lately, world.leavers_application):
            decisions.record_decision(
                session, app, "recommend", manager, "approved", "Strong practice", decided_at=LONG_AGO
            )
            audit.record(session, "medway", "recommend:approved", manager, app, at=LONG_AGO)
        review = decisions.request_review(
            session, world.decided_lately, worker, "I disagree", date(2027, 6, 20)
        )
        review.requested_at = LATELY
        for key, status, at in [("old-delivered", "delivered", LONG_AGO), ("new-delivered", "delivered", LATELY),
                                ("old-failed", "failed", LONG_AGO), ("old-pending", "pending", LONG_AGO)]:  # fmt: skip
            message(session, worker, key, status, at)
        message(session, leaver, "to-leaver", "delivered", LATELY)
        for text, at, who in [("Old question", LONG_AGO, worker), ("New question", LATELY, worker),
                              ("Leaver's question", LATELY, leaver)]:  # fmt: skip
            session.add(
                UnansweredQuestion(
                    org_id="medway", person_id=who, question=text, reason="declined", asked_at=at
                )
            )
        for name, at in (("old.pdf", LONG_AGO), ("new.pdf", LATELY)):
            session.add(OfferedFile(token=name, person_id=worker, filename=name, media_type="application/pdf",
                                    content="PAY002", created_at=at))  # fmt: skip
        session.add_all([HandledEvent(platform="slack", event_id="old", handled_at=LONG_AGO),
                         HandledEvent(platform="slack", event_id="new", handled_at=LATELY)])  # fmt: skip
        return world


def snapshot(sessions: sessionmaker[Session]) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of every table, by table and primary key."""
    found: dict[str, dict[Any, dict[str, Any]]] = {}
    with transaction(sessions) as session:
        for table in Base.metadata.sorted_tables:
            keys = [column.name for column in table.primary_key.columns]
            rows = session.execute(select(table)).mappings()
            found[table.name] = {tuple(row[k] for k in keys): dict(row) for row in rows}
    return found


def changes(
    before: dict[str, dict[Any, dict[str, Any]]], after: dict[str, dict[Any, dict[str, Any]]]
) -> dict[str, set[Any]]:
    """Table -> primary keys of rows added, removed or changed."""
    changed: dict[str, set[Any]] = {}
    for table, rows in before.items():
        keys = set(rows) | set(after[table])
        differ = {key for key in keys if rows.get(key) != after[table].get(key)}
        if differ:
            changed[table] = differ
    return changed


def ids(sessions: sessionmaker[Session], table: Any, *conditions: Any) -> set[Any]:
    with transaction(sessions) as session:
        return set(session.scalars(select(table.id).where(*conditions)))


def evidence_of(sessions: sessionmaker[Session], app: int) -> set[int]:
    return ids(sessions, EvidenceItem, EvidenceItem.application_id == app)


def message_id(sessions: sessionmaker[Session], key: str) -> int:
    (found,) = ids(sessions, OutboxMessage, OutboxMessage.idempotency_key == key)
    return int(found)


def application_row(sessions: sessionmaker[Session], app: int) -> Application:
    with transaction(sessions) as session:
        found = session.get(Application, app)
        assert found is not None
        return found
