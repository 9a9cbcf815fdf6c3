"""The 2025 national model voluntary redundancy scheme: the Section 16 payment, repayable on
re-employment within 6 months (12 for very senior managers and large packages)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from employment.rules.dates import add_months, long_date
from employment.rules.money import ZERO, pounds, to_pennies
from employment.rules.rule_sets import (
    VOLUNTARY_REDUNDANCY,
    NoRuleSetInForce,
    RuleSetUsed,
    in_force,
    used,
)
from employment.rules.section16 import AfcRedundancyResult


@dataclass(frozen=True)
class VoluntaryRedundancyResult:
    """The national model VR scheme: Section 16 terms, plus the repayment (clawback) window."""

    eligible: bool
    months: int
    total: Decimal
    very_senior: bool
    large_package: bool
    large_package_threshold: Decimal
    clawback_months: int | None
    clawback_end: date | None
    rule_set: RuleSetUsed | None
    breakdown: tuple[str, ...]


def voluntary_redundancy(
    *,
    afc: AfcRedundancyResult,
    exit_date: date,
    very_senior: bool = False,
    package_threshold: Decimal | None = None,
) -> VoluntaryRedundancyResult:
    """The 2025 national model VR scheme: the Section 16 payment (`afc`), repayable on
    re-employment by an NHS employer, arm's-length body or government department within 6 months
    of leaving, or 12 months for very senior managers and packages over the threshold."""
    try:
        rules = in_force(VOLUNTARY_REDUNDANCY, on=exit_date, topic="voluntary redundancy")
    except NoRuleSetInForce as error:
        return VoluntaryRedundancyResult(
            eligible=False,
            months=0,
            total=to_pennies(ZERO),
            very_senior=very_senior,
            large_package=False,
            large_package_threshold=package_threshold or ZERO,
            clawback_months=None,
            clawback_end=None,
            rule_set=None,
            breakdown=(f"No national VR scheme in force: {error}.",),
        )
    threshold = rules.large_package_threshold if package_threshold is None else package_threshold
    lines = [
        "Payment on Section 16 terms (at most 24 months on pay capped at £80,000); acceptance is "
        "at the employer's discretion and a settlement agreement is required [reported].",
    ]
    if not afc.eligible:
        lines.append("Not eligible: the Section 16 qualifying service is not met.")
        return VoluntaryRedundancyResult(
            eligible=False,
            months=0,
            total=to_pennies(ZERO),
            very_senior=very_senior,
            large_package=False,
            large_package_threshold=threshold,
            clawback_months=None,
            clawback_end=None,
            rule_set=used(rules, topic="voluntary redundancy", on=exit_date),
            breakdown=tuple(lines),
        )
    lines.append(
        f"Total: {pounds(afc.total)}, the AfC Section 16 payment ({afc.months} months on the more "
        f"beneficial month's pay, route ({afc.route_used})); service before retire and return or "
        "partial retirement is already excluded."
    )
    large = afc.total > threshold
    if very_senior:
        months = rules.senior_clawback_months
        why = "very or executive senior manager"
    elif large:
        months = rules.senior_clawback_months
        why = f"package over {pounds(threshold)}"
    else:
        months = rules.clawback_months
        why = f"package of {pounds(threshold)} or less, not a very senior manager"
    clawback_end = add_months(exit_date, months)
    lines.append(
        f"Repayable if re-employed by an NHS employer, arm's-length body or government department "
        f"by {long_date(clawback_end)}: {months} months after the last day ({why})."
    )
    return VoluntaryRedundancyResult(
        eligible=True,
        months=afc.months,
        total=afc.total,
        very_senior=very_senior,
        large_package=large,
        large_package_threshold=threshold,
        clawback_months=months,
        clawback_end=clawback_end,
        rule_set=used(rules, topic="voluntary redundancy", on=exit_date),
        breakdown=tuple(lines),
    )
