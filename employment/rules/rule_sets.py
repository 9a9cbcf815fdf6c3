"""Entitlement rules as dated data, so a new year's figure is a new row, not a code change.

Each series is a tuple of frozen dataclasses ordered by `effective_from`; `in_force` picks the
row that applies on a date (the dismissal or exit date) and every result names the row it used
(`RuleSetUsed`), so a person can check a figure against the rule that produced it. Confidence
marks follow domain-rules.md: "confirmed" from an official source, "reported" from consistent
secondary sources, "assumed" a working assumption shown to people as an estimate.

To add the 2027/28 statutory cap, append a `StatutoryRedundancyRules` row dated 6 April 2027.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar


class NoRuleSetInForce(ValueError):
    """No row of a series applies on the date asked about (it predates the earliest row)."""


class _Dated(Protocol):
    name: str
    effective_from: date
    source: str
    confidence: str


R = TypeVar("R", bound=_Dated)


@dataclass(frozen=True)
class RuleSetUsed:
    """Which rule row a calculation used and for which date, printed beside every result."""

    topic: str
    name: str
    effective_from: date
    applied_on: date
    source: str
    confidence: str


@dataclass(frozen=True)
class AfcRedundancyRules:
    """AfC Section 16 (England) contractual redundancy pay."""

    name: str
    effective_from: date
    annual_earnings_floor: Decimal
    annual_earnings_cap: Decimal
    max_months: int
    qualifying_years: int
    # Earlier NHS service counts if the break before the next period is at most this long.
    max_break_months: int
    # Route (b) of a month's pay: this many weeks' pay (ERA 1996 ss.221-229).
    weeks_per_month: Decimal
    # Whether the statutory cap on a week's pay (ERA s.227) also limits route (b). Section 16
    # is a contractual payment and s.227 lists only statutory ones, so it does not
    # [interpretation, domain-rules.md]; a setting so that reading can be changed as data.
    statutory_weekly_cap_limits_route_b: bool
    # Section 16 continuity survives a gap holding at most this many complete Sunday-Saturday
    # weeks ("a break of no more than one statutory week"); ERA s.212 allows none.
    max_gap_complete_weeks: int
    source: str
    confidence: str


@dataclass(frozen=True)
class StatutoryRedundancyRules:
    """ERA 1996 s.162 statutory redundancy pay; the weekly pay cap changes each April."""

    name: str
    effective_from: date
    weekly_pay_cap: Decimal
    max_years: int
    qualifying_years: int
    # Age thresholds: a year counts at a rate only if the person was at least this age all year.
    higher_rate_age: int
    middle_rate_age: int
    higher_rate_weeks: Decimal
    middle_rate_weeks: Decimal
    lower_rate_weeks: Decimal
    source: str
    confidence: str


@dataclass(frozen=True)
class VoluntaryRedundancyRules:
    """The 2025 national model voluntary redundancy scheme: Section 16 terms plus a clawback."""

    name: str
    effective_from: date
    clawback_months: int
    senior_clawback_months: int
    large_package_threshold: Decimal
    source: str
    confidence: str


@dataclass(frozen=True)
class MarsRules:
    """MARS (AfC Section 20) on the assumed reading in domain-rules.md; always an estimate."""

    name: str
    effective_from: date
    months_per_year: Decimal
    min_months: Decimal
    max_months: Decimal
    qualifying_months: int
    annual_salary_cap: Decimal
    clawback_months: int
    source: str
    confidence: str


@dataclass(frozen=True)
class EarlyRetirementRules:
    """Early retirement in lieu of a redundancy payment (NHS Pension Scheme)."""

    name: str
    effective_from: date
    protected_minimum_pension_age: int
    # 1995 Section members who joined before this date keep the protected age.
    protected_joined_before: date
    normal_minimum_pension_age: int
    min_membership_years: int
    min_continuous_years: int
    source: str
    confidence: str


@dataclass(frozen=True)
class StatutoryNoticeRules:
    """ERA 1996 s.86 minimum notice from the employer."""

    name: str
    effective_from: date
    max_weeks: int
    source: str
    confidence: str


@dataclass(frozen=True)
class TerminationTaxRules:
    """The tax-free part of a genuine termination payment, shown as information only."""

    name: str
    effective_from: date
    tax_free_amount: Decimal
    source: str
    confidence: str


AFC_REDUNDANCY: tuple[AfcRedundancyRules, ...] = (
    AfcRedundancyRules(
        name="AfC Section 16 (England) redundancy pay (2015 terms)",
        effective_from=date(2015, 4, 1),
        annual_earnings_floor=Decimal(23000),
        annual_earnings_cap=Decimal(80000),
        max_months=24,
        qualifying_years=2,
        max_break_months=12,
        weeks_per_month=Decimal("4.35"),
        statutory_weekly_cap_limits_route_b=False,
        max_gap_complete_weeks=1,
        source="NHS Terms and Conditions of Service Handbook, Section 16 (England); NHS "
        "Employers, NHS redundancy arrangements",
        confidence="confirmed",
    ),
)

_S162_COMMON = {
    "max_years": 20,
    "qualifying_years": 2,
    "higher_rate_age": 41,
    "middle_rate_age": 22,
    "higher_rate_weeks": Decimal("1.5"),
    "middle_rate_weeks": Decimal(1),
    "lower_rate_weeks": Decimal("0.5"),
    "source": "Employment Rights Act 1996 s.162 and s.227 (weekly cap by annual order)",
    "confidence": "reported",
}

STATUTORY_REDUNDANCY: tuple[StatutoryRedundancyRules, ...] = (
    StatutoryRedundancyRules(
        name="Statutory redundancy pay, weekly cap £700 (2024/25)",
        effective_from=date(2024, 4, 6),
        weekly_pay_cap=Decimal(700),
        **_S162_COMMON,
    ),
    StatutoryRedundancyRules(
        name="Statutory redundancy pay, weekly cap £719 (2025/26)",
        effective_from=date(2025, 4, 6),
        weekly_pay_cap=Decimal(719),
        **_S162_COMMON,
    ),
    StatutoryRedundancyRules(
        name="Statutory redundancy pay, weekly cap £751 (2026/27)",
        effective_from=date(2026, 4, 6),
        weekly_pay_cap=Decimal(751),
        **_S162_COMMON,
    ),
)

VOLUNTARY_REDUNDANCY: tuple[VoluntaryRedundancyRules, ...] = (
    VoluntaryRedundancyRules(
        name="National model voluntary redundancy scheme (2025)",
        # The scheme text in domain-rules.md is undated; it is dated from the start of 2025/26,
        # the year it was agreed. Exits before then get "no scheme in force".
        effective_from=date(2025, 4, 1),
        clawback_months=6,
        senior_clawback_months=12,
        # "Large packages" is not defined in the scheme summary; earlier NHS VR schemes applied
        # clawback only to packages over £100,000, so that is the default (configurable).
        large_package_threshold=Decimal(100000),
        source="National model VR scheme 2025, as summarised in domain-rules.md",
        confidence="reported",
    ),
)

MARS: tuple[MarsRules, ...] = (
    MarsRules(
        name="MARS (AfC Section 20), assumed reading: half a month per year, 3 to 12 months",
        # Dated with the Section 16 £80,000 cap that the MARS notional salary cap mirrors.
        effective_from=date(2015, 4, 1),
        months_per_year=Decimal("0.5"),
        min_months=Decimal(3),
        max_months=Decimal(12),
        qualifying_months=12,
        annual_salary_cap=Decimal(80000),
        clawback_months=6,
        source="domain-rules.md [assumed]; AfC Handbook Section 20",
        confidence="assumed",
    ),
)

EARLY_RETIREMENT: tuple[EarlyRetirementRules, ...] = (
    EarlyRetirementRules(
        name="Early retirement in lieu of redundancy (NHS Pension Scheme)",
        effective_from=date(2015, 4, 1),
        protected_minimum_pension_age=50,
        protected_joined_before=date(2006, 4, 6),
        normal_minimum_pension_age=55,
        min_membership_years=2,
        min_continuous_years=2,
        source="AfC Handbook Section 16 (England); NHS Pension Scheme regulations",
        confidence="confirmed",
    ),
)

STATUTORY_NOTICE: tuple[StatutoryNoticeRules, ...] = (
    StatutoryNoticeRules(
        name="Statutory minimum notice (ERA 1996 s.86)",
        effective_from=date(1996, 8, 22),
        max_weeks=12,
        source="Employment Rights Act 1996 s.86(1)",
        confidence="confirmed",
    ),
)

TERMINATION_TAX: tuple[TerminationTaxRules, ...] = (
    TerminationTaxRules(
        name="Tax-free first £30,000 of a termination payment",
        effective_from=date(1988, 4, 6),
        tax_free_amount=Decimal(30000),
        source="Income Tax (Earnings and Pensions) Act 2003 s.403",
        confidence="reported",
    ),
)


def in_force(series: Sequence[R], *, on: date, topic: str) -> R:
    """The row of `series` in force on `on`: the latest whose `effective_from` is on or before it.

    Raises NoRuleSetInForce naming the topic and the earliest date on file, so an estimate for a
    date the product has no figures for fails loudly instead of borrowing a later year's cap.
    """
    applicable = [row for row in series if row.effective_from <= on]
    if not applicable:
        earliest = min(row.effective_from for row in series)
        raise NoRuleSetInForce(
            f"no {topic} rules on file for {on.isoformat()}: the earliest on file start on "
            f"{earliest.isoformat()}"
        )
    return max(applicable, key=lambda row: row.effective_from)


def used(rules: _Dated, *, topic: str, on: date) -> RuleSetUsed:
    """The `RuleSetUsed` record for a row, to attach to a result."""
    return RuleSetUsed(
        topic=topic,
        name=rules.name,
        effective_from=rules.effective_from,
        applied_on=on,
        source=rules.source,
        confidence=rules.confidence,
    )
