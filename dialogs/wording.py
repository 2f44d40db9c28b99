"""Small pieces of wording shared by the dialogs."""

from __future__ import annotations


def counted(n: int, one: str, many: str) -> str:
    """'1 person', '2 people', '1,200 people'."""
    return f"{n:,} {one if n == 1 else many}"
