"""Worked examples for early retirement in lieu of redundancy.

Source: AfC Handbook Section 16 (England) and NHS Pension Scheme rules as summarised in
domain-rules.md [confirmed]: 2 years' membership, 2 years' continuous service, at or over minimum
pension age at exit (50 for 1995 Section members who joined before 6 April 2006, otherwise 55).
"""

from datetime import date
from decimal import Decimal

from employment.rules import ServicePeriod, estimate_entitlements, minimum_pension_age


def early_retirement(**overrides):
    arguments = {
        "salary": Decimal(50000),
        "date_of_birth": date(1975, 3, 10),
        "service_start": date(2008, 9, 1),
        "exit_date": date(2026, 3, 31),
        "pension_scheme": "1995",
    }
    arguments.update(overrides)
    return estimate_entitlements(**arguments).early_retirement


def test_1995_section_joined_before_6_april_2006_has_age_50():
    # Joined 1 Sep 2001 (before 6 Apr 2006) -> 50. Born 10 Mar 1975 -> 51 on 31 Mar 2026 >= 50;
    # membership 1 Sep 2001 .. 31 Mar 2026 = 24 years >= 2; continuous 17 >= 2 -> eligible.
    result = early_retirement(pension_joined=date(2001, 9, 1))
    assert result.minimum_pension_age == 50
    assert result.membership_years == 24
    assert result.eligible


def test_1995_section_joined_on_6_april_2006_has_age_55():
    # Joined 6 Apr 2006 -> not before -> 55; aged 51 -> not eligible. A day earlier -> 50.
    assert early_retirement(pension_joined=date(2006, 4, 6)).minimum_pension_age == 55
    assert not early_retirement(pension_joined=date(2006, 4, 6)).eligible
    assert early_retirement(pension_joined=date(2006, 4, 5)).minimum_pension_age == 50
    assert (
        minimum_pension_age(scheme="2008", joined_on=date(2001, 1, 1), on=date(2026, 3, 31)) == 55
    )


def test_2015_scheme_at_55_on_the_last_day():
    # Born 31 Mar 1971 -> 55 at the start of 31 Mar 2026, the last day -> eligible.
    # Born 1 Apr 1971 -> 54 on 31 Mar 2026 -> not eligible.
    assert early_retirement(pension_scheme="2015", date_of_birth=date(1971, 3, 31)).eligible
    assert not early_retirement(pension_scheme="2015", date_of_birth=date(1971, 4, 1)).eligible


def test_two_years_membership_needed():
    # Aged 60 but joined the 2015 Scheme 2 Apr 2024: membership to 31 Mar 2026 = 1 year < 2.
    result = early_retirement(
        pension_scheme="2015", date_of_birth=date(1966, 1, 1), pension_joined=date(2024, 4, 2)
    )
    assert result.membership_years == 1
    assert not result.eligible
    assert any(line.startswith("Not met: scheme membership 1") for line in result.breakdown)


def test_leap_day_birthday_reaches_55_on_1_march():
    # Born 29 Feb 1972; 2027 is a common year, so 55 is attained on 1 Mar 2027 [leap-day
    # decision]. Leaving 28 Feb 2027 -> 54, not eligible; leaving 1 Mar 2027 -> 55, eligible.
    born = date(1972, 2, 29)
    on_28th = early_retirement(
        pension_scheme="2008", date_of_birth=born, exit_date=date(2027, 2, 28)
    )
    assert (on_28th.age_at_exit, on_28th.eligible) == (54, False)
    on_1st = early_retirement(pension_scheme="2008", date_of_birth=born, exit_date=date(2027, 3, 1))
    assert (on_1st.age_at_exit, on_1st.eligible) == (55, True)


def test_not_a_member_or_not_known():
    none = early_retirement(pension_scheme="none", date_of_birth=date(1960, 1, 1))
    assert (none.eligible, none.minimum_pension_age) == (False, None)
    unknown = early_retirement(pension_scheme=None, date_of_birth=date(1960, 1, 1))
    assert not unknown.eligible
    assert "No NHS Pension Scheme membership given" in unknown.breakdown[0]


def test_joining_date_defaults_to_the_service_start_and_says_so():
    result = early_retirement()
    assert result.joined_on == date(2008, 9, 1)
    assert "[assumed]" in result.breakdown[0]


def test_continuity_is_section_16_continuity():
    # Earlier NHS job 1 Sep 2008 .. Fri 5 Sep 2025, gap Sat 6 .. Sun 14 Sep 2025 (one whole
    # Sunday-Saturday week, 7-13 Sep), current job from Mon 15 Sep 2025. Section 16 keeps
    # continuity over one statutory week: 1 Sep 2008 .. 31 Mar 2026 = 17 years >= 2; joined
    # 1 Sep 2001 -> age 50, aged 51 -> eligible. On ERA s.212 continuity alone (from 15 Sep
    # 2025, 0 years) it would not be.
    result = early_retirement(
        pension_joined=date(2001, 9, 1),
        service_start=date(2025, 9, 15),
        previous_service=[ServicePeriod(start=date(2008, 9, 1), end=date(2025, 9, 5))],
    )
    assert result.continuous_years == 17
    assert result.eligible
