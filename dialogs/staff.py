"""The HR roster, checked against the policy packs: only known organisations, only their levels (written
any way the pack names them), and leavers handed over when HR says the file is complete."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from dialogs.leavers import Handover, mark_leavers
from dialogs.messages import Platform
from knowledge.library import Library
from storage import directory
from storage.columns import utc_now
from storage.roster import RosterImport, import_roster
from storage.roster_rows import LevelNames


def import_staff(
    session: Session,
    library: Library,
    source: bytes | str | Path,
    *,
    now: datetime | None = None,
    full: bool = False,
    accept_levels_as_of: date | None = None,
    channel: Platform | None = None,
) -> tuple[RosterImport, list[Handover]]:
    """Create or update everyone in the roster; any bad row (an unknown organisation or a level its pack
    does not define among them) imports nothing and raises RosterRejected listing every problem.

    `full`: the file is everyone in its organisations; the people it leaves out become leavers, their
    pending decisions handed over (see dialogs.leavers). `accept_levels_as_of`: see storage.roster."""
    result = import_roster(
        session,
        source,
        known_orgs=list(library.packs),
        levels=level_names(library),
        grades=level_grades(library),
        full=full,
        accept_levels_as_of=accept_levels_as_of,
    )
    leavers = directory.people_by_id(session, result.absent)
    why = "left out of a complete roster import"
    return result, mark_leavers(session, library, leavers, now or utc_now(), channel, why) if leavers else []


def level_names(library: Library) -> dict[str, LevelNames]:
    """Each organisation's level ids with every way its pack writes them."""
    return {org: {lv.id: [lv.name, *lv.aliases] for lv in pack.levels} for org, pack in library.packs.items()}


def level_grades(library: Library) -> dict[str, dict[str, str]]:
    return {org: {lv.id: lv.grade for lv in pack.levels if lv.grade} for org, pack in library.packs.items()}
