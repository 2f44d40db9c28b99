"""A person's home page, whatever the platform draws it as (Slack's App Home tab): a worker's own
application and what is missing, the decisions waiting on a manager, and for HR applications by stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from dialogs.decision_cards import sentence_start, status_words
from dialogs.identify import identify
from dialogs.messages import Incoming, Reply
from dialogs.status import status
from dialogs.turn import Turn
from knowledge.library import Library
from storage import applications, directory
from storage.db import transaction
from storage.tables import Application

SHOWN_PER_STAGE = 10


def home(library: Library, sessions: sessionmaker[Session], incoming: Incoming, now: datetime) -> list[Reply]:
    if incoming.org not in library.packs:
        return [Reply(text="This workspace isn't linked to an organisation yet. Please ask your HR team.")]
    with transaction(sessions) as session:
        identified = identify(session, incoming)
        if identified is None:
            name = library.packs[incoming.org].organisation.name
            return [Reply(text=f"I can't find you on {name}'s staff list. Please ask HR to add you.")]
        person = identified.person
        turn = Turn(session, library, person, now, incoming.sender.platform)
        replies = status(turn)
        if person.role in ("hr", "admin"):
            replies.append(by_stage(turn))
        return replies or [Reply(text="Nothing is waiting for you. Ask me a question any time.")]


def by_stage(turn: Turn) -> Reply:
    """Open applications in the organisation, grouped by where they are."""
    groups: dict[str, list[Application]] = {}
    drafts = applications.applications_awaiting(turn.session, "drafting", org_id=turn.org)
    if drafts:
        groups["Drafting"] = drafts
    for app in applications.applications_waiting(turn.session, org_id=turn.org):
        groups.setdefault(sentence_start(status_words(turn, app)), []).append(app)
    lines = []
    for label, apps in groups.items():
        names = []
        for app in apps[:SHOWN_PER_STAGE]:
            person = directory.get_person(turn.session, app.person_id)
            names.append(f"{person.name if person else '?'} (#{app.id})")  # the number 'reassign' takes
        more = f" and {len(apps) - SHOWN_PER_STAGE} more" if len(apps) > SHOWN_PER_STAGE else ""
        lines.append(f"• {label} ({len(apps)}): {', '.join(names)}{more}")
    return Reply(text="Applications by stage:\n" + ("\n".join(lines) if lines else "none open."))
