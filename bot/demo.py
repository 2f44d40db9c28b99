"""A demo roster for every organisation, so Pathway can be tried with no HR file and no chat workspace."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from dialogs.staff import import_staff
from knowledge.library import Library
from storage.directory import find_person_by_email
from storage.posts import assign_post

HEADER = (
    "org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on"
)
# The worker's starting level, where a generic pick (the second rung of the children's ladder) would be odd.
DEMO_LEVELS = {
    "medway": ("level-2", "37"),
    "bcc": ("level-2", ""),
    "hertfordshire": ("h9", ""),
    "coventry": ("social-worker", ""),
}


def demo_roster(library: Library, orgs: Collection[str] | None = None) -> str:
    """The demo people of every organisation, or of `orgs` only."""
    rows = [HEADER]
    for org, pack in sorted(library.packs.items()):
        if orgs is not None and org not in orgs:
            continue
        level, point = DEMO_LEVELS.get(org) or _second_rung(library, org)
        framework = pack.level(level).framework or ""
        domain = f"{org}.example"
        rows += [
            f"{org},service@{domain},Sam Service,service_manager,,Social work,{framework},,,,,",
            f"{org},manager@{domain},Maria Manager,manager,service@{domain},Assessment,{framework},,,,,",
            f"{org},worker@{domain},Wendy Worker,worker,manager@{domain},Assessment,{framework},{level},,{point},2019-07-01,2019-09-01",
            f"{org},hr@{domain},Harriet HR,hr,,HR,,,,,,",
        ]
        if pack.process.posts:  # two people to hold the posts the policy names (panel members, ...)
            rows += [f"{org},{email},{name},manager,service@{domain},Panel,{framework},,,,,"
                     for email, name in _post_holders(domain)]  # fmt: skip
    return "\n".join(rows) + "\n"


def load_demo(session: Session, library: Library, orgs: Collection[str] | None = None) -> None:
    """The demo roster (of `orgs` only, if given), with its panel people holding every post their
    organisation's pack names (two of them, since nobody may make two decisions on one application)."""
    import_staff(session, library, demo_roster(library, orgs))
    for org, pack in library.packs.items():
        if orgs is not None and org not in orgs:
            continue
        for email, _name in _post_holders(f"{org}.example") if pack.process.posts else []:
            person = find_person_by_email(session, org, email)
            assert person is not None  # just imported
            for post in pack.process.posts:
                assign_post(session, org, post.id, person.id, None)


def _post_holders(domain: str) -> list[tuple[str, str]]:
    return [(f"panel@{domain}", "Pat Panel"), (f"panel2@{domain}", "Pip Panel")]


def _second_rung(library: Library, org: str) -> tuple[str, str]:
    levels = sorted(library.packs[org].levels, key=lambda lv: lv.rank)
    level = levels[min(1, len(levels) - 1)]
    points = level.pay.points if level.pay else []
    return level.id, str(min(p.point for p in points)) if points else ""
