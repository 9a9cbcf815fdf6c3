"""Pay in lieu of notice and short notice: the statutory relevant date under ERA 1996 s.145(5).

Source: ERA 1996 s.145(5) and (6) (where the s.86 notice, given on the material date, would
expire after the relevant date, that later date is the relevant date for s.155, s.162(1) and
s.227(3)); s.86(1) (1 week after a month, 1 week per complete year from 2 years, at most 12);
weekly caps from domain-rules.md (£719 for dismissals 6 Apr 2025 - 5 Apr 2026, £751 from
6 Apr 2026). Notice given on a day runs from the next day, so N weeks given on a Tuesday expire
on the Tuesday N weeks later: the day given + 7N days.
"""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from employment.management.commands.estimate import Command
from employment.rules import estimate_entitlements
from employment.rules.relevant_date import statutory_relevant_date


def estimate(**overrides):
    """The domain-rules.md worked example: born 10 Mar 1975, band 7, 50,000, NHS service from
    1 Sep 2008, dismissed on Tuesday 31 March 2026."""
    arguments = {
        "salary": Decimal(50000),
        "date_of_birth": date(1975, 3, 10),
        "service_start": date(2008, 9, 1),
        "exit_date": date(2026, 3, 31),
        "band": "7",
    }
    arguments.update(overrides)
    return estimate_entitlements(**arguments)


def test_pay_in_lieu_on_31_march_2026_moves_the_cap_from_719_to_751():
    # 1 Sep 2008 .. 31 Mar 2026 = 17 complete years -> 12 weeks' statutory notice (the maximum).
    # Given and ended on Tue 31 Mar 2026 with pay in lieu: 12 weeks = 84 days later is
    # 31 Mar + 30 (to 30 Apr) + 31 (to 31 May) + 23 = Tue 23 June 2026, after 6 April 2026.
    # Counting back from 23 Jun 2026: year k starts 24 Jun (2026 - k); born 10 Mar, so age that
    # day = 51 - k: years 1-10 (50..41) x 1.5 = 15, years 11-17 (40..34) x 1 = 7 -> 22 weeks.
    # 50,000 / 52 = 961.54 > 751 -> 22 x 751 = £16,522.00 (not 22 x 719 = £15,818.00).
    result = estimate(notice_given_on=date(2026, 3, 31), pay_in_lieu=True)
    statutory = result.statutory_redundancy
    assert result.relevant_date.relevant_date == date(2026, 6, 23)
    assert result.relevant_date.statutory_notice_weeks == 12
    assert statutory.relevant_date == date(2026, 6, 23)
    assert statutory.relevant_date_moved
    assert statutory.weekly_pay == Decimal(751)
    assert statutory.weeks == Decimal("22.0")
    assert statutory.total == Decimal("16522.00")
    assert statutory.years[0].start == date(2025, 6, 24)
    assert statutory.rule_set.effective_from == date(2026, 4, 6)
    assert any("ERA 1996 s.145(5)" in line for line in statutory.breakdown)
    # The contractual payment is unchanged: still worked out on 31 March 2026.
    assert result.afc_redundancy.total == Decimal("71105.77")
    assert result.afc_redundancy.rule_set.applied_on == date(2026, 3, 31)


def test_pay_in_lieu_without_a_notice_date_counts_from_the_last_day():
    # s.145(6): with no notice given, the material date is the day the contract ended,
    # 31 Mar 2026 -> the same 23 June 2026 and £16,522.00 as above.
    statutory = estimate(pay_in_lieu=True).statutory_redundancy
    assert (statutory.relevant_date, statutory.total) == (date(2026, 6, 23), Decimal("16522.00"))


def test_without_pay_in_lieu_the_last_day_is_the_relevant_date():
    # No notice date and no pay in lieu: 31 Mar 2026, cap £719 -> 22 x 719 = £15,818.00.
    statutory = estimate().statutory_redundancy
    assert (statutory.relevant_date, statutory.relevant_date_moved) == (date(2026, 3, 31), False)
    assert statutory.total == Decimal("15818.00")


def test_full_notice_worked_leaves_the_relevant_date_alone():
    # Notice given Thu 1 Jan 2026 (17 years -> 12 weeks) expires 1 Jan + 84 days = Thu 26 Mar
    # 2026, before the last day 31 Mar: s.145(5) does not apply -> cap £719, £15,818.00.
    statutory = estimate(notice_given_on=date(2026, 1, 1)).statutory_redundancy
    assert (statutory.relevant_date, statutory.total) == (date(2026, 3, 31), Decimal("15818.00"))


def test_short_notice_moves_the_relevant_date_too():
    # Notice given Sun 1 Mar 2026 but employment ends 31 Mar: 12 weeks would expire
    # 1 Mar + 84 days = 1 Mar + 31 (to 1 Apr) + 30 (to 1 May) + 23 = Sun 24 May 2026.
    # Counting back from 24 May 2026 (year k from 25 May (2026 - k), age 51 - k) -> 22 weeks,
    # cap £751 -> £16,522.00.
    statutory = estimate(notice_given_on=date(2026, 3, 1)).statutory_redundancy
    assert statutory.relevant_date == date(2026, 5, 24)
    assert statutory.total == Decimal("16522.00")


def test_pay_in_lieu_can_meet_the_two_year_test():
    # Started Mon 1 Apr 2024, dismissed Wed 25 Mar 2026 with pay in lieu. On 25 Mar 2026 there is
    # 1 complete year (2nd anniversary 1 Apr 2026 not reached) -> 1 week's notice (over a
    # month's service) -> expires Wed 1 Apr 2026. 1 Apr 2024 .. 1 Apr 2026 = 2 complete years
    # -> qualifies for statutory pay (s.155 read with s.145(5)). Born 1 Jan 1980: year 1 from
    # 2 Apr 2025 aged 45, year 2 from 2 Apr 2024 aged 44 -> 2 x 1.5 = 3 weeks; 30,000 / 52
    # = 576.92, under the £719 cap (1 Apr 2026 is before 6 Apr) -> 3 x 30,000 / 52 = 90,000 / 52
    # = 1,730.769... -> £1,730.77. The AfC payment is still on 25 Mar 2026: 1 year, not eligible.
    result = estimate(
        salary=Decimal(30000),
        date_of_birth=date(1980, 1, 1),
        service_start=date(2024, 4, 1),
        exit_date=date(2026, 3, 25),
        pay_in_lieu=True,
    )
    statutory = result.statutory_redundancy
    assert statutory.relevant_date == date(2026, 4, 1)
    assert (statutory.eligible, statutory.continuous_years) == (True, 2)
    assert (statutory.weeks, statutory.cap_applied) == (Decimal("3.0"), False)
    assert statutory.total == Decimal("1730.77")
    assert not result.afc_redundancy.eligible
    assert result.redundancy_payable.payable == "statutory_redundancy"
    # Without pay in lieu the same dismissal gets nothing.
    assert not estimate(
        salary=Decimal(30000),
        date_of_birth=date(1980, 1, 1),
        service_start=date(2024, 4, 1),
        exit_date=date(2026, 3, 25),
    ).statutory_redundancy.eligible


def test_under_a_month_of_service_no_notice_is_due_and_nothing_moves():
    # Started 10 Mar 2026, ends 31 Mar 2026: under a month -> 0 weeks (s.86(1)) -> the notice
    # "expires" on the day given, 31 Mar, which is not later.
    relevant = statutory_relevant_date(
        exit_date=date(2026, 3, 31),
        continuous_start=date(2026, 3, 10),
        notice_given_on=None,
        pay_in_lieu=True,
    )
    assert (relevant.statutory_notice_weeks, relevant.moved) == (0, False)
    assert relevant.relevant_date == date(2026, 3, 31)


def test_estimate_command_notice_given_and_pay_in_lieu():
    out = StringIO()
    call_command(
        "estimate",
        "--salary", "50000",
        "--date-of-birth", "1975-03-10",
        "--service-start", "2008-09-01",
        "--exit-date", "2026-03-31",
        "--band", "7",
        "--notice-given", "2026-03-31",
        "--pay-in-lieu",
        "--json",
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    # As the first test: relevant date 23 June 2026, 22 x 751 = 16,522.00.
    assert data["inputs"]["pay_in_lieu"] is True
    assert data["inputs"]["notice_given_on"] == "2026-03-31"
    assert data["relevant_date"]["relevant_date"] == "2026-06-23"
    assert data["relevant_date"]["moved"] is True
    assert data["statutory_redundancy"]["relevant_date"] == "2026-06-23"
    assert data["statutory_redundancy"]["weekly_pay"] == "751.00"
    assert data["statutory_redundancy"]["total"] == "16522.00"
    assert data["afc_redundancy"]["total"] == "71105.77"


def test_estimate_help_documents_the_options():
    out = StringIO()
    Command().create_parser("manage.py", "estimate").print_help(out)
    text = " ".join(out.getvalue().split())
    assert "--notice-given DATE" in text
    assert "--pay-in-lieu" in text
    assert "ERA s.145(5)" in text
    assert "--pension-return" in text
    assert "drawing an NHS pension" in text
