"""MARS, the mutually agreed resignation scheme (AfC Section 20): an ESTIMATE on an assumed rule.

MARS is a resignation, not a redundancy, and its payment is set when an employer opens a scheme.
domain-rules.md marks the product's reading as [assumed]: half a month's pay per complete year of
reckonable service, at least 3 and at most 12 months, 12 months' service needed, pay capped at a
notional £80,000, repayable on rejoining the NHS within 6 months. Every result says "estimate"
so nobody mistakes it for an offer. The figures live in `rule_sets.MARS`.

Decisions: "12 months' service" is read as 12 months of reckonable service (the service MARS pays
on); the £80,000 cap is applied pro rata for part-time staff, as Section 16's is; there is no
earnings floor, because the assumed rule has none.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from employment.rules.dates import add_months, long_date
from employment.rules.money import ZERO, halves, pounds, to_pennies
from employment.rules.rule_sets import MARS, NoRuleSetInForce, RuleSetUsed, in_force, used
from employment.rules.service import ServiceSummary
from tracker.formatting import format_wte

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class MarsResult:
    """A MARS payment estimate with its breakdown. `estimate` is always True."""

    eligible: bool
    estimate: bool
    reckonable_years: int
    months: Decimal
    annual_pay_used: Decimal
    cap_applied: bool
    total: Decimal
    clawback_end: date | None
    rule_set: RuleSetUsed | None
    breakdown: tuple[str, ...]


def mars(*, salary: Decimal, service: ServiceSummary, fte: Decimal = Decimal(1)) -> MarsResult:
    """Estimate a MARS payment on the assumed rule (module docstring), from reckonable service."""
    exit_date = service.exit_date
    try:
        rules = in_force(MARS, on=exit_date, topic="MARS")
    except NoRuleSetInForce as error:
        return MarsResult(
            eligible=False,
            estimate=True,
            reckonable_years=service.reckonable_years,
            months=ZERO,
            annual_pay_used=ZERO,
            cap_applied=False,
            total=ZERO,
            clawback_end=None,
            rule_set=None,
            breakdown=(f"ESTIMATE: {error}.",),
        )
    years = service.reckonable_years
    lines = [
        "ESTIMATE on an assumed rule, not an offer: half a month's pay per complete year of "
        f"reckonable service, at least {rules.min_months} and at most {rules.max_months} months "
        "(domain-rules.md [assumed]).",
        f"Reckonable service: {years} complete year{'s' if years != 1 else ''}.",
    ]
    qualifies = years * MONTHS_PER_YEAR >= rules.qualifying_months
    cap = rules.annual_salary_cap * fte
    pay = min(salary, cap)
    cap_applied = salary > cap
    if not qualifies:
        lines.append(
            f"Not eligible: MARS needs {rules.qualifying_months} months' reckonable service."
        )
        return MarsResult(
            eligible=False,
            estimate=True,
            reckonable_years=years,
            months=ZERO,
            annual_pay_used=pay,
            cap_applied=cap_applied,
            total=ZERO,
            clawback_end=None,
            rule_set=used(rules, topic="MARS", on=exit_date),
            breakdown=tuple(lines),
        )
    raw_months = rules.months_per_year * years
    months = min(max(raw_months, rules.min_months), rules.max_months)
    if months != raw_months:
        limit = "minimum" if raw_months < rules.min_months else "maximum"
        lines.append(
            f"Months: {years} x {rules.months_per_year} = {halves(raw_months)}, raised or "
            f"lowered to the {limit} of {halves(months)}."
        )
    else:
        lines.append(f"Months: {years} x {rules.months_per_year} = {halves(months)}.")
    if cap_applied:
        lines.append(
            f"Annual pay used: {pounds(salary)} capped at {pounds(cap)} (the "
            f"{pounds(rules.annual_salary_cap)} notional cap"
            + (f" pro rata at {format_wte(fte)} of full time" if fte != 1 else "")
            + ")."
        )
    else:
        lines.append(f"Annual pay used: {pounds(pay)} (under the {pounds(cap)} cap).")
    total = to_pennies(months * pay / MONTHS_PER_YEAR)
    lines.append(
        f"Total: {halves(months)} x {pounds(pay)} / 12 = {pounds(total)} (rounded to pennies "
        "once, half up)."
    )
    clawback_end = add_months(exit_date, rules.clawback_months)
    lines.append(
        f"Repayable if re-joining the NHS by {long_date(clawback_end)} "
        f"({rules.clawback_months} months after the last day) [assumed]."
    )
    return MarsResult(
        eligible=True,
        estimate=True,
        reckonable_years=years,
        months=months,
        annual_pay_used=pay,
        cap_applied=cap_applied,
        total=total,
        clawback_end=clawback_end,
        rule_set=used(rules, topic="MARS", on=exit_date),
        breakdown=tuple(lines),
    )
