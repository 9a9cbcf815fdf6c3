"""The estimate as the member of staff reads it (`report.as_staff_lines`): plain English, the same
figures as the admin breakdown, and none of its internal marks.

Forbidden in every staff sentence: confidence markers ("[assumed]", "[reported]", any square
bracket), file names ("domain-rules.md", ".py"), rule-set codes (the topic keys such as
"AfC Section 16" and the JSON keys such as "afc_redundancy"), section citations ("s.162",
"ss.221-229", "ERA") and the "route (b)" shorthand. The rule sets appear by name and date in
words ("... rules in force from 1 April 2015").
"""

import re
from datetime import date
from decimal import Decimal

import pytest

from employment.rules import ServicePeriod, estimate_entitlements
from employment.rules.report import as_staff_lines, as_staff_text

FORBIDDEN = [
    re.compile(r"\["),
    re.compile(r"\]"),
    re.compile(r"assumed|reported|confirmed|interpretation", re.IGNORECASE),
    re.compile(r"\.md\b|\.py\b|\w\.rules\b|rule_sets"),
    re.compile(r"\bss?\.\d"),
    re.compile(r"\bERA\b|\bTULRCA\b"),
    re.compile(r"AfC Section 16|afc_redundancy|statutory_redundancy|termination payment tax"),
    re.compile(r"route \([ab]\)", re.IGNORECASE),
    re.compile(r"\d{4}-\d{2}-\d{2}"),  # ISO dates: staff see dates in words
]

WORKED = {
    "salary": Decimal(50000),
    "date_of_birth": date(1975, 3, 10),
    "service_start": date(2008, 9, 1),
    "exit_date": date(2026, 3, 31),
    "band": "7",
}

SCENARIOS = {
    "worked example": {},
    "pay in lieu": {"pay_in_lieu": True, "notice_given_on": date(2026, 3, 31)},
    "short notice": {"notice_given_on": date(2026, 3, 1)},
    "retire and return": {"retire_and_return": date(2022, 4, 1)},
    "part time under the floor": {
        "salary": Decimal(10000),
        "fte": Decimal("0.5"),
        "service_start": date(2022, 4, 1),
    },
    "over the cap for 30 years": {
        "salary": Decimal(95000),
        "date_of_birth": date(1960, 1, 15),
        "service_start": date(1996, 4, 1),
        "band": "VSM",
    },
    "not qualified": {"service_start": date(2025, 6, 1)},
    "one-week gap": {
        "service_start": date(2025, 9, 15),
        "previous_service": [ServicePeriod(start=date(2008, 9, 1), end=date(2025, 9, 5))],
    },
    "paid out earlier": {
        "service_start": date(2016, 4, 1),
        "previous_service": [
            ServicePeriod(start=date(2005, 4, 1), end=date(2015, 3, 31), paid_out=True)
        ],
    },
    "long break": {
        "service_start": date(2021, 4, 2),
        "previous_service": [ServicePeriod(start=date(2010, 4, 1), end=date(2020, 3, 31))],
    },
    "before the VR scheme": {"exit_date": date(2025, 3, 31)},
    "under a month": {"service_start": date(2026, 3, 20)},
}


def staff_text(**overrides):
    return as_staff_text(estimate_entitlements(**{**WORKED, **overrides}))


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_marker_file_name_or_code_reaches_staff(name):
    text = staff_text(**SCENARIOS[name])
    for pattern in FORBIDDEN:
        assert not pattern.search(text), f"{name}: {pattern.pattern!r} in:\n{text}"


def test_the_admin_breakdown_does_carry_the_markers_the_staff_text_leaves_out():
    # The two renderings are distinct: the same estimate's admin lines cite and mark.
    result = estimate_entitlements(**WORKED)
    admin = " ".join(result.afc_redundancy.breakdown + result.mars.breakdown)
    assert "[reported]" in admin and "[assumed]" in admin and "domain-rules.md" in admin


def test_worked_example_in_plain_words():
    # Figures from the hand-worked examples: Section 16 £71,105.77 for 17 months (a month's
    # pay 50,000 / 12 = 4,166.67 or 4.35 x 50,000 / 52 = 4,182.69); statutory 22 weeks at the
    # £719 limit = £15,818.00; notice 13 weeks (3 months in the local table; statutory 12).
    sections = {
        section.title: section for section in as_staff_lines(estimate_entitlements(**WORKED))
    }
    afc = sections["NHS redundancy pay"]
    assert afc.summary == "About £71,105.77, for 17 months."
    assert (
        "A month's pay is the higher of two amounts: a twelfth of your yearly pay (£4,166.67), "
        "or 4.35 weeks' pay (£4,182.69). For you the higher is 4.35 weeks' pay." in afc.lines
    )
    statutory = sections["Statutory redundancy pay"]
    assert statutory.summary == "About £15,818.00, for 22.0 weeks' pay."
    assert any("limited by law to £719.00" in line for line in statutory.lines)
    assert sections["Notice"].summary == "13 weeks."
    assert sections["Redundancy payment due"].summary == "About £71,105.77 (NHS redundancy pay)."
    rules = sections["Rules used"]
    assert (
        "NHS redundancy pay (Agenda for Change, Section 16, England), rules in force from "
        "1 April 2015" in rules.lines
    )
    assert "Statutory redundancy pay and its weekly limit, rules in force from 6 April 2025" in (
        rules.lines
    )


def test_pay_in_lieu_is_explained_in_words():
    text = staff_text(**SCENARIOS["pay in lieu"])
    assert "Because your notice is paid rather than worked" in text
    assert "as if you left on 23 June 2026" in text
    assert "limited by law to £751.00" in text


def test_retire_and_return_service_is_explained():
    text = staff_text(**SCENARIOS["retire and return"])
    assert (
        "Your service from 1 September 2008 to 31 March 2022 does not count: it was before you "
        "drew your NHS pension." in text
    )


def test_not_qualified_says_what_is_needed():
    # 1 Jun 2025 .. 31 Mar 2026: 0 complete years.
    result = estimate_entitlements(**{**WORKED, "service_start": date(2025, 6, 1)})
    sections = {section.title: section for section in as_staff_lines(result)}
    assert sections["NHS redundancy pay"].summary == "You would not get NHS redundancy pay."
    assert "Your continuous NHS service from 1 June 2025 is 0 complete years." in " ".join(
        sections["NHS redundancy pay"].lines
    )


def test_the_tax_sentence_names_the_allowance_not_the_payment():
    # Part time under the floor: 4 x 11,500 x 4.35 / 52 = £3,848.08, under the £30,000
    # allowance, so all of it is tax free; the worked example's £71,105.77 is over it.
    small = staff_text(**SCENARIOS["part time under the floor"])
    assert "up to £30,000.00 is usually free of income tax" in small
    assert "The first £3,848.08" not in small
    assert "The first £30,000.00 of a redundancy payment is usually free" in staff_text()


def test_earlier_service_lost_to_a_long_break_or_a_payout_is_explained():
    # Left 31 Mar 2020, back 2 Apr 2021: a break of 12 months and a day, so 2010-2020 is lost.
    assert (
        "Your service from 1 April 2010 to 31 March 2020 does not count: it was followed by a "
        "break of more than 12 months." in staff_text(**SCENARIOS["long break"])
    )
    assert (
        "Your service from 1 April 2005 to 31 March 2015 does not count: it was already paid "
        "for in an earlier NHS redundancy." in staff_text(**SCENARIOS["paid out earlier"])
    )
