"""The HR roster, checked against the policy packs: only known organisations, only their levels."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from knowledge.library import Library
from storage.roster import RosterImport, import_roster


def import_staff(session: Session, library: Library, source: bytes | str | Path) -> RosterImport:
    """Create or update everyone in the roster; any bad row (an unknown organisation or a level its pack
    does not define among them) imports nothing and raises RosterRejected listing every problem."""
    allowed = {org: [level.id for level in pack.levels] for org, pack in library.packs.items()}
    return import_roster(session, source, known_orgs=list(library.packs), allowed_levels=allowed)
