"""Worked examples for AfC Section 16 and statutory redundancy pay, and which one is payable.

Each amount is derived by hand in the comment beside it. Sources: AfC Handbook Section 16
(England) (months, floor, cap, 24-month maximum, 2 years' qualifying service) and NHS Employers,
"NHS redundancy arrangements" (a month's pay is the more beneficial of salary / 12 and 4.35 x a
week's pay, ERA ss.221-229; for a fixed salary a week's pay is salary / 52, so route (b),
months x salary x 4.35 / 52, is the one paid in every example here); ERA 1996 s.162
(count back, age rates, 20 years) with the weekly caps in domain-rules.md [reported];
domain-rules.md [assumed] for "the higher is payable, not both" and the whole-year age reading.
"""

from datetime import date
from decimal import Decimal

import pytest

from employment.rules import NoRuleSetInForce, ServicePeriod, estimate_entitlements


def estimate(**overrides):
    """The domain-rules.md worked example, with any input changed."""
    arguments = {
        "salary": Decimal(50000),
        "date_of_birth": date(1975, 3, 10),
        "service_start": date(2008, 9, 1),
        "exit_date": date(2026, 3, 31),
        "band": "7",
    }
    arguments.update(overrides)
    return estimate_entitlements(**arguments)


# --- AfC Section 16 -------------------------------------------------------------------------


def test_afc_worked_example():
    # domain-rules.md worked example: 1 Sep 2008 .. 31 Mar 2026 = 17 complete years -> 17 months;
    # route (b) 17 x 50,000 x 4.35 / 52 = 3,697,500 / 52 = 71,105.769... -> £71,105.77;
    # route (a) 17 x 50,000 / 12 = 850,000 / 12 = 70,833.333... -> £70,833.33, the lower.
    afc = estimate().afc_redundancy
    assert afc.eligible
    assert afc.months == 17
    assert afc.annual_pay_used == Decimal(50000)
    assert afc.pay_limit_applied == ""
    assert afc.total == Decimal("71105.77")
    assert (afc.route_used, afc.route_a_total, afc.route_b_total) == (
        "b",
        Decimal("70833.33"),
        Decimal("71105.77"),
    )
    text = " ".join(afc.breakdown)
    assert "Route (a): 17 x £50,000.00 / 12 = £70,833.33." in text
    assert "Route (b): 17 x 4.35 x £50,000.00 / 52 = £71,105.77." in text
    assert afc.rule_set.effective_from == date(2015, 4, 1)
    assert afc.rule_set.applied_on == date(2026, 3, 31)


def test_afc_exactly_two_years_qualifies():
    # 1 Apr 2024 .. 31 Mar 2026 = exactly 2 years (ERA s.211 inclusive) -> qualifies
    # (AfC s.16: 2 years' continuous service); 2 x 30,000 x 4.35 / 52 = 261,000 / 52
    # = 5,019.230... -> £5,019.23.
    afc = estimate(salary=Decimal(30000), service_start=date(2024, 4, 1)).afc_redundancy
    assert afc.eligible
    assert afc.total == Decimal("5019.23")


def test_afc_a_day_short_of_two_years_does_not_qualify():
    # 2 Apr 2024 .. 31 Mar 2026 = 1 complete year (2nd anniversary 2 Apr 2026 not reached)
    # -> fails AfC s.16's 2-year test [decision: 104 weeks read as 2 complete years] -> £0.00.
    afc = estimate(salary=Decimal(30000), service_start=date(2024, 4, 2)).afc_redundancy
    assert not afc.eligible
    assert afc.months == 0
    assert afc.total == Decimal("0.00")


def test_afc_24_month_maximum_and_80000_cap():
    # 1 Apr 1996 .. 31 Mar 2026 = 30 years -> months capped at 24 (AfC s.16);
    # salary 90,000 capped at 80,000 -> 24 x 80,000 x 4.35 / 52 = 8,352,000 / 52 = 160,615.384...
    # -> £160,615.38, the most anyone gets (domain-rules.md).
    afc = estimate(
        salary=Decimal(90000), date_of_birth=date(1960, 1, 15), service_start=date(1996, 4, 1)
    ).afc_redundancy
    assert afc.reckonable_years == 30
    assert afc.months == 24
    assert afc.pay_limit_applied == "cap"
    assert afc.total == Decimal("160615.38")
    assert afc.route_a_total == Decimal("160000.00")


def test_afc_23000_floor():
    # Full time on 20,000, 1 Apr 2021 .. 31 Mar 2026 = 5 years; pay raised to the 23,000 floor
    # (AfC s.16): 5 x 23,000 x 4.35 / 52 = 500,250 / 52 = 9,620.192... -> £9,620.19
    # (route (a) 5 x 23,000 / 12 = £9,583.33).
    afc = estimate(salary=Decimal(20000), service_start=date(2021, 4, 1)).afc_redundancy
    assert afc.pay_limit_applied == "floor"
    assert afc.annual_pay_used == Decimal(23000)
    assert afc.total == Decimal("9620.19")


def test_afc_80000_cap_without_the_month_cap():
    # 95,000 capped at 80,000; 1 Apr 2016 .. 31 Mar 2026 = 10 years:
    # 10 x 80,000 x 4.35 / 52 = 3,480,000 / 52 = 66,923.076... -> £66,923.08 (AfC s.16).
    afc = estimate(salary=Decimal(95000), service_start=date(2016, 4, 1)).afc_redundancy
    assert afc.total == Decimal("66923.08")


def test_afc_part_time_above_the_pro_rata_floor_uses_actual_pay():
    # 18,000 actual at 0.6 of full time (30,000 whole-time). Floor pro rata 23,000 x 0.6 =
    # 13,800, cap 80,000 x 0.6 = 48,000 [decision, reported: floor/cap on whole-time pay]
    # -> 18,000 used; 10 years: 10 x 18,000 x 4.35 / 52 = 783,000 / 52 = 15,057.692...
    # -> £15,057.69 (not on the whole-time 23,000 floor).
    afc = estimate(
        salary=Decimal(18000), fte=Decimal("0.6"), service_start=date(2016, 4, 1)
    ).afc_redundancy
    assert afc.pay_limit_applied == ""
    assert afc.total == Decimal("15057.69")


def test_afc_part_time_below_the_pro_rata_floor():
    # 10,000 at 0.5 (20,000 whole-time, under the floor). Floor 23,000 x 0.5 = 11,500;
    # 1 Apr 2022 .. 31 Mar 2026 = 4 years:
    # 4 x 11,500 x 4.35 / 52 = 200,100 / 52 = 3,848.076... -> £3,848.08.
    afc = estimate(
        salary=Decimal(10000), fte=Decimal("0.5"), service_start=date(2022, 4, 1)
    ).afc_redundancy
    assert afc.pay_limit_applied == "floor"
    assert afc.annual_pay_used == Decimal("11500.0")
    assert afc.total == Decimal("3848.08")


def test_afc_part_time_cap_is_pro_rata():
    # 45,000 at 0.5 (90,000 whole-time). Cap 80,000 x 0.5 = 40,000;
    # 1 Apr 2020 .. 31 Mar 2026 = 6 years: 6 x 40,000 x 4.35 / 52 = 1,044,000 / 52
    # = 20,076.923... -> £20,076.92.
    afc = estimate(
        salary=Decimal(45000), fte=Decimal("0.5"), service_start=date(2020, 4, 1)
    ).afc_redundancy
    assert afc.pay_limit_applied == "cap"
    assert afc.total == Decimal("20076.92")


def test_afc_rounds_once_half_up():
    # 30,001.40 for 2 years (1 Apr 2024 .. 31 Mar 2026): 2 x 30,001.40 x 4.35 / 52
    # = 261,012.18 / 52 = 5,019.465 exactly -> ROUND_HALF_UP gives £5,019.47 (banker's rounding
    # would give 5,019.46; rounding the month's pay first, 30,001.40 x 4.35 / 52 = 2,509.7325
    # -> 2,509.73, x 2 = 5,019.46, would too).
    afc = estimate(salary=Decimal("30001.40"), service_start=date(2024, 4, 1)).afc_redundancy
    assert afc.total == Decimal("5019.47")


def test_afc_leap_day_start():
    # Started 29 Feb 2024. To 28 Feb 2026: the day after (1 Mar 2026) is 29 Feb's 2nd
    # anniversary in a common year [leap-day decision] -> 2 years -> 2 x 30,000 x 4.35 / 52
    # = £5,019.23.
    # To 27 Feb 2026: 1 year -> does not qualify.
    two_years = estimate(
        salary=Decimal(30000), service_start=date(2024, 2, 29), exit_date=date(2026, 2, 28)
    ).afc_redundancy
    assert (two_years.eligible, two_years.total) == (True, Decimal("5019.23"))
    short = estimate(
        salary=Decimal(30000), service_start=date(2024, 2, 29), exit_date=date(2026, 2, 27)
    ).afc_redundancy
    assert not short.eligible


def test_afc_earlier_service_after_a_twelve_month_break_counts():
    # Earlier 1 Apr 2010 .. 31 Mar 2020 (10 years), break exactly 12 months, current
    # 1 Apr 2021 .. 31 Mar 2026 (5 years): 15 x 36,000 x 4.35 / 52 = 2,349,000 / 52
    # = 45,173.076... -> £45,173.08. Restarting 2 Apr 2021 (12 months and a day) loses the
    # 10 years: 4 x 36,000 x 4.35 / 52 = 626,400 / 52 = 12,046.153... -> £12,046.15.
    earlier = [ServicePeriod(start=date(2010, 4, 1), end=date(2020, 3, 31))]
    counts = estimate(
        salary=Decimal(36000), service_start=date(2021, 4, 1), previous_service=earlier
    )
    assert counts.afc_redundancy.total == Decimal("45173.08")
    lost = estimate(salary=Decimal(36000), service_start=date(2021, 4, 2), previous_service=earlier)
    assert lost.afc_redundancy.total == Decimal("12046.15")
    assert any("Not counted: 1 April 2010" in line for line in lost.afc_redundancy.breakdown)


def test_afc_service_already_paid_out_is_not_paid_again():
    # Earlier 1 Apr 2005 .. 31 Mar 2015 paid out; current 1 Apr 2016 .. 31 Mar 2026 = 10 years:
    # 10 x 40,000 x 4.35 / 52 = 1,740,000 / 52 = 33,461.538... -> £33,461.54.
    afc = estimate(
        salary=Decimal(40000),
        service_start=date(2016, 4, 1),
        previous_service=[
            ServicePeriod(start=date(2005, 4, 1), end=date(2015, 3, 31), paid_out=True)
        ],
    ).afc_redundancy
    assert afc.reckonable_years == 10
    assert afc.total == Decimal("33461.54")


# --- Statutory redundancy (ERA 1996 s.162) --------------------------------------------------


def test_statutory_worked_example_before_6_april_2026():
    # Born 10 Mar 1975; 17 years to 31 Mar 2026. Year k back starts 1 Apr (2026 - k); age that
    # day = 51 - k, so years 1-10 (age 50..41) earn 1.5 = 15 weeks, years 11-17 (age 40..34)
    # earn 1 = 7 weeks: 22 weeks. 50,000 / 52 = 961.54 > cap 719 (dismissal before 6 Apr 2026)
    # -> 22 x 719 = £15,818.00.
    statutory = estimate().statutory_redundancy
    assert statutory.weeks == Decimal("22.0")
    assert statutory.cap_applied
    assert statutory.weekly_pay == Decimal(719)
    assert statutory.total == Decimal("15818.00")
    assert statutory.rule_set.effective_from == date(2025, 4, 6)


@pytest.mark.parametrize(
    ("exit_date", "weeks", "cap", "total"),
    [
        # 5 Apr 2025: 16 years (1 Sep 2024 is the 16th anniversary). Year k starts
        # 6 Apr (2025 - k), age 50 - k: years 1-9 x 1.5 = 13.5, years 10-16 x 1 = 7 -> 20.5 weeks;
        # cap £700 (6 Apr 2024 - 5 Apr 2025): 20.5 x 700 = £14,350.00.
        (date(2025, 4, 5), "20.5", 700, "14350.00"),
        # 6 Apr 2025: same 20.5 weeks, cap £719: 20.5 x 719 = £14,739.50.
        (date(2025, 4, 6), "20.5", 719, "14739.50"),
        # 5 Apr 2026: 17 years, 22 weeks as the worked example, cap £719 -> £15,818.00.
        (date(2026, 4, 5), "22.0", 719, "15818.00"),
        # 6 Apr 2026: 17 years; year k starts 7 Apr (2026 - k), age 51 - k -> 22 weeks; cap £751:
        # 22 x 751 = £16,522.00.
        (date(2026, 4, 6), "22.0", 751, "16522.00"),
    ],
)
def test_statutory_weekly_cap_by_dismissal_date(exit_date, weeks, cap, total):
    statutory = estimate(exit_date=exit_date).statutory_redundancy
    assert statutory.weeks == Decimal(weeks)
    assert statutory.weekly_pay == Decimal(cap)
    assert statutory.total == Decimal(total)


def test_statutory_age_41_for_the_whole_year():
    # 1 Apr 2016 .. 31 Mar 2026 = 10 years; 30,000 / 52 = 576.92 (under the cap).
    # Born 1 Apr 1984: 41 at the start of 1 Apr 2025, the first day of year 1 -> 1.5; years 2-10
    # (ages 40..32) x 1 -> 10.5 weeks; 10.5 x 30,000 / 52 = 315,000 / 52 = 6,057.69.
    # Born 2 Apr 1984: 40 on 1 Apr 2025, 41 only from day 2 -> year 1 at 1 week -> 10 weeks;
    # 300,000 / 52 = 5,769.23 (ERA s.162(2) "the whole of which", domain-rules.md [assumed]).
    older = estimate(
        salary=Decimal(30000), date_of_birth=date(1984, 4, 1), service_start=date(2016, 4, 1)
    ).statutory_redundancy
    assert (older.weeks, older.total) == (Decimal("10.5"), Decimal("6057.69"))
    younger = estimate(
        salary=Decimal(30000), date_of_birth=date(1984, 4, 2), service_start=date(2016, 4, 1)
    ).statutory_redundancy
    assert (younger.weeks, younger.total) == (Decimal("10.0"), Decimal("5769.23"))


def test_statutory_age_22_for_the_whole_year():
    # 1 Apr 2020 .. 31 Mar 2026 = 6 years on 24,465 (24,465 / 52 = 470.48, under the cap).
    # Born 1 Apr 2002: year k starts 1 Apr (2026 - k), age 24 - k -> years 1-2 (23, 22) x 1,
    # years 3-6 (21..18) x 0.5 -> 4 weeks: 4 x 24,465 / 52 = 97,860 / 52 = 1,881.923 -> 1,881.92.
    # Born 2 Apr 2002: year 2 starts 1 Apr 2024 aged 21 -> 1 + 5 x 0.5 = 3.5 weeks:
    # 3.5 x 24,465 / 52 = 85,627.5 / 52 = 1,646.6826... -> 1,646.68.
    on_birthday = estimate(
        salary=Decimal(24465), date_of_birth=date(2002, 4, 1), service_start=date(2020, 4, 1)
    ).statutory_redundancy
    assert (on_birthday.weeks, on_birthday.total) == (Decimal("4.0"), Decimal("1881.92"))
    day_later = estimate(
        salary=Decimal(24465), date_of_birth=date(2002, 4, 2), service_start=date(2020, 4, 1)
    ).statutory_redundancy
    assert (day_later.weeks, day_later.total) == (Decimal("3.5"), Decimal("1646.68"))
    assert [year.weeks for year in day_later.years[:2]] == [Decimal(1), Decimal("0.5")]


def test_statutory_counts_at_most_20_years():
    # Born 15 Jan 1960, 30 years to 31 Mar 2026; only the last 20 count (s.162(3)); every one
    # starts aged 46+ -> 20 x 1.5 = 30 weeks x 719 = £21,570.00 (the 2025/26 GOV.UK maximum).
    statutory = estimate(
        salary=Decimal(90000), date_of_birth=date(1960, 1, 15), service_start=date(1996, 4, 1)
    ).statutory_redundancy
    assert statutory.years_counted == 20
    assert statutory.weeks == Decimal("30.0")
    assert statutory.total == Decimal("21570.00")
    assert any("at most 20 years" in line for line in statutory.breakdown)


def test_statutory_needs_two_years():
    # 2 Apr 2024 .. 31 Mar 2026 = 1 complete year -> no statutory payment (ERA s.155).
    statutory = estimate(service_start=date(2024, 4, 2)).statutory_redundancy
    assert not statutory.eligible
    assert statutory.total == Decimal("0.00")


def test_no_rules_on_file_before_the_earliest_cap():
    # The earliest weekly cap on file starts 6 Apr 2024; an exit on 5 Apr 2024 has none.
    with pytest.raises(NoRuleSetInForce, match="statutory redundancy"):
        estimate(exit_date=date(2024, 4, 5))


# --- Which payment is made ------------------------------------------------------------------


def test_the_higher_payment_is_payable_not_both():
    # Worked example: AfC 71,105.77 > statutory 15,818.00 -> AfC payable (it includes the
    # statutory payment). Tax note: first 30,000 tax free, 71,105.77 - 30,000 = 41,105.77 taxable.
    payable = estimate().redundancy_payable
    assert payable.payable == "afc_redundancy"
    assert payable.amount == Decimal("71105.77")
    assert (payable.tax_free, payable.taxable) == (Decimal(30000), Decimal("41105.77"))


def test_statutory_is_payable_when_retire_and_return_shrinks_the_afc_payment():
    # Born 15 Jun 1966, continuous from 1 Apr 2006, returned after drawing a pension 1 Apr 2022.
    # AfC: reckonable 1 Apr 2022 .. 31 Mar 2026 = 4 years: 4 x 60,000 x 4.35 / 52
    # = 1,044,000 / 52 = 20,076.923... -> £20,076.92.
    # Statutory: 20 years continuous (ERA). Year k starts 1 Apr (2026 - k), age 59 - k:
    # years 1-18 (58..41) x 1.5 = 27, years 19-20 (40, 39) x 1 = 2 -> 29 weeks;
    # 60,000 / 52 = 1,153.85 > 719 -> 29 x 719 = £20,851.00, higher -> statutory payable.
    result = estimate(
        salary=Decimal(60000),
        date_of_birth=date(1966, 6, 15),
        service_start=date(2006, 4, 1),
        retire_and_return=date(2022, 4, 1),
    )
    assert result.afc_redundancy.total == Decimal("20076.92")
    assert result.statutory_redundancy.total == Decimal("20851.00")
    assert result.redundancy_payable.payable == "statutory_redundancy"
    assert result.redundancy_payable.amount == Decimal("20851.00")


def test_nothing_is_payable_without_qualifying_service():
    payable = estimate(service_start=date(2025, 1, 1)).redundancy_payable
    assert payable.payable is None
    assert payable.amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"salary": Decimal(0)}, "salary must be more than"),
        ({"fte": Decimal("1.2")}, "fraction of full time"),
        ({"date_of_birth": date(2009, 1, 1)}, "not after the date of birth"),
        ({"band": "Band 12"}, "is not a band"),
        ({"pension_scheme": "1987"}, "is not one of"),
        ({"notice_given_on": date(2026, 4, 1)}, "must fall within continuous service"),
        ({"salary": 50000.0}, "not a float"),
    ],
)
def test_bad_inputs_are_refused_with_a_reason(overrides, message):
    with pytest.raises((ValueError, TypeError), match=message):
        estimate(**overrides)
