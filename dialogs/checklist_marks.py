"""The marks a checklist is drawn with, and the legend that says what each one means to its reader."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from dialogs.plan import ChecklistItem

MARKS = {"met": "✓", "not_met": "✗", "unknown": "?", "later": "…", "desirable": "◦"}
Reader = Literal["worker", "decider"]
MEANINGS: dict[Reader, dict[str, str]] = {
    "worker": {
        "met": "met, going by your record",
        "not_met": "not met, going by your record",
        "unknown": "your record doesn't show it: your evidence or your manager will",
        "later": "happens after you submit",
        "desirable": "desirable, not essential",
    },
    "decider": {
        "met": "met, going by the roster",
        "not_met": "not met, going by the roster",
        "unknown": "the roster doesn't show it: for you to judge from the evidence",
        "later": "happens later in the process",
        "desirable": "desirable, not essential",
    },
}


def legend(items: Iterable[ChecklistItem], reader: Reader) -> str:
    """'Marks: ✓ met, going by the roster; ? the roster doesn't show it: ...' for the marks used."""
    used = {item.verdict for item in items}
    parts = [f"{mark} {MEANINGS[reader][verdict]}" for verdict, mark in MARKS.items() if verdict in used]
    return f"Marks: {'; '.join(parts)}." if parts else ""
