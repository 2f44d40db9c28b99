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
# Columns a roster may add after the required ones, in any order: what Medway's Manager Authorisation
# form asks of the employee (employee reference number, job title, post number).
OPTIONAL_COLUMNS = ("ern", "job_title", "post_number")
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
Reference = Annotated[str, Field(max_length=64)]
# Per organisation, per level id, the ways HR's systems may write that level (its id, name, aliases);
# and per level id its pay grade, accepted when no other level shares it.
LevelNames = Mapping[str, Collection[str]]


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
    ern: Reference | None = None
    job_title: Annotated[str, Field(max_length=200)] | None = None
    post_number: Reference | None = None


def decode_roster(source: bytes | str | Path) -> str:
    """The roster as text: UTF-8 (with or without BOM), or UTF-16 that says so with its BOM."""
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
    """Strictly: one byte that is not UTF-8 refuses the file, naming where it is. Guessing another
    encoding (Windows-1252 decodes anything) would silently rewrite every name with an accent."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise not_text(data, error, "UTF-16" if encoding == "utf-16" else "UTF-8") from error


def not_text(data: bytes, error: UnicodeDecodeError, encoding: str) -> RosterRejected:
    line = data.count(b"\n", 0, error.start) + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    shown = data[error.start : error.end].hex(" ").upper()
    message = (
        f"byte {error.start + 1} of the file (byte {column} of the line) is not {encoding} text "
        f"(0x{shown}); nothing was guessed. Save the file as 'CSV UTF-8' and import it again"
    )
    return RosterRejected([RosterProblem(line=line, message=message)])


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


def parse_row(line: int, record: list[str], header: list[str]) -> RosterRow | RosterProblem:
    if len(record) != len(header):
        return RosterProblem(line=line, message=f"expected {len(header)} cells, found {len(record)}")
    cells: dict[str, Any] = {name: cell.strip() or None for name, cell in zip(header, record, strict=True)}
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


def read_header(first: tuple[int, list[str]] | None) -> list[str]:
    """The file's columns: the required ones in order, then any optional ones."""
    header = [cell.strip().lower() for cell in first[1]] if first else []
    extra = header[len(HEADER) :]
    if header[: len(HEADER)] != HEADER or len(set(extra)) != len(extra) or set(extra) - set(OPTIONAL_COLUMNS):
        message = (
            f"the first line must be exactly: {HEADER_LINE} "
            f"(optionally followed by any of: {', '.join(OPTIONAL_COLUMNS)})"
        )
        raise RosterRejected([RosterProblem(line=first[0] if first else 1, message=message)])
    return header


def read_roster(
    source: bytes | str | Path,
    *,
    known_orgs: Collection[str] | None = None,
    levels: Mapping[str, LevelNames] | None = None,
    grades: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Valid rows (levels as the pack's level ids) and the problems of the others. Raises RosterRejected
    if the file is unusable as a whole.

    `levels` maps an organisation to its pack's levels and the names each may be written as, `grades`
    to each level's pay grade; organisations not in `levels` are not checked."""
    records = numbered_records(decode_roster(source))
    header = read_header(next(records, None))
    lookups = {
        org: LevelLookup(org, names, (grades or {}).get(org, {})) for org, names in (levels or {}).items()
    }
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    for count, (line, record) in enumerate(records, start=1):
        if count > MAX_ROWS:
            raise RosterRejected(
                [RosterProblem(line=line, message=f"more than {MAX_ROWS:,} people in one file")]
            )
        parsed = parse_row(line, record, header)
        if isinstance(parsed, RosterProblem):
            problems.append(parsed)
            continue
        row, row_problems = policy_problems(parsed, known_orgs, lookups)
        problems.extend(row_problems)
        if not row_problems:
            rows.append(row)
    return rows, sorted(problems + duplicate_problems(rows), key=lambda problem: problem.line)


def spelling(text: str) -> str:
    """How a level name is compared: case, spaces, hyphens and underscores aside ('Level 2' = 'level-2')."""
    return re.sub(r"[\s_-]+", "", text).casefold()


class LevelLookup:
    """A pack's levels by every way HR's systems write them: id, name or alias first, then pay grade
    where only one level has it. A spelling shared by two levels is refused, never picked."""

    def __init__(self, org: str, names: LevelNames, grades: Mapping[str, str]) -> None:
        self.org = org
        self.ids = list(names)
        self.by_name = self._index({level: [level, *spellings] for level, spellings in names.items()})
        self.by_grade = self._index({level: [grade] for level, grade in grades.items()})

    @staticmethod
    def _index(spellings: Mapping[str, Collection[str]]) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for level, written in spellings.items():
            for text in written:
                index.setdefault(spelling(text), set()).add(level)
        return index

    def resolve(self, written: str) -> tuple[str, str | None]:
        """The level id meant, or the text as written and why it names no single level."""
        key = spelling(written)
        found = self.by_name.get(key) or self.by_grade.get(key) or set()
        if len(found) == 1:
            return next(iter(found)), None
        if found:
            levels = ", ".join(sorted(found))
            return written, f"{written!r} could be any of {self.org}'s levels {levels}: give the level itself"
        return written, f"{written!r} is not a level of {self.org} (levels: {', '.join(self.ids)})"


def policy_problems(
    row: RosterRow, known_orgs: Collection[str] | None, lookups: Mapping[str, LevelLookup]
) -> tuple[RosterRow, list[RosterProblem]]:
    """The row with its level as the pack's level id, and what the policy packs find wrong with it."""
    problems: list[str] = []
    if known_orgs is not None and row.org not in known_orgs:
        problems.append(f"org: unknown organisation {row.org!r} (known: {', '.join(sorted(known_orgs))})")
    lookup = lookups.get(row.org)
    if lookup is not None and row.level is not None:
        level_id, problem = lookup.resolve(row.level)
        if problem:
            problems.append(f"level: {problem}")
        row = row.model_copy(update={"level": level_id})
    if row.line_manager_email == row.email:
        problems.append("line_manager_email: a person cannot be their own line manager")
    return row, [RosterProblem(line=row.line, message=message) for message in problems]


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
