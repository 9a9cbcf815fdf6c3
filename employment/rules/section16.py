"""AfC Section 16 (England) contractual redundancy pay: one month's pay per complete year of
reckonable service, at most 24 months, after 2 years' continuous NHS service.

A month's pay is the more beneficial of (a) annual pay / 12 and (b) 4.35 x a week's pay under ERA
1996 ss.221-229 (for a fixed salary, annual pay / 52), annual pay first kept between the £23,000
floor and the £80,000 cap, pro rata for part-time staff (NHS Employers, "NHS redundancy
arrangements"). For a fixed salary route (b) always wins, by 4.35/52 against 1/12 (about 0.4%
more). The statutory weekly cap (ERA s.227) limits only statutory payments, so it does not limit
route (b) unless the rule set says so (`statutory_weekly_cap_limits_route_b`, an interpretation
kept as data). Both routes are worked to the total exactly and the higher total is rounded once.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from employment.rules.dates import (
    ONE_DAY,
    four_weeks_beginning_with,
    long_date,
    period_text,
    plural,
)
from employment.rules.money import ZERO, pounds, to_pennies
from employment.rules.rule_sets import (
    AFC_REDUNDANCY,
    STATUTORY_REDUNDANCY,
    AfcRedundancyRules,
    RuleSetUsed,
    in_force,
    used,
)
from employment.rules.service import ServiceSummary
from tracker.bands import AFC_BANDS, normalise_band
from tracker.formatting import format_wte

MONTHS_PER_YEAR = 12
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class AfcRedundancyResult:
    """AfC Section 16 contractual redundancy pay with its breakdown."""

    eligible: bool
    continuous_years: int
    reckonable_years: int
    months: int
    annual_salary: Decimal
    annual_pay_used: Decimal
    # "floor", "cap" or "" when the salary was used as it is.
    pay_limit_applied: str
    # Which month's pay was the more beneficial: "a" (annual pay / 12) or "b" (4.35 weeks' pay).
    route_used: str
    # A month's pay used, and each route's month and route (b)'s week; exact, not rounded.
    month_pay: Decimal
    route_a_month_pay: Decimal
    route_b_week_pay: Decimal
    route_b_month_pay: Decimal
    route_b_weekly_cap_applied: bool
    weeks_per_month: Decimal
    # Each route's total in pennies (0.00 when not eligible); `total` is the higher.
    route_a_total: Decimal
    route_b_total: Decimal
    total: Decimal
    # Starting NHS work on or before this day loses the payment.
    reemployment_cutoff: date
    rule_set: RuleSetUsed
    breakdown: tuple[str, ...]


def service_lines(service: ServiceSummary) -> list[str]:
    """The service segments as breakdown lines: counted or not, and why."""
    lines = []
    for segment in service.segments:
        if segment.counted:
            length = plural(segment.years, "complete year")
            if segment.extra_days:
                length += f" and {plural(segment.extra_days, 'day')}"
            lines.append(f"Counted: {segment.text}, {length} ({segment.reason}).")
        else:
            lines.append(f"Not counted: {segment.text} ({segment.reason}).")
    lines.extend(service.notes)
    return lines


def _route_b_week_pay(
    *, pay: Decimal, rules: AfcRedundancyRules, exit_date: date
) -> tuple[Decimal, Decimal | None]:
    """A week's pay for route (b), exact, and the statutory cap applied to it (None when the rule
    set says the cap does not limit route (b), or when it is not reached)."""
    week = pay / WEEKS_PER_YEAR
    if not rules.statutory_weekly_cap_limits_route_b:
        return week, None
    cap = in_force(STATUTORY_REDUNDANCY, on=exit_date, topic="statutory redundancy").weekly_pay_cap
    return (cap, cap) if week > cap else (week, None)


def afc_redundancy(
    *,
    salary: Decimal,
    service: ServiceSummary,
    fte: Decimal = Decimal(1),
    band: str | None = None,
) -> AfcRedundancyResult:
    """AfC Section 16 (England): one month's pay per complete year of reckonable service, at
    most 24 months, for someone with at least 2 years' continuous NHS service (Section 16
    continuity: a break of no more than one statutory week).

    A month's pay is the more beneficial of (a) annual pay / 12 and (b) 4.35 x a week's pay
    under ERA 1996 ss.221-229, which for a fixed salary is annual pay / 52; annual pay for both
    is first kept between the floor and the cap (pro rata for part-time staff). The statutory
    weekly cap does not limit route (b) unless the rule set says so. Both routes are worked to
    the total exactly and the higher total is rounded to pennies once, half up.
    """
    exit_date = service.exit_date
    rules = in_force(AFC_REDUNDANCY, on=exit_date, topic="AfC Section 16")
    lines: list[str] = []
    if band is not None and normalise_band(band) not in AFC_BANDS:
        lines.append(
            f"Band {band} is outside Agenda for Change: Section 16 terms are shown as those NHS "
            "senior and other contracts usually mirror; check the contract."
        )
    continuous_years = service.nhs_continuous_years
    eligible = continuous_years >= rules.qualifying_years
    lines.append(
        "Qualifying: continuous NHS service "
        f"{period_text(service.nhs_continuous_start, exit_date)} is "
        f"{plural(continuous_years, 'complete year')}; at least "
        f"{rules.qualifying_years} (104 weeks) needed with no break of more than one statutory "
        f"week — {'met' if eligible else 'not met'}."
    )
    lines.extend(service_lines(service))
    years = service.reckonable_years
    lines.append(f"Reckonable service: {plural(years, 'complete year')} (part years do not count).")
    months = min(years, rules.max_months) if eligible else 0
    if eligible:
        if years > rules.max_months:
            lines.append(f"Months: {years} capped at the maximum of {rules.max_months}.")
        else:
            lines.append(f"Months: {months} (one month's pay per complete year).")

    floor = rules.annual_earnings_floor * fte
    cap = rules.annual_earnings_cap * fte
    part_time = f" pro rata at {format_wte(fte)} of full time" if fte != 1 else ""
    if salary < floor:
        pay, limit = floor, "floor"
        lines.append(
            f"Annual pay used: {pounds(salary)} raised to the {pounds(floor)} floor "
            f"({pounds(rules.annual_earnings_floor)}{part_time})."
        )
    elif salary > cap:
        pay, limit = cap, "cap"
        lines.append(
            f"Annual pay used: {pounds(salary)} capped at {pounds(cap)} "
            f"({pounds(rules.annual_earnings_cap)}{part_time})."
        )
    else:
        pay, limit = salary, ""
        lines.append(
            f"Annual pay used: {pounds(salary)} (between the {pounds(floor)} floor and "
            f"{pounds(cap)} cap{part_time})."
        )

    per_month = rules.weeks_per_month
    week_pay, week_cap = _route_b_week_pay(pay=pay, rules=rules, exit_date=exit_date)
    route_a_month = pay / MONTHS_PER_YEAR
    route_b_month = per_month * week_pay
    route_a_exact = months * pay / MONTHS_PER_YEAR
    if week_cap is None:
        route_b_exact = months * pay * per_month / WEEKS_PER_YEAR
        week_text = f"{pounds(pay)} / 52 = {pounds(week_pay)}"
        route_b_formula = f"{months} x {per_month} x {pounds(pay)} / 52"
    else:
        route_b_exact = months * per_month * week_cap
        week_text = f"{pounds(pay)} / 52, capped at {pounds(week_cap)} (ERA s.227, rule set)"
        route_b_formula = f"{months} x {per_month} x {pounds(week_cap)}"
    route = "b" if route_b_exact > route_a_exact else "a"
    month_pay = route_b_month if route == "b" else route_a_month
    route_a_total = to_pennies(route_a_exact)
    route_b_total = to_pennies(route_b_exact)
    cap_words = (
        "the statutory weekly cap (ERA s.227) applied to it by the rule set"
        if rules.statutory_weekly_cap_limits_route_b
        else "the statutory weekly cap (ERA s.227) does not limit this contractual payment"
    )
    lines.append(
        f"A month's pay is the more beneficial of (a) annual pay / 12 = {pounds(route_a_month)} "
        f"and (b) {per_month} x a week's pay (ERA 1996 ss.221-229; fixed salary: {week_text} a "
        f"week) = {pounds(route_b_month)}; {cap_words}."
    )
    if eligible:
        lines.append(f"Route (a): {months} x {pounds(pay)} / 12 = {pounds(route_a_total)}.")
        lines.append(f"Route (b): {route_b_formula} = {pounds(route_b_total)}.")
        total = route_b_total if route == "b" else route_a_total
        lines.append(
            f"Total: route ({route}), the more beneficial, {pounds(total)} (rounded to pennies "
            "once, half up)."
        )
    else:
        total = to_pennies(ZERO)
        lines.append("Not eligible: no AfC redundancy payment.")
    cutoff = four_weeks_beginning_with(exit_date + ONE_DAY)
    if eligible:
        lines.append(
            f"Starting work for an NHS employer on or before {long_date(cutoff)} (within four "
            "weeks of the last day) loses this payment [reported]."
        )
    return AfcRedundancyResult(
        eligible=eligible,
        continuous_years=continuous_years,
        reckonable_years=years,
        months=months,
        annual_salary=salary,
        annual_pay_used=pay,
        pay_limit_applied=limit,
        route_used=route,
        month_pay=month_pay,
        route_a_month_pay=route_a_month,
        route_b_week_pay=week_pay,
        route_b_month_pay=route_b_month,
        route_b_weekly_cap_applied=week_cap is not None,
        weeks_per_month=per_month,
        route_a_total=route_a_total if eligible else to_pennies(ZERO),
        route_b_total=route_b_total if eligible else to_pennies(ZERO),
        total=total,
        reemployment_cutoff=cutoff,
        rule_set=used(rules, topic="AfC Section 16", on=exit_date),
        breakdown=tuple(lines),
    )
