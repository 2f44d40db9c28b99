"""CSV downloads HR opens in a spreadsheet: cells that a spreadsheet would run as a formula are
neutralised, because their text (questions, names, errors) was typed by someone else."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list: each can start a formula or DDE call


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe (shown as text);
    numbers and dates are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
