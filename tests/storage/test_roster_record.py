"""A roster re-import never undoes Pathway's record; a complete roster names its leavers; the file is
strictly UTF-8; levels are accepted as HR's systems write them; the post columns Medway's form needs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage import audit
from storage.applications import create_application, transition
from storage.db import transaction
from storage.directory import find_person_by_email
from storage.roster import import_roster
from storage.roster_rows import HEADER_LINE, LevelLookup, RosterRejected, read_roster
from tests.storage.test_roster import GOOD

APPROVED_ON = datetime(2027, 4, 1, 15, 0, tzinfo=UTC)
NEWCOMER = "medway,nia@medway.gov.uk,Nia New,worker,mo@medway.gov.uk,Duty,children,1,,,,\n"


def approve(session: Session, email: str, level: str, point: int | None, on: datetime = APPROVED_ON) -> int:
    """What an approved application leaves on the record: the application, and the person moved."""
    person = find_person_by_email(session, "medway", email)
    assert person is not None
    app = create_application(
        session, org_id="medway", person_id=person.id, target_level=level,
        from_level=person.level or "", from_point=person.spinal_point,
    )  # fmt: skip
    session.flush()
    assert transition(session, app.id, "drafting", "approved", decided_at=on)
    person.level, person.spinal_point = level, point
    return app.id


def level_and_point(session_factory: sessionmaker[Session], email: str) -> tuple[str | None, int | None]:
    with transaction(session_factory) as session:
        person = find_person_by_email(session, "medway", email)
        assert person is not None
        return person.level, person.spinal_point


@pytest.fixture
def approved(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """GOOD imported, then Wendy (line 4) and Will (line 5) moved up by approved applications."""
    with transaction(session_factory) as session:
        import_roster(session, GOOD)
        return {
            "wendy": approve(session, "wendy@medway.gov.uk", "3", 40),
            "will": approve(session, "will@medway.gov.uk", "4", None),
        }


def test_reimporting_the_same_rows_plus_a_newcomer_keeps_every_approved_level(
    session_factory: sessionmaker[Session], approved: dict[str, int]
) -> None:
    renamed = GOOD.replace("Wendy Worker", "Wendy Walker") + NEWCOMER
    with transaction(session_factory) as session:
        summary = import_roster(session, renamed)
    assert summary.created == 1
    assert level_and_point(session_factory, "wendy@medway.gov.uk") == ("3", 40)
    assert level_and_point(session_factory, "will@medway.gov.uk") == ("4", None)
    assert [str(c) for c in summary.conflicts] == [
        f"line 4: wendy@medway.gov.uk: kept level 3, spinal point 40 recorded by Pathway (application "
        f"{approved['wendy']}, approved 1 April 2027) over the file's level 2, spinal point 33",
        f"line 5: will@medway.gov.uk: kept level 4, spinal point (none) recorded by Pathway (application "
        f"{approved['will']}, approved 1 April 2027) over the file's level 3, spinal point (none)",
    ]
    with transaction(session_factory) as session:
        wendy = find_person_by_email(session, "medway", "wendy@medway.gov.uk")
        assert wendy is not None and wendy.name == "Wendy Walker"  # the rest of HR's row still lands


def test_a_file_hr_confirms_newer_than_the_approval_replaces_it_and_says_so(
    session_factory: sessionmaker[Session], approved: dict[str, int]
) -> None:
    with transaction(session_factory) as session:
        older = import_roster(session, GOOD, accept_levels_as_of=date(2027, 3, 31))
    assert [c.kept for c in older.conflicts] == ["pathway", "pathway"]
    assert level_and_point(session_factory, "wendy@medway.gov.uk") == ("3", 40)
    with transaction(session_factory) as session:
        newer = import_roster(session, GOOD, accept_levels_as_of=date(2027, 4, 2))
    assert [(c.line, c.kept) for c in newer.conflicts] == [(4, "file"), (5, "file")]
    assert "HR confirmed the file as correct on 2 April 2027" in str(newer.conflicts[0])
    assert level_and_point(session_factory, "wendy@medway.gov.uk") == ("2", 33)
    with transaction(session_factory) as session:
        history = audit.for_application(session, approved["wendy"])
    assert [(entry.action, entry.detail["kept"]) for entry in history] == [
        ("roster_conflict", "pathway"),
        ("roster_conflict", "file"),
    ]


def test_a_file_that_agrees_with_the_record_is_no_conflict(
    session_factory: sessionmaker[Session], approved: dict[str, int]
) -> None:
    caught_up = GOOD.replace("children,2,Band 10,33", "children,3,Band 10,40").replace(
        '"Will, Jr",worker,mo@medway.gov.uk,Duty,children,3',
        '"Will, Jr",worker,mo@medway.gov.uk,Duty,children,4',
    )
    with transaction(session_factory) as session:
        summary = import_roster(session, caught_up)
    assert summary.conflicts == [] and summary.unchanged == 5


def test_a_complete_roster_names_those_it_leaves_out(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        import_roster(session, GOOD)
    without_will = "".join(line + "\n" for line in GOOD.splitlines() if "will@" not in line)
    with transaction(session_factory) as session:
        assert import_roster(session, without_will).absent == []  # not said to be complete
        summary = import_roster(session, without_will, full=True)
        will = find_person_by_email(session, "medway", "will@medway.gov.uk")
        assert will is not None and summary.absent == [will.id]


def test_a_complete_roster_cannot_leave_out_someone_still_named_as_a_line_manager(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        import_roster(session, GOOD)
    without_mo = "".join(line + "\n" for line in GOOD.splitlines() if "Mo@" not in line)
    with pytest.raises(RosterRejected) as rejected, transaction(session_factory) as session:
        import_roster(session, without_mo, full=True)
    assert [str(p) for p in rejected.value.problems] == [
        "line 3: line_manager_email: mo@medway.gov.uk is not in this complete roster, so would leave; "
        "name their replacement",
        "line 4: line_manager_email: mo@medway.gov.uk is not in this complete roster, so would leave; "
        "name their replacement",
    ]


def test_a_byte_that_is_not_utf8_refuses_the_file_naming_line_and_byte(
    session_factory: sessionmaker[Session],
) -> None:
    windows_1252 = GOOD.replace("Will, Jr", "Zoë").encode("cp1252")
    offset = windows_1252.index(b"\xeb")
    column = offset - windows_1252.rindex(b"\n", 0, offset)
    with pytest.raises(RosterRejected) as rejected, transaction(session_factory) as session:
        import_roster(session, windows_1252)
    assert [str(p) for p in rejected.value.problems] == [
        f"line 5: byte {offset + 1} of the file (byte {column} of the line) is not UTF-8 text (0xEB); "
        "nothing was guessed. Save the file as 'CSV UTF-8' and import it again"
    ]
    with transaction(session_factory) as session:
        assert find_person_by_email(session, "medway", "sam@medway.gov.uk") is None  # nothing imported


def test_the_same_file_in_utf8_with_a_bom_is_read() -> None:
    rows, problems = read_roster(("\ufeff" + GOOD.replace("Will, Jr", "Zoë")).encode("utf-8"))
    assert problems == [] and rows[3].name == "Zoë"


LEVELS = {"medway": {"level-2": ["Level 2 Social Worker", "level 2", "l2"], "level-3": ["Level 3"]}}
GRADES = {"medway": {"level-2": "Band 10", "level-3": "Band 11"}}


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("level-2", "level-2"),
        ("Level 2", "level-2"),
        ("LEVEL  2", "level-2"),
        ("L2", "level-2"),
        ("Level 2 Social Worker", "level-2"),
        ("level_2", "level-2"),
        ("band 11", "level-3"),
    ],
)
def test_a_level_is_accepted_as_hr_writes_it_and_stored_as_the_packs_id(written: str, stored: str) -> None:
    text = f"{HEADER_LINE}\nmedway,a@medway.gov.uk,A,worker,,,,{written},,,,\n"
    rows, problems = read_roster(text, levels=LEVELS, grades=GRADES)
    assert problems == [] and rows[0].level == stored


def test_a_spelling_two_levels_share_is_refused_not_picked() -> None:
    lookup = LevelLookup(
        "bcc", {"bg10": ["BG10"], "level-1": [], "level-2": []}, {"level-1": "G", "level-2": "G"}
    )
    assert lookup.resolve("bg 10") == ("bg10", None)
    level, problem = lookup.resolve("g")
    assert (
        level == "g" and problem == "'g' could be any of bcc's levels level-1, level-2: give the level itself"
    )
    _rows, problems = read_roster(
        f"{HEADER_LINE}\nmedway,a@medway.gov.uk,A,worker,,,,Level 9,,,,\n", levels=LEVELS
    )
    assert [str(p) for p in problems] == [
        "line 2: level: 'Level 9' is not a level of medway (levels: level-2, level-3)"
    ]


def test_the_post_columns_are_optional_and_kept_when_a_file_leaves_them_out(
    session_factory: sessionmaker[Session],
) -> None:
    header = HEADER_LINE + ",job_title,ern,post_number"
    with_posts = f"{header}\nmedway,wendy@medway.gov.uk,Wendy,worker,,,,,,,,,Social Worker,E1234,P-77\n"
    with transaction(session_factory) as session:
        import_roster(session, with_posts)
        import_roster(session, f"{HEADER_LINE}\nmedway,wendy@medway.gov.uk,Wendy W,worker,,,,,,,,\n")
        wendy = find_person_by_email(session, "medway", "wendy@medway.gov.uk")
        assert wendy is not None and wendy.name == "Wendy W"
        assert (wendy.ern, wendy.job_title, wendy.post_number) == ("E1234", "Social Worker", "P-77")
    with pytest.raises(RosterRejected, match="optionally followed by any of: ern, job_title, post_number"):
        read_roster(f"{HEADER_LINE},salary\n")
