"""Worked examples for the national voluntary redundancy scheme and MARS.

Sources: domain-rules.md "2025 onwards" for the VR scheme [reported] (Section 16 terms, 6-month
clawback, 12 for very senior managers and large packages; the £100,000 large-package default is
a decision) and for MARS [assumed] (half a month per year, 3 to 12 months, 12 months' service,
£80,000 cap, 6-month repayment window); month arithmetic from domain-rules.md "Counting time".
"""

from datetime import date
from decimal import Decimal

from employment.rules import estimate_entitlements


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


# --- Voluntary redundancy -------------------------------------------------------------------


def test_vr_worked_example_has_a_six_month_clawback():
    # Section 16 terms: 17 x 50,000 x 4.35 / 52 = 3,697,500 / 52 -> £71,105.77 (route (b), the
    # more beneficial month's pay; NHS Employers, "NHS redundancy arrangements"). Not senior,
    # under £100,000 -> 6 months;
    # 6 months after 31 Mar 2026 -> 30 Sep (September has 30 days) -> 30 Sep 2026.
    vr = estimate().voluntary_redundancy
    assert vr.eligible
    assert vr.total == Decimal("71105.77")
    assert vr.clawback_months == 6
    assert vr.clawback_end == date(2026, 9, 30)


def test_vr_very_senior_manager_band_has_twelve_months():
    # VSM band, 120,000 capped at 80,000, 1 Apr 2006 .. 31 Mar 2026 = 20 years:
    # 20 x 80,000 x 4.35 / 52 = 6,960,000 / 52 = 133,846.153... -> 133,846.15;
    # VSM -> 12 months -> 31 Mar 2027.
    vr = estimate(
        band="VSM", salary=Decimal(120000), service_start=date(2006, 4, 1)
    ).voluntary_redundancy
    assert vr.very_senior
    assert vr.total == Decimal("133846.15")
    assert vr.clawback_end == date(2027, 3, 31)


def test_vr_large_package_threshold():
    # Band 9 on 85,000 (capped 80,000), 1 Apr 2010 .. 31 Mar 2026 = 16 years:
    # 16 x 80,000 x 4.35 / 52 = 5,568,000 / 52 = 107,076.92 > 100,000 default -> 12 months
    # -> 31 Mar 2027.
    # With the threshold set at 110,000 it is not large -> 6 months -> 30 Sep 2026.
    default = estimate(
        band="9", salary=Decimal(85000), service_start=date(2010, 4, 1)
    ).voluntary_redundancy
    assert default.total == Decimal("107076.92")
    assert (default.large_package, default.clawback_end) == (True, date(2027, 3, 31))
    higher = estimate(
        band="9",
        salary=Decimal(85000),
        service_start=date(2010, 4, 1),
        package_threshold=Decimal(110000),
    ).voluntary_redundancy
    assert (higher.large_package, higher.clawback_end) == (False, date(2026, 9, 30))


def test_vr_very_senior_flag_with_a_small_package():
    # 60,000 for 5 years (1 Apr 2021 ..): 5 x 60,000 x 4.35 / 52 = 1,305,000 / 52 = 25,096.15;
    # flagged very senior
    # -> 12 months. Leaving 31 Aug 2026: 12 months later -> 31 Aug 2027.
    vr = estimate(
        salary=Decimal(60000),
        service_start=date(2021, 4, 1),
        exit_date=date(2026, 8, 31),
        very_senior=True,
    ).voluntary_redundancy
    assert vr.total == Decimal("25096.15")
    assert vr.clawback_end == date(2027, 8, 31)


def test_vr_six_months_after_31_august_ends_in_february():
    # domain-rules.md: six months after 31 Aug 2026 is 28 Feb 2027 (February is shorter).
    vr = estimate(exit_date=date(2026, 8, 31)).voluntary_redundancy
    assert vr.clawback_end == date(2027, 2, 28)


def test_vr_needs_section_16_qualifying_service_and_a_scheme_in_force():
    # 1 complete year -> no Section 16 payment -> no VR payment.
    short = estimate(service_start=date(2024, 6, 1)).voluntary_redundancy
    assert (short.eligible, short.total, short.clawback_end) == (False, Decimal("0.00"), None)
    # The 2025 scheme is dated from 1 Apr 2025; leaving 31 Mar 2025 there is none.
    early = estimate(exit_date=date(2025, 3, 31)).voluntary_redundancy
    assert not early.eligible
    assert early.rule_set is None
    assert "No national VR scheme in force" in early.breakdown[0]


# --- MARS (ESTIMATE) ------------------------------------------------------------------------


def test_mars_worked_example_is_an_estimate():
    # 17 years x 0.5 = 8.5 months (between 3 and 12): 8.5 x 50,000 / 12 = 425,000 / 12
    # = 35,416.666... -> £35,416.67; repayable on re-joining by 30 Sep 2026 [assumed].
    mars = estimate().mars
    assert mars.estimate
    assert mars.months == Decimal("8.5")
    assert mars.total == Decimal("35416.67")
    assert mars.clawback_end == date(2026, 9, 30)
    assert mars.breakdown[0].startswith("ESTIMATE")


def test_mars_minimum_three_months():
    # 1 Apr 2024 .. 31 Mar 2026 = 2 years x 0.5 = 1 month -> raised to 3:
    # 3 x 36,000 / 12 = £9,000.00.
    mars = estimate(salary=Decimal(36000), service_start=date(2024, 4, 1)).mars
    assert mars.months == Decimal(3)
    assert mars.total == Decimal("9000.00")


def test_mars_maximum_twelve_months_and_salary_cap():
    # 30 years x 0.5 = 15 -> lowered to 12; 90,000 capped at 80,000:
    # 12 x 80,000 / 12 = £80,000.00.
    mars = estimate(
        salary=Decimal(90000), date_of_birth=date(1960, 1, 15), service_start=date(1996, 4, 1)
    ).mars
    assert mars.months == Decimal(12)
    assert mars.cap_applied
    assert mars.total == Decimal("80000.00")


def test_mars_needs_twelve_months_service():
    # 1 Apr 2025 .. 31 Mar 2026 = exactly 12 months -> eligible; 0.5 -> 3 months minimum:
    # 3 x 30,000 / 12 = £7,500.00. From 2 Apr 2025 it is a day short -> not eligible, £0.00.
    enough = estimate(salary=Decimal(30000), service_start=date(2025, 4, 1)).mars
    assert (enough.eligible, enough.total) == (True, Decimal("7500.00"))
    short = estimate(salary=Decimal(30000), service_start=date(2025, 4, 2)).mars
    assert (short.eligible, short.total) == (False, Decimal("0.00"))
