"""Counting time the way employment law does, for every rule in `employment.rules`.

The rules in docs/domain-rules ("Counting time") are written once here so that the calculators,
the Case model and its clocks cannot disagree about when a year is complete or when someone
turns 41:

- A period of employment includes its first and last day (ERA 1996 s.211): 1 April 2024 to
  31 March 2026 is exactly 2 years.
- A person attains an age at the start of their birthday.
- "Four weeks beginning with" a day includes that day.
- N months after a day ends on the same day-number, or on the last day of a shorter month.

Leap days, decided here and used everywhere: the anniversary of 29 February in a common year is
1 March. So a person born on 29 February attains each age on 1 March in a common year (the rule
the Age of Legal Capacity (Scotland) Act 1991 s.6 writes down; English law has no statute, so for
England this is an assumption), and a year of employment that starts on 29 February is complete at
the end of 28 February. Month arithmetic (`add_months`) is different on purpose: the domain rule
for "N months after" clamps to the month's last day, so 12 months after 29 February 2024 is
28 February 2025.
"""

import calendar
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def anniversary(day: date, years: int) -> date:
    """The same calendar date `years` later (or earlier, if negative); 29 February becomes
    1 March in a common year, because the person or period has not yet reached it on the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return date(day.year + years, 3, 1)


def latest_start_for_years(*, end: date, years: int) -> date:
    """The latest first day of a period ending on `end` that still holds `years` complete years.

    This is "reckoning backwards" (ERA 1996 s.162(1)(b)): year 1 counted back from a dismissal on
    31 March 2026 runs from 1 April 2025. It is the inverse of `anniversary`: the period
    [start, end] holds `years` complete years exactly when anniversary(start, years) <= end + 1
    day, and this returns the latest such start. When the day after `end` is 29 February and the
    earlier year is common, 28 February is that latest start (1 March would reach its anniversary
    a day too late).
    """
    after_end = end + ONE_DAY
    try:
        return after_end.replace(year=after_end.year - years)
    except ValueError:  # 29 February counted back into a common year
        return date(after_end.year - years, 2, 28)


def complete_years(start: date, end: date) -> int:
    """Complete years in the period from `start` to `end`, both days included (ERA 1996 s.211).

    Part years never count (AfC Section 16, ERA s.162), so a day short of two years is one.
    Returns 0 for an empty or reversed period rather than a negative number, because "no
    complete years" is what every caller means by it.
    """
    if end < start:
        return 0
    after_end = end + ONE_DAY
    years = after_end.year - start.year
    if anniversary(start, years) > after_end:
        years -= 1
    return max(years, 0)


def complete_months(start: date, end: date) -> int:
    """Complete calendar months in the inclusive period from `start` to `end`.

    A month is complete when the period reaches the day before the same day-number of the next
    month (or that month's last day, matching `add_months`); used for the statutory notice
    test "employed for one month or more" (ERA 1996 s.86(1)).
    """
    if end < start:
        return 0
    after_end = end + ONE_DAY
    months = (after_end.year - start.year) * 12 + (after_end.month - start.month)
    while months > 0 and add_months(start, months) > after_end:
        months -= 1
    return max(months, 0)


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on the day `on`; a person attains an age at the start of their birthday.

    Someone born 10 March 1975 is 41 on 10 March 2016 and 40 on 9 March 2016. Born on
    29 February, they attain each age on 1 March in a common year (see the module docstring).
    """
    if on < date_of_birth:
        raise ValueError(
            f"{on.isoformat()} is before the date of birth {date_of_birth.isoformat()}"
        )
    years = on.year - date_of_birth.year
    if anniversary(date_of_birth, years) > on:
        years -= 1
    return years


def four_weeks_beginning_with(start: date) -> date:
    """The last day of "four weeks beginning with" `start`, which includes `start` itself.

    A statutory trial period that starts on 1 May ends on 28 May (ERA 1996 s.138(3)): 28 days in
    all, so the last day is 27 days after the first.
    """
    return start + timedelta(days=27)


def add_months(day: date, months: int) -> date:
    """The day `months` calendar months after `day` (before it, if negative).

    It falls on the same day-number, or on the last day of the later month when that month is
    shorter: six months after 31 August is 28 February, or 29 February in a leap year.
    """
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def period_text(start: date, end: date) -> str:
    """A period as people write it in letters: "1 September 2008 to 31 March 2026"."""
    return f"{long_date(start)} to {long_date(end)}"


def long_date(day: date) -> str:
    """A date as people write it in letters, without a leading zero: "1 September 2008"."""
    return f"{day.day} {day.strftime('%B %Y')}"


def first_full_statutory_week(*, first_day: date, last_day: date) -> date | None:
    """The Sunday starting the first whole week ending with Saturday (ERA 1996 s.235(1)) that
    lies inside the days `first_day` to `last_day`, or None if no whole such week fits.

    Continuity of employment survives any week in which a contract existed for even part of the
    week (ERA 1996 s.212(1)); it is broken only by a whole Sunday-to-Saturday week without one.
    This is how "a break of more than one week" is measured for continuous NHS service.
    """
    # date.weekday(): Monday is 0 and Sunday is 6.
    sunday = first_day + timedelta(days=(6 - first_day.weekday()) % 7)
    if sunday + timedelta(days=6) <= last_day:
        return sunday
    return None


def complete_statutory_weeks(*, first_day: date, last_day: date) -> int:
    """How many whole weeks ending with Saturday (Sunday to Saturday, ERA 1996 s.235(1)) lie
    inside the days `first_day` to `last_day`, both included; 0 for an empty period.

    ERA s.212 continuity is broken by one such week without a contract; AfC Section 16 allows a
    break of "no more than one statutory week", so it is broken only by two.
    """
    sunday = first_full_statutory_week(first_day=first_day, last_day=last_day)
    if sunday is None:
        return 0
    return ((last_day - sunday).days + 1) // 7


def plural(count: int, word: str) -> str:
    """ "1 complete year", "2 complete years": a count and its noun, for breakdown lines."""
    return f"{count} {word}{'' if count == 1 else 's'}"
