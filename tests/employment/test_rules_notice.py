"""Worked examples for notice: statutory minimum, local contractual table, and which is due.

Sources: ERA 1996 s.86(1) [confirmed]; the local table by band [reported common pattern] with
months converted at 52/12 weeks a month, rounded down to whole weeks [decision].
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from employment.rules import (
    contractual_notice_weeks,
    estimate_entitlements,
    notice_due_weeks,
    statutory_notice_weeks,
)


@pytest.mark.parametrize(
    ("start", "given", "weeks"),
    [
        # 1 Jan .. 30 Jan 2026: under a month -> none.
        (date(2026, 1, 1), date(2026, 1, 30), 0),
        # 1 Jan .. 31 Jan 2026: one month -> 1 week.
        (date(2026, 1, 1), date(2026, 1, 31), 1),
        # 1 Jan 2026 .. 30 Dec 2027: 1 year 11 months -> still 1 week.
        (date(2026, 1, 1), date(2027, 12, 30), 1),
        # 1 Jan 2026 .. 31 Dec 2027: exactly 2 years -> 2 weeks.
        (date(2026, 1, 1), date(2027, 12, 31), 2),
        # 2 Apr 2014 .. 31 Mar 2026: 11 years -> 11 weeks.
        (date(2014, 4, 2), date(2026, 3, 31), 11),
        # 1 Apr 2014 .. 31 Mar 2026: 12 years -> 12 weeks.
        (date(2014, 4, 1), date(2026, 3, 31), 12),
        # 1 Sep 2008 .. 31 Mar 2026: 17 years -> capped at 12 weeks.
        (date(2008, 9, 1), date(2026, 3, 31), 12),
    ],
)
def test_statutory_notice(start, given, weeks):
    assert statutory_notice_weeks(service_start=start, notice_given_on=given) == weeks


@pytest.mark.parametrize(
    ("band", "weeks"),
    [
        # Bands 1-4: 1 month x 52 / 12 = 4.33 -> 4 whole weeks.
        ("4", 4),
        # Bands 5-6: 2 months x 52 / 12 = 8.67 -> 8.
        ("6", 8),
        ("Band 5", 8),
        # Bands 7-9: 3 months x 52 / 12 = 13.
        ("8a", 13),
        ("9", 13),
        # VSM / ESM: 3 months -> 13 unless configured.
        ("VSM", 13),
        ("ESM2", 13),
        # Medical and other: no local default -> 0 (statutory applies).
        ("medical", 0),
        ("other", 0),
    ],
)
def test_contractual_notice_by_band(band, weeks):
    assert contractual_notice_weeks(band) == weeks


def test_unknown_band_is_refused():
    with pytest.raises(ValueError, match="is not a band"):
        contractual_notice_weeks("10")


def test_notice_due_is_the_longer():
    # 17 years: statutory 12. Band 4 -> 4 contractual -> 12 due; band 8a -> 13 due.
    # 1 Apr 2023 .. 31 Mar 2026 = 3 years: statutory 3; band 6 -> 8 contractual -> 8 due.
    long_service = {"service_start": date(2008, 9, 1), "notice_given_on": date(2026, 3, 31)}
    assert notice_due_weeks(band="4", **long_service) == 12
    assert notice_due_weeks(band="8a", **long_service) == 13
    assert (
        notice_due_weeks(
            band="6", service_start=date(2023, 4, 1), notice_given_on=date(2026, 3, 31)
        )
        == 8
    )


def test_local_table_setting_overrides_the_default(settings):
    # EMPLOYMENT_CONTRACTUAL_NOTICE gives months by band; unmentioned bands keep the default.
    # 8a at 6 months -> 6 x 52 / 12 = 26 weeks; medical 3 months -> 13; band 7 still 13.
    settings.EMPLOYMENT_CONTRACTUAL_NOTICE = {"Band 8a": 6, "medical": 3}
    assert contractual_notice_weeks("8a") == 26
    assert contractual_notice_weeks("medical") == 13
    assert contractual_notice_weeks("7") == 13


@pytest.mark.parametrize(
    "value", [{"8a": "three"}, {"8a": -1}, {"Band 12": 3}, [("8a", 3)], {"8a": True}]
)
def test_a_bad_local_table_fails_loudly(settings, value):
    settings.EMPLOYMENT_CONTRACTUAL_NOTICE = value
    with pytest.raises(ImproperlyConfigured, match="EMPLOYMENT_CONTRACTUAL_NOTICE"):
        contractual_notice_weeks("8a")


def test_notice_in_the_estimate_uses_the_notice_date():
    # Worked example, band 7: notice given 31 Aug 2025 -> service 1 Sep 2008 .. 31 Aug 2025 =
    # 16 years (the 17th anniversary is 1 Sep 2025) -> statutory 12; contractual 3 months = 13
    # weeks -> 13 due, contractual longer.
    result = estimate_entitlements(
        salary=Decimal(50000),
        date_of_birth=date(1975, 3, 10),
        service_start=date(2008, 9, 1),
        exit_date=date(2026, 3, 31),
        band="7",
        notice_given_on=date(2025, 8, 31),
    ).notice
    assert (result.statutory_weeks, result.contractual_weeks, result.due_weeks) == (12, 13, 13)
    assert result.longer == "contractual"


def test_notice_without_a_band_is_the_statutory_minimum():
    # Band 8a not given; 1 Apr 2021 .. 31 Mar 2026 = 5 years -> 5 weeks statutory, due 5.
    result = estimate_entitlements(
        salary=Decimal(50000),
        date_of_birth=date(1975, 3, 10),
        service_start=date(2021, 4, 1),
        exit_date=date(2026, 3, 31),
    ).notice
    assert (result.statutory_weeks, result.contractual_weeks, result.due_weeks) == (5, None, 5)
    assert result.longer == "statutory"
