"""What Pathway itself wrote on the roster: the level and spinal point an approved application gave
someone. An HR file exported before that approval still shows the old level; importing it must not
quietly undo the record (see storage.roster)."""

from collections.abc import Collection
from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.tables import Application

# The fields an approved application writes on the person; the rest of a roster row is HR's alone.
PROGRESSION_FIELDS = ("level", "spinal_point")


class PathwayChange(BaseModel):
    """The latest approval that moved this person, and when it was made."""

    model_config = ConfigDict(frozen=True)

    application_id: int
    approved_on: date


def pathway_changes(session: Session, orgs: Collection[str]) -> dict[int, PathwayChange]:
    """Per person id, the latest approved application of anyone in these organisations."""
    query = (
        select(Application.person_id, Application.id, Application.decided_at)
        .where(Application.org_id.in_(orgs), Application.status == "approved")
        .where(Application.decided_at.is_not(None))
        .order_by(Application.decided_at, Application.id)
    )
    return {
        person_id: PathwayChange(application_id=app_id, approved_on=decided_at.date())
        for person_id, app_id, decided_at in session.execute(query)
        if decided_at is not None
    }
