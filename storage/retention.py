"""The retention schedule: what is deleted, or pseudonymised, when (docs/data-protection.md).

Each rule is one function over one kind of record, so each can be checked to delete what it should
and nothing else. Records of decisions are never deleted: applications, decisions, reviews and the
audit log stay, and a person whose data goes is pseudonymised (storage.personal_data), so the record
still says that someone decided, and what, without saying who.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from storage import audit
from storage.handled_events import forget_before
from storage.inbox import prune_done
from storage.personal_data import clear_evidence, pseudonymise
from storage.tables import (
    SETTLED_STATUSES,
    Application,
    DialogState,
    EvidenceFile,
    EvidenceItem,
    OfferedFile,
    OutboxMessage,
    Person,
    UnansweredQuestion,
)

DRAFT_DIALOG = "application"  # the dialog whose saved state is a draft in progress (dialogs.conversation)
DECIDED: tuple[str, ...] = ("approved", "not_approved")


@dataclass(frozen=True)
class RetentionSchedule:
    handled_events_days: int = 7
    inbox_days: int = 7
    sent_messages_weeks: int = 4
    unanswered_months: int = 6
    drafts_months: int = 6
    # Set by each organisation's HR; an organisation missing here keeps these records.
    decided_evidence_months: Mapping[str, int] = field(default_factory=dict)
    leavers_months: Mapping[str, int] = field(default_factory=dict)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if it is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def apply_schedule(session: Session, schedule: RetentionSchedule, now: datetime) -> dict[str, int]:
    """Every rule, in one transaction; how many records each touched."""
    return {
        "handled-event ids deleted": forget_before(
            session, now - timedelta(days=schedule.handled_events_days)
        ),
        "answered inbox events deleted": prune_done(session, now - timedelta(days=schedule.inbox_days)),
        "sent messages' text removed": clear_sent_messages(
            session, now - timedelta(weeks=schedule.sent_messages_weeks)
        ),
        "offered files deleted": delete_offered_files(
            session, now - timedelta(weeks=schedule.sent_messages_weeks)
        ),
        "unanswered questions deleted": delete_unanswered(
            session, months_before(now, schedule.unanswered_months)
        ),
        "withdrawn or abandoned drafts cleared": clear_old_drafts(
            session, months_before(now, schedule.drafts_months), now
        ),
        "decided applications' evidence removed": sum(
            clear_decided_evidence(session, org, months_before(now, months))
            for org, months in sorted(schedule.decided_evidence_months.items())
        ),
        "leavers pseudonymised": note_leavers(session, now)
        + sum(
            pseudonymise_leavers(session, org, months_before(now, months), now)
            for org, months in sorted(schedule.leavers_months.items())
        ),
    }


def clear_sent_messages(session: Session, before: datetime) -> int:
    """Empty the text of messages settled (delivered, given up or withdrawn) before `before`. The rows stay:
    they are HR's record of who a broadcast reached, and why a message failed."""
    settled_at = func.coalesce(OutboxMessage.delivered_at, OutboxMessage.created_at)
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(SETTLED_STATUSES), settled_at < before)
        .where(OutboxMessage.payload != {})  # not those already cleared
        .values(payload={})
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def delete_offered_files(session: Session, before: datetime) -> int:
    """Documents offered in Teams (file consent cards) and never accepted: like a sent message's text."""
    statement = delete(OfferedFile).where(OfferedFile.created_at < before)
    return int(session.execute(statement.execution_options(synchronize_session=False)).rowcount)  # type: ignore[attr-defined]


def delete_unanswered(session: Session, before: datetime) -> int:
    statement = delete(UnansweredQuestion).where(UnansweredQuestion.asked_at < before)
    return int(session.execute(statement.execution_options(synchronize_session=False)).rowcount)  # type: ignore[attr-defined]


def clear_old_drafts(session: Session, before: datetime, now: datetime) -> int:
    """Withdrawn drafts last changed before `before` lose their evidence; drafts nobody has touched
    since then (the application, its evidence and its dialog) are withdrawn and lose theirs too."""
    withdrawn = select(Application).where(Application.status == "withdrawn", Application.updated_at < before)
    cleared = sum(clear_evidence(session, app) for app in session.scalars(withdrawn))
    drafts = select(Application).where(Application.status == "drafting").with_for_update(skip_locked=True)
    for app in session.scalars(drafts):
        if _last_touched(session, app) >= before:
            continue
        app.status, app.updated_at = "withdrawn", now
        session.execute(
            delete(DialogState).where(
                DialogState.person_id == app.person_id, DialogState.dialog == DRAFT_DIALOG
            )
        )
        clear_evidence(session, app)
        audit.record(session, app.org_id, "withdrawn_untouched_draft", application_id=app.id, at=now)
        cleared += 1
    return cleared


def _last_touched(session: Session, app: Application) -> datetime:
    evidence = session.scalar(
        select(func.max(EvidenceItem.created_at)).where(EvidenceItem.application_id == app.id)
    )
    filed = session.scalar(
        select(func.max(EvidenceFile.created_at)).where(EvidenceFile.application_id == app.id)
    )
    dialog = session.scalar(
        select(DialogState.updated_at).where(
            DialogState.person_id == app.person_id, DialogState.dialog == DRAFT_DIALOG
        )
    )
    return max(moment for moment in (app.updated_at, evidence, filed, dialog) if moment is not None)


def clear_decided_evidence(session: Session, org_id: str, before: datetime) -> int:
    """Applications of `org_id` decided before `before` lose their evidence; the decision stays."""
    query = select(Application).where(
        Application.org_id == org_id, Application.status.in_(DECIDED), Application.decided_at < before
    )
    return sum(clear_evidence(session, app) for app in session.scalars(query))


def note_leavers(session: Session, now: datetime) -> int:
    """Start (or stop) the clock on people marked inactive (or active again) on the roster. Counts
    nothing pseudonymised: returns 0, so it can be added to the leavers' count."""
    session.execute(
        update(Person)
        .where(Person.active.is_(False), Person.inactive_since.is_(None), Person.erased_at.is_(None))
        .values(inactive_since=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Person)
        .where(Person.active.is_(True), Person.inactive_since.is_not(None))
        .values(inactive_since=None)
        .execution_options(synchronize_session=False)
    )
    return 0


def pseudonymise_leavers(session: Session, org_id: str, before: datetime, now: datetime) -> int:
    """People of `org_id` inactive since before `before`: pseudonymised, every application's evidence
    removed (the decisions stay)."""
    query = select(Person).where(
        Person.org_id == org_id,
        Person.active.is_(False),
        Person.erased_at.is_(None),
        and_(Person.inactive_since.is_not(None), Person.inactive_since < before),
    )
    leavers = list(session.scalars(query.with_for_update(skip_locked=True)))  # one server each
    for person in leavers:
        for app in session.scalars(select(Application).where(Application.person_id == person.id)):
            clear_evidence(session, app)
        pseudonymise(session, person, now)
    return len(leavers)
