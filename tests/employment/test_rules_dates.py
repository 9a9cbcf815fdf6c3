"""Worked examples for `employment.rules.dates`, the one place the project counts time.

Sources: ERA 1996 s.211 (inclusive periods), Family Law Reform Act 1969 s.9 (an age is attained
at the start of the birthday), domain-rules.md "Counting time" ([assumed] month arithmetic), and
the leap-day decision in the module docstring.
"""

from datetime import date

import pytest

from employment.rules.dates import (
    add_months,
    age_on,
    complete_months,
    complete_years,
    first_full_statutory_week,
    four_weeks_beginning_with,
    latest_start_for_years,
)


def test_two_years_inclusive_of_first_and_last_day():
    # domain-rules.md / ERA 1996 s.211: 1 Apr 2024 .. 31 Mar 2026, both days included.
    # The day after the end is 1 Apr 2026, the 2nd anniversary of the start -> exactly 2 years.
    assert complete_years(date(2024, 4, 1), date(2026, 3, 31)) == 2
    # Starting a day later (2 Apr 2024) the 2nd anniversary, 2 Apr 2026, is not reached -> 1.
    assert complete_years(date(2024, 4, 2), date(2026, 3, 31)) == 1


def test_complete_years_worked_example():
    # 1 Sep 2008 .. 31 Mar 2026: the 17th anniversary (1 Sep 2025) is on or before 1 Apr 2026,
    # the 18th (1 Sep 2026) is not -> 17 complete years (domain-rules.md worked example).
    assert complete_years(date(2008, 9, 1), date(2026, 3, 31)) == 17


def test_complete_years_from_a_leap_day():
    # Leap-day decision: 29 Feb's anniversary in a common year is 1 Mar, so a year from
    # 29 Feb 2024 is complete at the end of 28 Feb 2025 (day after = 1 Mar 2025).
    assert complete_years(date(2024, 2, 29), date(2025, 2, 28)) == 1
    assert complete_years(date(2024, 2, 29), date(2025, 2, 27)) == 0
    # Reversed periods hold no years rather than a negative number.
    assert complete_years(date(2026, 1, 1), date(2025, 1, 1)) == 0


def test_age_is_attained_at_the_start_of_the_birthday():
    # Born 10 Mar 1975: 41 on 10 Mar 2016 itself, still 40 on 9 Mar 2016 (FLRA 1969 s.9).
    assert age_on(date(1975, 3, 10), date(2016, 3, 10)) == 41
    assert age_on(date(1975, 3, 10), date(2016, 3, 9)) == 40


def test_leap_day_birthday_attains_age_on_1_march_in_a_common_year():
    # Born 29 Feb 2004 [decision: as Age of Legal Capacity (Scotland) Act 1991 s.6]:
    # 28 Feb 2025 -> still 20; 1 Mar 2025 -> 21; in leap 2024, 20 on 29 Feb 2024.
    born = date(2004, 2, 29)
    assert age_on(born, date(2025, 2, 28)) == 20
    assert age_on(born, date(2025, 3, 1)) == 21
    assert age_on(born, date(2024, 2, 29)) == 20
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(born, date(2004, 2, 28))


def test_four_weeks_beginning_with_includes_the_first_day():
    # domain-rules.md: a trial starting 1 May ends 28 May (1 May + 27 days).
    assert four_weeks_beginning_with(date(2026, 5, 1)) == date(2026, 5, 28)


def test_add_months_clamps_to_the_last_day_of_a_shorter_month():
    # domain-rules.md [assumed]: six months after 31 Aug is 28 Feb, or 29 Feb in a leap year.
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    # 31 Mar + 6 months -> 30 Sep (September has 30 days); same day-number otherwise.
    assert add_months(date(2026, 3, 31), 6) == date(2026, 9, 30)
    assert add_months(date(2026, 3, 15), 12) == date(2027, 3, 15)
    # 12 months after 29 Feb 2024 -> 28 Feb 2025; negative months go back.
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), -2) == date(2025, 11, 30)


def test_complete_months_for_the_statutory_notice_month():
    # 1 Jan 2026 .. 31 Jan 2026 is one whole month (day after = 1 Feb = 1 Jan + 1 month);
    # 1 Jan .. 30 Jan is not.
    assert complete_months(date(2026, 1, 1), date(2026, 1, 31)) == 1
    assert complete_months(date(2026, 1, 1), date(2026, 1, 30)) == 0


def test_counting_back_years_from_a_dismissal_date():
    # ERA 1996 s.162(1)(b): year 1 back from 31 Mar 2026 starts 1 Apr 2025; year 2, 1 Apr 2024.
    assert latest_start_for_years(end=date(2026, 3, 31), years=1) == date(2025, 4, 1)
    assert latest_start_for_years(end=date(2026, 3, 31), years=2) == date(2024, 4, 1)
    # Leap edge: the day after 28 Feb 2028 is 29 Feb 2028; a year back is a common year, so
    # the latest start is 28 Feb 2027 (1 Mar 2027 would reach its anniversary on 1 Mar 2028).
    assert latest_start_for_years(end=date(2028, 2, 28), years=1) == date(2027, 2, 28)


def test_a_whole_statutory_week_is_sunday_to_saturday():
    # ERA 1996 s.235(1): a week ends with Saturday. Sat 2 Mar .. Sun 10 Mar 2024 holds
    # Sun 3 .. Sat 9 Mar; Wed 6 .. Sun 10 Mar 2024 holds no whole week.
    assert first_full_statutory_week(
        first_day=date(2024, 3, 2), last_day=date(2024, 3, 10)
    ) == date(2024, 3, 3)
    assert first_full_statutory_week(first_day=date(2024, 3, 6), last_day=date(2024, 3, 10)) is None
