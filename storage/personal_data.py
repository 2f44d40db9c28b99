"""A person's data for data-protection requests: everything held about them (a subject access
request), and erasure where it is lawful, keeping the records of decisions (UK GDPR Article 17(3):
an employer's records of pay and grading decisions are kept for its legal obligations and public task).

Erasure of someone still on the roster removes what Pathway holds for its own working (questions
they asked, the text of messages sent to them, drafts that never went anywhere); their roster entry
is HR's and comes from HR's file. Someone no longer on the roster (inactive) is also pseudonymised:
name, email and roster details replaced, chat accounts forgotten; the row stays, so decisions they
made or received still say that someone did, under their number.
"""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage import audit
from storage.tables import (
    FINAL_APPLICATION_STATUSES,
    Application,
    AuditEntry,
    Broadcast,
    Decision,
    Delegation,
    DialogState,
    EvidenceFile,
    EvidenceItem,
    Identity,
    OfferedFile,
    OutboxMessage,
    Panel,
    Person,
    PostedMessage,
    PostHolder,
    ReviewRequest,
    UnansweredQuestion,
)

ERASED_DOMAIN = "erased.invalid"  # .invalid never resolves (RFC 2606), so no message can go there


def pseudonym(person_id: int) -> str:
    return f"Former member of staff #{person_id}"


def clear_evidence(session: Session, app: Application) -> bool:
    """Remove an application's evidence (written and files) and checklist answers; False if it had none left."""
    removed = [
        *session.execute(
            delete(EvidenceItem).where(EvidenceItem.application_id == app.id).returning(EvidenceItem.id)
        ).all(),
        *session.execute(
            delete(EvidenceFile).where(EvidenceFile.application_id == app.id).returning(EvidenceFile.id)
        ).all(),
    ]
    had_data = bool(app.data)
    if had_data:
        app.data = {}
    return bool(removed) or had_data


def pseudonymise(session: Session, person: Person, now: datetime) -> None:
    """Replace who the person is with a number; forget their chat accounts and what was sent to them."""
    person.name = pseudonym(person.id)
    person.email = f"person-{person.id}@{ERASED_DOMAIN}"
    person.team = person.level = person.grade = None
    person.spinal_point = None
    person.qualified_on = person.started_on = None
    person.muted_broadcasts = False
    person.erased_at = now
    for table in (Identity, DialogState, PostedMessage, OfferedFile):
        session.execute(delete(table).where(table.person_id == person.id))
    session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.person_id == person.id))
    unsent = ("pending", "sending")
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.recipient_person_id == person.id, OutboxMessage.status.in_(unsent))
        .values(status="failed", last_error="the recipient's personal data was erased")
        .execution_options(synchronize_session=False)
    )
    _clear_messages_to(session, person.id)
    audit.record(session, person.org_id, "personal_data_pseudonymised", detail={"person": person.id}, at=now)


def _clear_messages_to(session: Session, person_id: int) -> int:
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.recipient_person_id == person_id)
        .where(OutboxMessage.status.in_(("delivered", "failed")))
        .values(payload={}, address={})
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


# -- erasure ---------------------------------------------------------------------------------------


@dataclass
class Erasure:
    erased: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # each with the reason


def erase(session: Session, person: Person, now: datetime) -> Erasure:
    """Erase what may be erased; say what was kept and why."""
    done = Erasure()
    questions = session.execute(
        delete(UnansweredQuestion)
        .where(UnansweredQuestion.person_id == person.id)
        .returning(UnansweredQuestion.id)
    ).all()
    done.erased.append(f"{len(questions)} question(s) the assistant could not answer")
    files = session.execute(
        delete(OfferedFile).where(OfferedFile.person_id == person.id).returning(OfferedFile.id)
    ).all()
    done.erased.append(f"{len(files)} document(s) offered in Teams and not yet accepted")
    done.erased.append(f"the text of {_clear_messages_to(session, person.id)} message(s) sent to them")
    drafts = 0
    for app in session.scalars(select(Application).where(Application.person_id == person.id)):
        if app.status in ("drafting", "withdrawn"):
            if app.status == "drafting":
                app.status, app.updated_at = "withdrawn", now
                audit.record(session, app.org_id, "withdrawn_on_erasure", application_id=app.id, at=now)
            drafts += clear_evidence(session, app)
    session.execute(delete(DialogState).where(DialogState.person_id == person.id))
    done.erased.append(
        f"the evidence of {drafts} draft or withdrawn application(s), and any draft in progress"
    )
    kept_applications = session.scalars(
        select(Application.id).where(Application.person_id == person.id, Application.status != "withdrawn")
    ).all()
    if kept_applications:
        done.kept.append(
            f"{len(kept_applications)} submitted or decided application(s) with their evidence, decisions and "
            "reviews: the record of a pay and grading decision, kept for the period the organisation's HR sets "
            "(then the retention schedule removes the evidence)"
        )
    done.kept.append(
        "the audit log's entries: an append-only record of who did what, kept so decisions can be accounted for"
    )
    if person.active:
        done.kept.append(
            "their roster entry and chat accounts: HR's roster lists them as staff, so Pathway still serves "
            "them; HR removes them from the roster (then this command pseudonymises them)"
        )
    else:
        pseudonymise(session, person, now)
        done.erased.append(
            f"their name, email, roster details and chat accounts (now {pseudonym(person.id)!r}; "
            "decisions they made or received stay under that name)"
        )
    audit.record(session, person.org_id, "erasure_request", detail={"person": person.id}, at=now)
    return done


# -- subject access --------------------------------------------------------------------------------


def everything_about(session: Session, person: Person) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data, for a subject access request."""
    own = list(
        session.scalars(
            select(Application).where(Application.person_id == person.id).order_by(Application.id)
        )
    )
    own_ids = [app.id for app in own]
    return {
        "person": _row(person, exclude={"line_manager_id"})
        | {"line_manager": _name(session, person.line_manager_id)},
        "chat_accounts": [
            _row(i, exclude={"person_id"}) for i in _where(session, Identity, Identity.person_id == person.id)
        ],
        "applications": [_application(session, app) for app in own],
        "decisions_made_by_them": [
            {
                "application": d.application_id,
                "stage": d.stage,
                "outcome": d.outcome,
                "decided_at": _plain(d.decided_at),
                "reasons": d.reasons,
                "agreed_actions": d.agreed_actions,
                "recorded": d.recorded,
                "panel_sat_on": _plain(d.sat_on),
            }
            for d in _where(session, Decision, Decision.decided_by == person.id)
        ],
        "posts_held": [
            {"post": h.post, "since": _plain(h.assigned_at)}
            for h in _where(session, PostHolder, PostHolder.person_id == person.id)
        ],
        "reviews_decided_by_them": [
            {
                "application": r.application_id,
                "outcome": r.outcome,
                "decided_at": _plain(r.decided_at),
                "reasons": r.decision_reasons,
            }
            for r in _where(session, ReviewRequest, ReviewRequest.decided_by == person.id)
        ],
        "unanswered_questions": [
            {"question": q.question, "reason": q.reason, "asked_at": _plain(q.asked_at)}
            for q in _where(session, UnansweredQuestion, UnansweredQuestion.person_id == person.id)
        ],
        "messages_sent_to_them": [
            {
                "kind": m.kind,
                "channel": m.channel,
                "status": m.status,
                "queued_at": _plain(m.created_at),
                "delivered_at": _plain(m.delivered_at),
                "text": (m.payload or {}).get("text", ""),
            }
            for m in _where(session, OutboxMessage, OutboxMessage.recipient_person_id == person.id)
        ],
        "files_offered_in_teams": [
            {"filename": f.filename, "offered_at": _plain(f.created_at)}
            for f in _where(session, OfferedFile, OfferedFile.person_id == person.id)
        ],
        "broadcasts_they_wrote": [
            {"id": b.id, "text": b.text, "status": b.status, "created_at": _plain(b.created_at)}
            for b in _where(session, Broadcast, Broadcast.created_by == person.id)
        ],
        "out_of_office": [
            {
                "cover": _name(session, d.to_person_id),
                "until": _plain(d.until),
                "set_at": _plain(d.created_at),
                "ended_at": _plain(d.ended_at),
            }
            for d in _where(session, Delegation, Delegation.from_person_id == person.id)
        ],
        "covering_for": [
            {
                "for": _name(session, d.from_person_id),
                "until": _plain(d.until),
                "ended_at": _plain(d.ended_at),
            }
            for d in _where(session, Delegation, Delegation.to_person_id == person.id)
        ],
        "panels_they_recorded": [
            {"id": p.id, "sits_on": _plain(p.sits_on), "created_at": _plain(p.created_at)}
            for p in _where(session, Panel, Panel.created_by == person.id)
        ],
        "dialog_in_progress": [
            _row(s, exclude={"person_id"})
            for s in _where(
                session, DialogState, DialogState.person_id == person.id, order=DialogState.dialog
            )
        ],
        "audit_log": [
            _row(e)
            for e in _where(
                session,
                AuditEntry,
                or_(AuditEntry.actor_id == person.id, AuditEntry.application_id.in_(own_ids)),
            )
        ],
    }


def _application(session: Session, app: Application) -> dict[str, Any]:
    evidence = _where(
        session, EvidenceItem, EvidenceItem.application_id == app.id, order=EvidenceItem.position
    )
    decisions = _where(session, Decision, Decision.application_id == app.id)
    reviews = _where(session, ReviewRequest, ReviewRequest.application_id == app.id)
    return _row(app, exclude={"person_id", "line_manager_id", "authoriser_id"}) | {
        "finished": app.status in FINAL_APPLICATION_STATUSES,
        "line_manager": _name(session, app.line_manager_id),
        "authoriser": _name(session, app.authoriser_id),
        "evidence": [
            {"competency": e.competency, "text": e.text, "added_at": _plain(e.created_at)} for e in evidence
        ],
        "evidence_files": [
            {
                "item": f.slot,
                "filename": f.filename,
                "media_type": f.media_type,
                "bytes": f.size,
                "added_at": _plain(f.created_at),
                "content_base64": b64encode(f.content).decode(),
            }
            for f in _where(
                session, EvidenceFile, EvidenceFile.application_id == app.id, order=EvidenceFile.id
            )
        ],
        "decisions": [
            {
                "stage": d.stage,
                "outcome": d.outcome,
                "decided_by": _name(session, d.decided_by),
                "decided_at": _plain(d.decided_at),
                "reasons": d.reasons,
                "agreed_actions": d.agreed_actions,
            }
            for d in decisions
        ],
        "reviews": [
            {
                "requested_at": _plain(r.requested_at),
                "reasons": r.reasons,
                "window_closes_on": _plain(r.window_closes_on),
                "outcome": r.outcome,
                "decided_by": _name(session, r.decided_by),
                "decision_reasons": r.decision_reasons,
                "decided_at": _plain(r.decided_at),
            }
            for r in reviews
        ],
    }


def _where(session: Session, table: Any, *conditions: Any, order: Any = None) -> list[Any]:
    return list(
        session.scalars(select(table).where(*conditions).order_by(order if order is not None else table.id))
    )


def _name(session: Session, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    other = session.get(Person, person_id)
    return other.name if other is not None else None


def _row(row: Any, exclude: Collection[str] = ()) -> dict[str, Any]:
    return {c.key: _plain(getattr(row, c.key)) for c in row.__table__.columns if c.key not in exclude}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value
