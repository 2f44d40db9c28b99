"""WCAG 2.2 AA checks of what the web chat shows, with axe-core run inside the page.

axe-core is Deque's rule engine (the one GOV.UK's and the NHS's services test with); the
`axe-playwright-python` package ships a copy of it, so no download happens at test time.
"""

from __future__ import annotations

from typing import Any

# Every rule axe tags as WCAG 2.0, 2.1 or 2.2 level A or AA: the public sector's accessibility standard.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def violations(page: Any) -> list[str]:
    """One line per rule the page breaks, naming the elements that break it."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    found = results.response.get("violations", [])
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
    ]


def assert_accessible(page: Any, screen: str) -> None:
    problems = violations(page)
    assert not problems, f"axe-core: the {screen} screen breaks WCAG 2.2 AA:\n" + "\n".join(problems)
