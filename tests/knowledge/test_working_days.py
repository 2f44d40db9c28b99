from datetime import date

from knowledge.working_days import add_working_days, is_working_day, working_days_between


def test_ten_working_days_skip_weekends() -> None:
    assert add_working_days(date(2026, 11, 23), 10) == date(2026, 12, 7)  # Monday -> Monday a fortnight on


def test_christmas_and_new_year_bank_holidays_do_not_count() -> None:
    # From Friday 18 Dec 2026: 25 Dec (Fri), 28 Dec (Boxing Day observed) and 1 Jan 2027 are bank holidays.
    assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 6)
    assert not is_working_day(date(2026, 12, 28))


def test_easter_monday_is_not_a_working_day() -> None:
    assert not is_working_day(date(2027, 3, 29))
    assert (
        working_days_between(date(2027, 3, 25), date(2027, 3, 30)) == 1
    )  # Good Friday, weekend, Easter Monday
