import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.directory import find_person_by_email, get_organisation
from storage.roster import import_roster
from storage.roster_rows import HEADER_LINE, MAX_BYTES, RosterRejected, read_roster
from storage.tables import Person

GOOD = f"""{HEADER_LINE}
medway,sam@medway.gov.uk,Sam Service,service_manager,,,,,,,,
medway,Mo@Medway.gov.uk,Mo Manager,manager,sam@medway.gov.uk,Duty,children,,,,,2015-09-01
medway,wendy@medway.gov.uk,Wendy Worker,worker,mo@medway.gov.uk,Duty,children,2,Band 10,33,2020-07-15,2021-01-04
medway,will@medway.gov.uk,"Will, Jr",worker,mo@medway.gov.uk,Duty,children,3,,,,
bcc,ann@bcc.gov.uk,Ann,hr,,,,,,,,
"""


def people_count(session_factory: sessionmaker[Session]) -> int:
    with transaction(session_factory) as session:
        return session.scalar(select(func.count()).select_from(Person)) or 0


def test_a_good_roster_creates_everyone_and_links_managers(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        summary = import_roster(session, GOOD, known_orgs={"medway", "bcc"})
    assert (summary.created, summary.updated, summary.unchanged) == (5, 0, 0)
    assert summary.organisations_created == ["bcc", "medway"]
    with transaction(session_factory) as session:
        wendy = find_person_by_email(session, "medway", "wendy@medway.gov.uk")
        mo = find_person_by_email(session, "medway", "mo@medway.gov.uk")
        assert wendy is not None and mo is not None
        assert wendy.line_manager_id == mo.id
        assert (wendy.level, wendy.grade, wendy.spinal_point) == ("2", "Band 10", 33)
        assert (wendy.qualified_on, wendy.started_on) == (date(2020, 7, 15), date(2021, 1, 4))
        assert wendy.active and not wendy.muted_broadcasts
        will = find_person_by_email(session, "medway", "will@medway.gov.uk")
        assert will is not None and will.name == "Will, Jr" and will.grade is None
        assert getattr(get_organisation(session, "bcc"), "name", None) == "bcc"


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(
    session_factory: sessionmaker[Session],
) -> None:
    bad = f"""{HEADER_LINE}
medway,sam@medway.gov.uk,Sam,service_manager,,,,,,,,
medway,not-an-email,Nobody,worker,sam@medway.gov.uk,,,,,,,
medway,boss@medway.gov.uk,Boss,boss,,,,,,,,
medway,kay@medway.gov.uk,Kay,worker,ghost@medway.gov.uk,,children,,,,2020-07-15,

medway,lee@medway.gov.uk,Lee,worker,sam@medway.gov.uk,,children,9,,,,
medway,max@medway.gov.uk,Max,worker,sam@medway.gov.uk,,elderly,,,,15/07/2020,
wirral,zed@wirral.gov.uk,Zed,worker,,,,,,,,
medway,sam@medway.gov.uk,Sam Again,manager,,,,,,,,
medway,short@medway.gov.uk,Short,worker
medway,,No Email,worker,,,,,,,2020-02-30,
"""
    with pytest.raises(RosterRejected) as rejected, transaction(session_factory) as session:
        import_roster(session, bad, known_orgs={"medway"}, levels={"medway": {"1": [], "2": [], "3": []}})
    messages = [str(problem) for problem in rejected.value.problems]
    assert [problem.line for problem in rejected.value.problems] == [3, 4, 5, 7, 8, 9, 10, 11, 12]
    expected_fragments = [
        "line 3: email: 'not-an-email' is not an email address",
        "line 4: role: input should be 'worker', 'manager', 'service_manager', 'hr', 'admin' or 'payroll', not 'boss'",
        "line 5: line_manager_email: ghost@medway.gov.uk is neither in this file nor already on record for medway",
        "line 7: level: '9' is not a level of medway (levels: 1, 2, 3)",
        "line 8: framework: input should be 'children' or 'adults', not 'elderly'; "
        "qualified_on: '15/07/2020' is not a date in the form YYYY-MM-DD",
        "line 9: org: unknown organisation 'wirral' (known: medway)",
        "line 10: email: sam@medway.gov.uk is already on line 2",
        "line 11: expected 12 cells, found 4",
        "line 12: email: a value is required; qualified_on: input should be a valid date",
    ]
    for message, fragment in zip(messages, expected_fragments, strict=True):
        assert message.startswith(fragment), message
    assert people_count(session_factory) == 0


def test_reimporting_updates_people_in_place(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        import_roster(session, GOOD)
    with transaction(session_factory) as session:
        wendy_id = session.scalars(select(Person.id).where(Person.email == "wendy@medway.gov.uk")).one()
    promoted = GOOD.replace(
        "Wendy Worker,worker,mo@medway.gov.uk,Duty,children,2,Band 10,33",
        "Wendy Worker,worker,sam@medway.gov.uk,Duty,children,3,Band 11,36",
    )
    with transaction(session_factory) as session:
        summary = import_roster(session, promoted)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 4)
    assert summary.organisations_created == []
    assert people_count(session_factory) == 5
    with transaction(session_factory) as session:
        wendy = session.get_one(Person, wendy_id)
        sam = find_person_by_email(session, "medway", "sam@medway.gov.uk")
        assert (wendy.level, wendy.grade, wendy.spinal_point) == ("3", "Band 11", 36)
        assert sam is not None and wendy.line_manager_id == sam.id


def test_a_line_manager_already_on_record_is_accepted(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        import_roster(session, GOOD)
    newcomer = f"{HEADER_LINE}\nmedway,nia@medway.gov.uk,Nia,worker,MO@medway.gov.uk,Duty,adults,1,,,,\n"
    with transaction(session_factory) as session:
        assert import_roster(session, newcomer).created == 1
        nia = find_person_by_email(session, "medway", "nia@medway.gov.uk")
        mo = find_person_by_email(session, "medway", "mo@medway.gov.uk")
        assert nia is not None and mo is not None and nia.line_manager_id == mo.id


def test_a_management_loop_is_refused(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        import_roster(session, GOOD)
    loop = f"{HEADER_LINE}\nmedway,sam@medway.gov.uk,Sam Service,service_manager,wendy@medway.gov.uk,,,,,,,\n"
    chain = "loops: sam@medway.gov.uk → wendy@medway.gov.uk → mo@medway.gov.uk → sam@medway.gov.uk"
    with pytest.raises(RosterRejected, match=re.escape(chain)), transaction(session_factory) as session:
        import_roster(session, loop)


def test_excel_exports_with_bom_crlf_or_utf16_are_read(tmp_path: Path) -> None:
    utf8 = ("\ufeff" + GOOD.replace("Will, Jr", "Siân")).replace("\n", "\r\n").encode("utf-8")
    rows, problems = read_roster(utf8)
    assert problems == [] and [row.name for row in rows][3] == "Siân"
    utf16 = tmp_path / "roster.csv"
    utf16.write_bytes(GOOD.encode("utf-16"))
    assert len(read_roster(utf16)[0]) == 5


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers_right() -> None:
    text = f'{HEADER_LINE}\nmedway,a@x.uk,"A\nB",worker,,,,,,,,\nmedway,bad,C,worker,,,,,,,,\n'
    rows, problems = read_roster(text)
    assert rows[0].line == 2 and [problem.line for problem in problems] == [4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "line 1: the first line must be exactly: org,email"),
        ("email,org\nx,y\n", "line 1: the first line must be exactly"),
        (b"PK\x03\x04\x00\x00binary", "not CSV text"),
        (b"x" * (MAX_BYTES + 1), "larger than"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(content: str | bytes, message: str) -> None:
    with pytest.raises(RosterRejected, match=message):
        read_roster(content)


def test_a_header_only_file_imports_nobody(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        summary = import_roster(session, HEADER_LINE + "\r\n\r\n")
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 0)
