"""Reading an HR roster CSV into validated rows, collecting every problem with its line number.

Only checks that need no database live here; `storage.roster` adds the rest and does the import.
"""

import csv
import io
import re
from collections.abc import Collection, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from storage.tables import Framework, Role

HEADER_LINE = (
    "org,email,name,role,line_manager_email,team,framework,level,grade,spinal_point,qualified_on,started_on"
)
HEADER = HEADER_LINE.split(",")
MAX_BYTES = 10_000_000
MAX_ROWS = 50_000
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RosterProblem(BaseModel):
    model_config = ConfigDict(frozen=True)

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class RosterRejected(Exception):
    """The roster was not imported, because of these problems (all of them, not just the first)."""

    def __init__(self, problems: list[RosterProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def email_address(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 320 or not EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def iso_date(value: object) -> object:
    if isinstance(value, str) and not ISO_DATE.match(value):
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")
    return value


def lower_case(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


Email = Annotated[str, AfterValidator(email_address)]
IsoDate = Annotated[date, BeforeValidator(iso_date)]
Label = Annotated[str, Field(min_length=1, max_length=64)]


class RosterRow(BaseModel):
    """One person as HR describes them; empty optional cells arrive here as None."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True, extra="forbid")

    line: int
    org: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    email: Email
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Annotated[Role, BeforeValidator(lower_case)]
    line_manager_email: Email | None = None
    team: Annotated[str, Field(max_length=200)] | None = None
    framework: Annotated[Framework, BeforeValidator(lower_case)] | None = None
    level: Label | None = None
    grade: Label | None = None
    spinal_point: Annotated[int, Field(ge=0, le=999)] | None = None
    qualified_on: IsoDate | None = None
    started_on: IsoDate | None = None


def decode_roster(source: bytes | str | Path) -> str:
    """The roster as text: UTF-8 (with or without BOM), UTF-16 with BOM, or Excel's Windows-1252."""
    if isinstance(source, Path):
        # Look before reading, so a wrong file picked by mistake is not loaded into memory.
        if source.stat().st_size > MAX_BYTES:
            raise too_big()
        source = source.read_bytes()
    if len(source) > MAX_BYTES:
        raise too_big()
    text = source if isinstance(source, str) else decode_bytes(source)
    if "\x00" in text:
        raise RosterRejected(
            [RosterProblem(line=0, message="the file is not CSV text (it contains NUL bytes)")]
        )
    return text.removeprefix("\ufeff")


def decode_bytes(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def too_big() -> RosterRejected:
    return RosterRejected([RosterProblem(line=0, message=f"the file is larger than {MAX_BYTES:,} bytes")])


def numbered_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on (a quoted cell may span lines); CRLF or LF."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise RosterRejected([RosterProblem(line=line, message=f"unreadable CSV: {error}")]) from error
        if any(cell.strip() for cell in record):
            yield line, record


def parse_row(line: int, record: list[str]) -> RosterRow | RosterProblem:
    if len(record) != len(HEADER):
        return RosterProblem(line=line, message=f"expected {len(HEADER)} cells, found {len(record)}")
    cells: dict[str, Any] = {name: cell.strip() or None for name, cell in zip(HEADER, record, strict=True)}
    try:
        return RosterRow(line=line, **cells)
    except ValidationError as error:
        return RosterProblem(line=line, message="; ".join(describe(detail) for detail in error.errors()))


def describe(detail: Any) -> str:
    field = ".".join(str(part) for part in detail["loc"][:1]) or "row"
    message = str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] == "missing" or detail.get("input") is None:
        return f"{field}: a value is required"
    if message.startswith("Input should"):
        return f"{field}: {message[0].lower()}{message[1:]}, not {detail['input']!r}"
    return f"{field}: {message}"


def read_roster(
    source: bytes | str | Path,
    *,
    known_orgs: Collection[str] | None = None,
    allowed_levels: Mapping[str, Collection[str]] | None = None,
) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Valid rows and the problems of the others. Raises RosterRejected if the file is unusable as a whole."""
    records = numbered_records(decode_roster(source))
    first = next(records, None)
    if first is None or [cell.strip() for cell in first[1]] != HEADER:
        message = f"the first line must be exactly: {HEADER_LINE}"
        raise RosterRejected([RosterProblem(line=first[0] if first else 1, message=message)])
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    for count, (line, record) in enumerate(records, start=1):
        if count > MAX_ROWS:
            raise RosterRejected(
                [RosterProblem(line=line, message=f"more than {MAX_ROWS:,} people in one file")]
            )
        parsed = parse_row(line, record)
        if isinstance(parsed, RosterProblem):
            problems.append(parsed)
            continue
        row_problems = policy_problems(parsed, known_orgs, allowed_levels)
        problems.extend(row_problems)
        if not row_problems:
            rows.append(parsed)
    return rows, sorted(problems + duplicate_problems(rows), key=lambda problem: problem.line)


def policy_problems(
    row: RosterRow, known_orgs: Collection[str] | None, allowed_levels: Mapping[str, Collection[str]] | None
) -> list[RosterProblem]:
    problems: list[str] = []
    if known_orgs is not None and row.org not in known_orgs:
        problems.append(f"org: unknown organisation {row.org!r} (known: {', '.join(sorted(known_orgs))})")
    levels = (allowed_levels or {}).get(row.org)
    if levels is not None and row.level is not None and row.level not in levels:
        problems.append(f"level: {row.level!r} is not a level of {row.org} (levels: {', '.join(levels)})")
    if row.line_manager_email == row.email:
        problems.append("line_manager_email: a person cannot be their own line manager")
    return [RosterProblem(line=row.line, message=message) for message in problems]


def duplicate_problems(rows: list[RosterRow]) -> list[RosterProblem]:
    first_line: dict[tuple[str, str], int] = {}
    problems: list[RosterProblem] = []
    for row in rows:
        key = (row.org, row.email)
        if key in first_line:
            message = f"email: {row.email} is already on line {first_line[key]}"
            problems.append(RosterProblem(line=row.line, message=message))
        first_line.setdefault(key, row.line)
    return problems
