"""Worked examples for which NHS service counts (`employment.rules.service`).

Sources: AfC Handbook Section 16 (England) and NHS Employers' redundancy guidance for
reckonable service [reported in domain-rules.md]; ERA 1996 s.212, s.214, s.235 for continuity;
the break and pooling measures are the decisions in the module docstring.
"""

from datetime import date

import pytest

from employment.rules.service import ServicePeriod, service_summary

EXIT = date(2026, 3, 31)


def test_break_of_exactly_twelve_months_counts():
    # Earlier 1 Apr 2010 .. 31 Mar 2020 = 10 complete years; break 1 Apr 2020 .. 31 Mar 2021 is
    # exactly 12 months (next start 1 Apr 2021 = add_months(1 Apr 2020, 12)) -> counts.
    # Current 1 Apr 2021 .. 31 Mar 2026 = 5 years. Reckonable 10 + 5 = 15; continuous 5.
    summary = service_summary(
        service_start=date(2021, 4, 1),
        exit_date=EXIT,
        previous_service=[ServicePeriod(start=date(2010, 4, 1), end=date(2020, 3, 31))],
    )
    assert summary.reckonable_years == 15
    assert summary.continuous_years == 5
    earlier = summary.segments[0]
    assert earlier.counted
    assert "(12 months) is 12 months or less" in earlier.reason


def test_break_of_twelve_months_and_a_day_does_not_count():
    # Restarting 2 Apr 2021: break 1 Apr 2020 .. 1 Apr 2021 = 12 months and 1 day -> the
    # earlier 10 years are lost. Current 2 Apr 2021 .. 31 Mar 2026: 5th anniversary 2 Apr 2026
    # is after 1 Apr 2026 -> 4 complete years (and 364 days: 2 Apr 2025 .. 31 Mar 2026).
    summary = service_summary(
        service_start=date(2021, 4, 2),
        exit_date=EXIT,
        previous_service=[ServicePeriod(start=date(2010, 4, 1), end=date(2020, 3, 31))],
    )
    assert summary.reckonable_years == 4
    assert summary.reckonable_extra_days == 364
    earlier = summary.segments[0]
    assert not earlier.counted
    assert "12 months and 1 day" in earlier.reason
    assert "over 12 months" in earlier.reason


def test_service_already_paid_out_and_everything_before_it_is_excluded():
    # 1 Apr 2000 .. 1 Mar 2005 (gap to next under 12 months), then 1 Apr 2005 .. 31 Mar 2015
    # paid out in an earlier NHS redundancy, then current 1 Apr 2016 .. 31 Mar 2026 (10 years).
    # Only the current 10 years are reckonable; both earlier periods say why not.
    summary = service_summary(
        service_start=date(2016, 4, 1),
        exit_date=EXIT,
        previous_service=[
            ServicePeriod(start=date(2000, 4, 1), end=date(2005, 3, 1)),
            ServicePeriod(start=date(2005, 4, 1), end=date(2015, 3, 31), paid_out=True),
        ],
    )
    assert summary.reckonable_years == 10
    first, paid, current = summary.segments
    assert (first.counted, paid.counted, current.counted) == (False, False, True)
    assert paid.reason == "already paid out in an earlier NHS redundancy"
    assert first.reason.startswith("before service already paid out")


def test_service_before_retire_and_return_is_excluded():
    # Continuous from 1 Apr 2006; drew an NHS pension and returned 1 Apr 2022. Reckonable is
    # 1 Apr 2022 .. 31 Mar 2026 = 4 years; continuity (ERA) still runs from 2006 = 20 years.
    summary = service_summary(
        service_start=date(2006, 4, 1), exit_date=EXIT, retire_and_return=date(2022, 4, 1)
    )
    assert summary.reckonable_years == 4
    assert summary.continuous_years == 20
    before, after = summary.segments
    assert not before.counted
    assert (before.start, before.end) == (date(2006, 4, 1), date(2022, 3, 31))
    assert "retire and return" in before.reason
    assert after.counted


def test_gap_without_a_whole_statutory_week_keeps_continuity():
    # Earlier ends Tue 5 Mar 2024, current starts Mon 11 Mar 2024: gap Wed 6 .. Sun 10 Mar holds
    # no Sunday-to-Saturday week (ERA s.212/s.235) -> one continuous period from 6 Jan 2020.
    # 6 Jan 2020 .. 31 Mar 2026: 6th anniversary 6 Jan 2026 <= 1 Apr 2026 -> 6 years, and
    # 6 Jan .. 31 Mar 2026 = 26 + 28 + 31 = 85 days over.
    summary = service_summary(
        service_start=date(2024, 3, 11),
        exit_date=EXIT,
        previous_service=[ServicePeriod(start=date(2020, 1, 6), end=date(2024, 3, 5))],
    )
    assert summary.continuous_start == date(2020, 1, 6)
    assert summary.continuous_years == 6
    assert (summary.reckonable_years, summary.reckonable_extra_days) == (6, 85)


def test_gap_with_one_whole_week_breaks_statutory_continuity_but_not_section_16():
    # Earlier ends Fri 1 Mar 2024, current starts Mon 11 Mar 2024: the nine-day gap Sat 2 ..
    # Sun 10 Mar holds one Sunday-to-Saturday week, Sun 3 .. Sat 9 Mar.
    # Statutory (ERA s.212): one whole week breaks it -> continuous 11 Mar 2024 .. 31 Mar 2026
    # = 2 years. Section 16 ("a break of no more than one statutory week"): one whole week is
    # allowed -> continuous from 6 Jan 2020, and the gap days are inside the period, so
    # reckonable = 6 Jan 2020 .. 31 Mar 2026 = 6 years + (26 + 28 + 31 = 85 days), as the
    # no-gap case above.
    summary = service_summary(
        service_start=date(2024, 3, 11),
        exit_date=EXIT,
        previous_service=[ServicePeriod(start=date(2020, 1, 6), end=date(2024, 3, 1))],
    )
    assert summary.continuous_start == date(2024, 3, 11)
    assert summary.continuous_years == 2
    assert summary.nhs_continuous_start == date(2020, 1, 6)
    assert summary.nhs_continuous_years == 6
    assert (summary.reckonable_years, summary.reckonable_extra_days) == (6, 85)
    assert any("Section 16 continuity survives" in note for note in summary.notes)


def test_gap_with_two_whole_weeks_breaks_both_but_stays_reckonable():
    # Earlier ends Fri 23 Feb 2024, current starts Mon 11 Mar 2024: gap Sat 24 Feb .. Sun 10 Mar
    # (16 days) holds Sun 25 Feb .. Sat 2 Mar and Sun 3 .. Sat 9 Mar -> two whole weeks break
    # both continuities; both continuous from 11 Mar 2024 = 2 years. Reckonable pools both
    # (break well under 12 months):
    #   6 Jan 2020 .. 23 Feb 2024 = 4 years + 6 Jan .. 23 Feb 2024 = 26 + 23 = 49 days
    #   11 Mar 2024 .. 31 Mar 2026 = 2 years + 11 .. 31 Mar 2026 = 21 days
    #   4 + 2 = 6 years and 49 + 21 = 70 days (under 365, so no extra year).
    summary = service_summary(
        service_start=date(2024, 3, 11),
        exit_date=EXIT,
        previous_service=[ServicePeriod(start=date(2020, 1, 6), end=date(2024, 2, 23))],
    )
    assert summary.continuous_start == date(2024, 3, 11)
    assert summary.continuous_years == 2
    assert summary.nhs_continuous_start == date(2024, 3, 11)
    assert summary.nhs_continuous_years == 2
    assert (summary.reckonable_years, summary.reckonable_extra_days) == (6, 70)


def test_part_years_from_separate_periods_pool_into_a_year():
    # Earlier 1 Apr 2015 .. 30 Sep 2018 = 3 years + 1 Apr .. 30 Sep 2018
    #   (30 + 31 + 30 + 31 + 31 + 30) = 183 days.
    # Break 1 Oct 2018 .. 30 Sep 2019 = exactly 12 months -> counts.
    # Current 1 Oct 2019 .. 31 Mar 2026 = 6 years + 1 Oct 2025 .. 31 Mar 2026
    #   (31 + 30 + 31 + 31 + 28 + 31) = 182 days.
    # Pool 183 + 182 = 365 days = 1 more year [assumed: 365 days a year]
    #   -> 3 + 6 + 1 = 10 years, 0 days over.
    summary = service_summary(
        service_start=date(2019, 10, 1),
        exit_date=EXIT,
        previous_service=[ServicePeriod(start=date(2015, 4, 1), end=date(2018, 9, 30))],
    )
    assert (summary.reckonable_years, summary.reckonable_extra_days) == (10, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"service_start": date(2026, 4, 1)}, "is before the service start"),
        (
            {"previous_service": [ServicePeriod(start=date(2020, 1, 1), end=date(2019, 1, 1))]},
            "ends before it starts",
        ),
        (
            {"previous_service": [ServicePeriod(start=date(2020, 1, 1), end=date(2024, 1, 1))]},
            "must end before the current service starts",
        ),
        ({"retire_and_return": date(2026, 4, 1)}, "is after the exit date"),
    ],
)
def test_impossible_dates_are_refused_with_a_reason(kwargs, message):
    arguments = {"service_start": date(2023, 1, 1), "exit_date": EXIT, **kwargs}
    with pytest.raises(ValueError, match=message):
        service_summary(**arguments)
