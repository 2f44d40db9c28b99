from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.broadcasts import create_broadcast
from storage.db import transaction
from storage.directory import ensure_organisation
from storage.outbox import (
    ReachCount,
    broadcast_reach,
    broadcast_recipients,
    claim_due,
    counts_by_status,
    enqueue,
    get_message,
    mark_delivered,
    mark_failed,
    mark_retry,
    next_due_at,
)
from storage.tables import OutboxMessage
from tests.storage.concurrency import run_together
from tests.storage.conftest import Staff

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def queue(session: Session, key: str, due_at: datetime = NOW, **fields: object) -> OutboxMessage:
    return enqueue(
        session,
        org_id="medway",
        channel="slack",
        address={"channel": "D1"},
        kind="message",
        payload={"text": key},
        idempotency_key=key,
        due_at=due_at,
        **fields,  # type: ignore[arg-type]
    )


def test_the_same_idempotency_key_queues_once(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        first = queue(session, "decision:7:worker")
    with transaction(session_factory) as session:
        again = enqueue(
            session,
            org_id="medway",
            channel="teams",
            address={},
            kind="message",
            payload={"text": "a different text"},
            idempotency_key="decision:7:worker",
        )
        assert again.id == first.id
        assert (again.channel, again.payload) == ("slack", {"text": "decision:7:worker"})
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_concurrent_enqueues_of_one_key_leave_one_row(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    def enqueue_once() -> int:
        with transaction(session_factory) as session:
            return queue(session, "broadcast:1:person:2").id

    ids = run_together(*[enqueue_once] * 4)
    assert len(set(ids)) == 1


def test_claim_takes_due_rows_oldest_first_and_leases_them(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    with transaction(session_factory) as session:
        queue(session, "later", NOW - timedelta(minutes=1))
        queue(session, "earlier", NOW - timedelta(minutes=5))
        queue(session, "future", NOW + timedelta(minutes=5))
    with transaction(session_factory) as session:
        claimed = claim_due(session, "worker-a", limit=10, lease_seconds=30, now=NOW)
    assert [message.idempotency_key for message in claimed] == ["earlier", "later"]
    assert all(message.status == "sending" and message.attempts == 1 for message in claimed)
    assert claimed[0].claimed_until == NOW + timedelta(seconds=30)
    with transaction(session_factory) as session:
        assert claim_due(session, "worker-b", now=NOW) == []
        assert next_due_at(session) == NOW + timedelta(minutes=5)
        # A dispatcher that died mid-send loses its lease; another takes the row over.
        taken_over = claim_due(session, "worker-b", now=NOW + timedelta(seconds=31))
    assert [(message.idempotency_key, message.attempts) for message in taken_over] == [
        ("earlier", 2),
        ("later", 2),
    ]


def test_delivered_retry_and_failed(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        for key in ("ok", "busy", "gone"):
            queue(session, key)
    with transaction(session_factory) as session:
        ok, busy, gone = claim_due(session, "worker-a", now=NOW)
    retry_at = NOW + timedelta(seconds=30)
    with transaction(session_factory) as session:
        assert mark_delivered(session, ok, now=NOW)
        assert mark_retry(session, busy, "HTTP 429", retry_at)
        assert mark_failed(session, gone, "user_not_found")
        assert not mark_delivered(session, ok, now=NOW)  # settled once only
    assert (ok.status, ok.delivered_at, busy.status, busy.due_at) == ("delivered", NOW, "pending", retry_at)
    with transaction(session_factory) as session:
        stored = {message.idempotency_key: message for message in session.scalars(select(OutboxMessage))}
        assert stored["busy"].last_error == "HTTP 429" and stored["busy"].claimed_by is None
        assert stored["gone"].status == "failed"
        assert counts_by_status(session, "medway") == {"delivered": 1, "pending": 1, "failed": 1}
        assert claim_due(session, "worker-a", now=NOW) == []
        assert [message.idempotency_key for message in claim_due(session, "worker-a", now=retry_at)] == [
            "busy"
        ]


def test_a_worker_whose_lease_was_taken_over_cannot_settle_the_row(
    session_factory: sessionmaker[Session], staff: Staff
) -> None:
    with transaction(session_factory) as session:
        queue(session, "slow")
    with transaction(session_factory) as session:
        (stale,) = claim_due(session, "worker-a", lease_seconds=10, now=NOW)
    with transaction(session_factory) as session:
        (fresh,) = claim_due(session, "worker-b", lease_seconds=10, now=NOW + timedelta(seconds=11))
    with transaction(session_factory) as session:
        assert not mark_retry(session, stale, "timeout", NOW)
        assert mark_delivered(session, fresh, now=NOW)
        stored = get_message(session, fresh.id)
        assert stored is not None and (stored.status, stored.claimed_by) == ("delivered", "worker-b")


def test_broadcast_reach(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        broadcast = create_broadcast(session, "medway", "Panel on 3 July", {"roles": ["worker"]})
        for person, channel in (
            (staff.worker, "slack"),
            (staff.other_worker, "teams"),
            (staff.manager, "slack"),
        ):
            enqueue(
                session,
                org_id="medway",
                channel=channel,  # type: ignore[arg-type]
                address={},
                kind="broadcast",
                payload={},
                idempotency_key=f"broadcast:{broadcast.id}:{person}",
                recipient_person_id=person,
                broadcast_id=broadcast.id,
                due_at=NOW,
            )
    with transaction(session_factory) as session:
        claimed = claim_due(session, "w", now=NOW)
        for message in claimed:
            if message.recipient_person_id != staff.manager:
                mark_delivered(session, message, now=NOW)
    with transaction(session_factory) as session:
        assert broadcast_reach(session, broadcast.id) == [
            ReachCount(channel="slack", status="delivered", count=1),
            ReachCount(channel="slack", status="sending", count=1),
            ReachCount(channel="teams", status="delivered", count=1),
        ]
        assert broadcast_recipients(session, broadcast.id) == sorted([staff.worker, staff.other_worker])
        assert broadcast_recipients(session, broadcast.id, "sending") == [staff.manager]


def test_concurrent_claimers_never_share_a_row(session_factory: sessionmaker[Session], staff: Staff) -> None:
    with transaction(session_factory) as session:
        for number in range(60):
            queue(session, f"m{number}")

    def dispatcher(worker: str) -> Callable[[], list[int]]:
        def claim_until_empty() -> list[int]:
            claimed: list[int] = []
            while batch := claim_batch(worker):
                claimed += batch
            return claimed

        return claim_until_empty

    def claim_batch(worker: str) -> list[int]:
        with transaction(session_factory) as session:
            return [message.id for message in claim_due(session, worker, limit=5, now=NOW)]

    claims = run_together(*(dispatcher(f"worker-{number}") for number in range(4)))
    everything = [message_id for claimed in claims for message_id in claimed]
    assert len(everything) == len(set(everything)) == 60


def test_skip_locked_hands_a_second_dispatcher_other_rows(
    postgres_session_factory: sessionmaker[Session],
) -> None:
    factory = postgres_session_factory
    with transaction(factory) as session:
        ensure_organisation(session, "medway")
        for number in range(10):
            queue(session, f"m{number}")
    with transaction(factory) as holding:  # worker A's claim is not yet committed while B claims
        first = claim_due(holding, "worker-a", limit=4, now=NOW)
        with transaction(factory) as other:
            second = claim_due(other, "worker-b", limit=10, now=NOW)
    assert len(first) == 4 and len(second) == 6
    assert not {message.id for message in first} & {message.id for message in second}
