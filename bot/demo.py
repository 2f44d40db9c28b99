"""A demo roster for every organisation, so Pathway can be tried with no HR file and no chat workspace."""

from __future__ import annotations

from collections.abc import Collection

from knowledge.library import Library

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
    return "\n".join(rows) + "\n"


def _second_rung(library: Library, org: str) -> tuple[str, str]:
    levels = sorted(library.packs[org].levels, key=lambda lv: lv.rank)
    level = levels[min(1, len(levels) - 1)]
    points = level.pay.points if level.pay else []
    return level.id, str(min(p.point for p in points)) if points else ""
