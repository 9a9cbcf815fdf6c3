"""AfC Section 16 (England): a month's pay by both routes, and Section 16 continuity.

Sources, named once: NHS Terms and Conditions of Service Handbook, Section 16 (England) and NHS
Employers, "NHS redundancy arrangements" (one month's pay per complete year, at most 24; a
month's pay is the more beneficial of (a) annual salary / 12 and (b) 4.35 x a week's pay under
ERA 1996 ss.221-229; annual earnings floored at £23,000 and capped at £80,000, pro rata for
part-time; "a break of no more than one statutory week"); ERA 1996 s.221(2) (a fixed salary for
normal hours: a week's pay is annual salary / 52); ERA 1996 s.212 and s.235(1) (statutory
continuity: a week is Sunday to Saturday and any whole week without a contract breaks it);
domain-rules.md for the figures it works (£50,192.31, £160,615.38, £71,105.77).

Every expected figure is worked by hand in the comment beside it: route (b) is
months x clamped salary x 4.35 / 52, route (a) months x clamped salary / 12, each rounded once,
half up, on the total.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from employment.rules import ServicePeriod, estimate_entitlements
from employment.rules import section16 as section16_module
from employment.rules.dates import complete_statutory_weeks
from employment.rules.report import as_text
from employment.rules.rule_sets import AFC_REDUNDANCY


def estimate(**overrides):
    arguments = {
        "salary": Decimal(50000),
        "date_of_birth": date(1975, 3, 10),
        "service_start": date(2008, 9, 1),
        "exit_date": date(2026, 3, 31),
        "band": "7",
    }
    arguments.update(overrides)
    return estimate_entitlements(**arguments)


# --- A month's pay ---------------------------------------------------------------------------


def test_thirty_thousand_for_twenty_years():
    # domain-rules.md: 1 Apr 2006 .. 31 Mar 2026 = 20 complete years -> 20 months.
    # (b) 20 x 30,000 x 4.35 / 52 = 2,610,000 / 52 = 50,192.307... -> £50,192.31
    # (a) 20 x 30,000 / 12 = £50,000.00. A month: (a) 2,500.00, (b) 30,000 / 52 = 576.923...
    # a week x 4.35 = 2,509.615... -> 2,509.62.
    afc = estimate(
        salary=Decimal(30000), date_of_birth=date(1970, 6, 1), service_start=date(2006, 4, 1)
    ).afc_redundancy
    assert afc.months == 20
    assert afc.total == Decimal("50192.31")
    assert (afc.route_used, afc.route_a_total, afc.route_b_total) == (
        "b",
        Decimal("50000.00"),
        Decimal("50192.31"),
    )
    assert f"{afc.route_a_month_pay:.2f}" == "2500.00"
    assert f"{afc.route_b_week_pay:.2f}" == "576.92"
    assert f"{afc.route_b_month_pay:.2f}" == "2509.62"


def test_the_most_anyone_receives():
    # domain-rules.md: 24 x 80,000 x 4.35 / 52 = 8,352,000 / 52 = 160,615.384... -> £160,615.38.
    # 150,000 salary capped at 80,000; 1 Apr 1990 .. 31 Mar 2026 = 36 years -> 24 months.
    afc = estimate(
        salary=Decimal(150000), date_of_birth=date(1965, 1, 1), service_start=date(1990, 4, 1)
    ).afc_redundancy
    assert (afc.months, afc.pay_limit_applied) == (24, "cap")
    assert afc.total == Decimal("160615.38")


def test_band_seven_worked_example_and_vr_pays_the_same():
    # domain-rules.md worked example: 17 x 50,000 x 4.35 / 52 = 3,697,500 / 52 = 71,105.769...
    # -> £71,105.77; route (a) 17 x 50,000 / 12 = £70,833.33 is the lower. The national VR
    # scheme pays the same Section 16 amount.
    result = estimate()
    assert result.afc_redundancy.total == Decimal("71105.77")
    assert result.afc_redundancy.route_a_total == Decimal("70833.33")
    assert result.voluntary_redundancy.total == Decimal("71105.77")
    text = " ".join(result.afc_redundancy.breakdown)
    assert "Route (a): 17 x £50,000.00 / 12 = £70,833.33." in text
    assert "Route (b): 17 x 4.35 x £50,000.00 / 52 = £71,105.77." in text


@pytest.mark.parametrize(
    ("salary", "fte", "start", "limit", "used", "total"),
    [
        # Part time, between the pro rata floor and cap: 0.5 of full time on 20,000 (40,000
        # whole time). Floor 23,000 x 0.5 = 11,500, cap 80,000 x 0.5 = 40,000 -> 20,000 used.
        # 1 Apr 2016 .. 31 Mar 2026 = 10 years: 10 x 20,000 x 4.35 / 52 = 870,000 / 52
        # = 16,730.769... -> £16,730.77.
        ("20000", "0.5", date(2016, 4, 1), "", "20000", "16730.77"),
        # Part time under the pro rata floor: 0.6 on 12,000 (20,000 whole time). Floor
        # 23,000 x 0.6 = 13,800. 1 Apr 2021 .. = 5 years: 5 x 13,800 x 4.35 / 52 = 300,150 / 52
        # = 5,772.115... -> £5,772.12.
        ("12000", "0.6", date(2021, 4, 1), "floor", "13800", "5772.12"),
        # Part time over the pro rata cap: 0.8 on 72,000 (90,000 whole time). Cap
        # 80,000 x 0.8 = 64,000. 1 Apr 2018 .. = 8 years: 8 x 64,000 x 4.35 / 52
        # = 2,227,200 / 52 = 42,830.769... -> £42,830.77.
        ("72000", "0.8", date(2018, 4, 1), "cap", "64000", "42830.77"),
        # Full time under the floor: 21,000 raised to 23,000. 1 Apr 2023 .. = 3 years:
        # 3 x 23,000 x 4.35 / 52 = 300,150 / 52 = 5,772.115... -> £5,772.12.
        ("21000", "1", date(2023, 4, 1), "floor", "23000", "5772.12"),
        # Full time exactly on the cap: 80,000 used as it is; 1 Apr 2024 .. = 2 years:
        # 2 x 80,000 x 4.35 / 52 = 696,000 / 52 = 13,384.615... -> £13,384.62.
        ("80000", "1", date(2024, 4, 1), "", "80000", "13384.62"),
    ],
)
def test_floor_and_cap_pro_rata_for_part_time(salary, fte, start, limit, used, total):
    afc = estimate(salary=Decimal(salary), fte=Decimal(fte), service_start=start).afc_redundancy
    assert afc.pay_limit_applied == limit
    assert afc.annual_pay_used == Decimal(used)
    assert afc.total == Decimal(total)
    assert afc.route_used == "b"


def test_statutory_weekly_cap_does_not_limit_route_b_but_is_a_rule_set_setting(monkeypatch):
    # 80,000 / 52 = 1,538.46 a week, over the £719 statutory cap (31 Mar 2026). As the rule set
    # stands, route (b) is not capped: 10 years (1 Apr 2016 ..) x 80,000 x 4.35 / 52
    # = 3,480,000 / 52 = £66,923.08.
    uncapped = estimate(salary=Decimal(80000), service_start=date(2016, 4, 1)).afc_redundancy
    assert (uncapped.total, uncapped.route_b_weekly_cap_applied) == (Decimal("66923.08"), False)
    # With the setting turned on, route (b) = 10 x 4.35 x 719 = £31,276.50, and route (a)
    # 10 x 80,000 / 12 = 800,000 / 12 = 66,666.666... -> £66,666.67 is the more beneficial.
    capped_rules = (replace(AFC_REDUNDANCY[0], statutory_weekly_cap_limits_route_b=True),)
    monkeypatch.setattr(section16_module, "AFC_REDUNDANCY", capped_rules)
    capped = estimate(salary=Decimal(80000), service_start=date(2016, 4, 1)).afc_redundancy
    assert capped.route_b_weekly_cap_applied
    assert capped.route_b_total == Decimal("31276.50")
    assert (capped.route_used, capped.total) == ("a", Decimal("66666.67"))


# --- Section 16 continuity -------------------------------------------------------------------
#
# September 2025, from the calendar (date.weekday, checked against a printed calendar):
#
#     Sun Mon Tue Wed Thu Fri Sat
#      31   1   2   3   4   5   6      (31 = Sunday 31 August)
#       7   8   9  10  11  12  13
#      14  15  16  17  18  19  20
#      21  22  23  24  25  26  27
#
# The earlier NHS job runs 1 April 2015 to the day before the gap; the current one from the day
# after the gap to Tuesday 31 March 2026. Salary 30,000, born 1 January 1980.
# If Section 16 continuity holds: continuous (and reckonable) 1 Apr 2015 .. 31 Mar 2026 = 11
# complete years -> 11 x 30,000 x 4.35 / 52 = 1,435,500 / 52 = 27,605.769... -> £27,605.77.
# If statutory continuity holds too: 11 years counted back; year k starts 1 Apr (2026 - k), age
# 46 - k (birthday 1 Jan already passed): years 1-5 (45..41) x 1.5 = 7.5, years 6-11 (40..35)
# x 1 = 6 -> 13.5 weeks x 30,000 / 52 = 405,000 / 52 = 7,788.461... -> £7,788.46.
# If a continuity is broken, only the current job (from September 2025, under a year) is
# continuous: under 2 years -> £0.00.

AFC_WITH_CONTINUITY = Decimal("27605.77")
STATUTORY_WITH_CONTINUITY = Decimal("7788.46")
NOTHING = Decimal("0.00")


@pytest.mark.parametrize(
    ("first_gap_day", "last_gap_day", "days", "whole_weeks", "afc_total", "statutory_total"),
    [
        # Six days, Mon 1 .. Sat 6 Sep: Sun 31 Aug was worked, so the week Sun 31 Aug .. Sat 6
        # Sep is not whole; six days can never hold seven. Both continuities hold.
        (date(2025, 9, 1), date(2025, 9, 6), 6, 0, AFC_WITH_CONTINUITY, STATUTORY_WITH_CONTINUITY),
        # Seven days, Mon 1 .. Sun 7 Sep: Sun 31 Aug and Mon 8 Sep were worked, so neither
        # Sunday-Saturday week is whole. Both hold.
        (date(2025, 9, 1), date(2025, 9, 7), 7, 0, AFC_WITH_CONTINUITY, STATUTORY_WITH_CONTINUITY),
        # Seven days, Sun 7 .. Sat 13 Sep: exactly one whole week. Statutory continuity is broken
        # (ERA s.212); Section 16 allows one statutory week, so the NHS payment is kept.
        (date(2025, 9, 7), date(2025, 9, 13), 7, 1, AFC_WITH_CONTINUITY, NOTHING),
        # Eight days, Sun 7 .. Sun 14 Sep: one whole week (7-13); Sun 14 alone is not a week.
        # Statutory broken, Section 16 kept.
        (date(2025, 9, 7), date(2025, 9, 14), 8, 1, AFC_WITH_CONTINUITY, NOTHING),
        # Fifteen days, Mon 8 .. Mon 22 Sep: Sun 7 and Tue 23 were worked, so only Sun 14 .. Sat
        # 20 is whole. Statutory broken, Section 16 kept.
        (date(2025, 9, 8), date(2025, 9, 22), 15, 1, AFC_WITH_CONTINUITY, NOTHING),
        # Fifteen days, Sun 7 .. Sun 21 Sep: two whole weeks (7-13 and 14-20). Both broken.
        (date(2025, 9, 7), date(2025, 9, 21), 15, 2, NOTHING, NOTHING),
    ],
)
def test_gaps_of_six_seven_eight_and_fifteen_days(
    first_gap_day, last_gap_day, days, whole_weeks, afc_total, statutory_total
):
    assert (last_gap_day - first_gap_day).days + 1 == days
    assert complete_statutory_weeks(first_day=first_gap_day, last_day=last_gap_day) == whole_weeks
    result = estimate_entitlements(
        salary=Decimal(30000),
        date_of_birth=date(1980, 1, 1),
        service_start=date.fromordinal(last_gap_day.toordinal() + 1),
        exit_date=date(2026, 3, 31),
        previous_service=[
            ServicePeriod(
                start=date(2015, 4, 1), end=date.fromordinal(first_gap_day.toordinal() - 1)
            )
        ],
    )
    assert result.afc_redundancy.total == afc_total
    assert result.afc_redundancy.eligible == (afc_total != NOTHING)
    assert result.statutory_redundancy.total == statutory_total
    assert result.statutory_redundancy.eligible == (statutory_total != NOTHING)


def test_the_nine_day_gap_from_the_issue_keeps_the_nhs_payment():
    # Issue 8: "a person with a nine-day gap gets £0 instead of about £17,000". Earlier job
    # 1 Apr 2020 .. Fri 5 Sep 2025, gap Sat 6 .. Sun 14 Sep (nine days, one whole week 7-13),
    # current from Mon 15 Sep 2025. Section 16: continuous 1 Apr 2020 .. 31 Mar 2026 = 6 years;
    # on 36,000: 6 x 36,000 x 4.35 / 52 = 939,600 / 52 = 18,069.230... -> £18,069.23.
    result = estimate_entitlements(
        salary=Decimal(36000),
        date_of_birth=date(1980, 1, 1),
        service_start=date(2025, 9, 15),
        exit_date=date(2026, 3, 31),
        previous_service=[ServicePeriod(start=date(2020, 4, 1), end=date(2025, 9, 5))],
    )
    assert result.service.nhs_continuous_years == 6
    assert result.service.continuous_years == 0
    assert result.afc_redundancy.total == Decimal("18069.23")
    assert not result.statutory_redundancy.eligible
    assert any("Section 16 continuity survives" in line for line in result.afc_redundancy.breakdown)


def test_part_time_text_shows_the_wte_as_people_write_it():
    # A post's WTE arrives with the column's 4 places: the text says "0.6", not "0.6000".
    result = estimate(salary=Decimal(12000), fte=Decimal("0.6000"), service_start=date(2021, 4, 1))
    text = " ".join(result.afc_redundancy.breakdown) + " " + as_text(result)
    assert "pro rata at 0.6 of full time" in text and "at 0.6 of full time" in as_text(result)
    assert "0.6000" not in text
