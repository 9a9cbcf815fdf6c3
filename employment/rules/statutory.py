"""Statutory redundancy pay (ERA 1996 s.162): counting back from the relevant date in complete
years of continuous employment (ERA s.212), at most 20, at 0.5, 1 or 1.5 weeks' pay by age, a
week's pay capped at the figure in force on the relevant date (s.227).

A year counts at a higher rate only if the person was at least that age for the whole year, i.e.
on its first day (the usual reading of s.162, domain-rules.md [assumed]). The relevant date is the
exit date, or the later date ERA s.145(5) gives when notice was short or paid in lieu
(`relevant_date`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from employment.rules.dates import (
    ONE_DAY,
    age_on,
    complete_years,
    latest_start_for_years,
    long_date,
    period_text,
    plural,
)
from employment.rules.money import ZERO, halves, pounds, to_pennies
from employment.rules.relevant_date import RelevantDate
from employment.rules.rule_sets import (
    STATUTORY_REDUNDANCY,
    RuleSetUsed,
    StatutoryRedundancyRules,
    in_force,
    used,
)
from employment.rules.service import ServiceSummary

WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class StatutoryYear:
    """One year of employment counted back from the exit date, and the weeks it earns."""

    number: int
    start: date
    end: date
    age_at_start: int
    weeks: Decimal


@dataclass(frozen=True)
class StatutoryRedundancyResult:
    """ERA 1996 s.162 statutory redundancy pay with its breakdown."""

    eligible: bool
    # The date it is worked out on: the exit date, or the later ERA s.145(5) date.
    relevant_date: date
    relevant_date_moved: bool
    continuous_years: int
    years_counted: int
    years: tuple[StatutoryYear, ...]
    weeks: Decimal
    weekly_pay_actual: Decimal
    # The week's pay used: the actual one, or the cap when that is lower. Exact, not rounded.
    weekly_pay: Decimal
    cap_applied: bool
    total: Decimal
    rule_set: RuleSetUsed
    breakdown: tuple[str, ...]


def _rate_weeks(rules: StatutoryRedundancyRules, age: int) -> Decimal:
    if age >= rules.higher_rate_age:
        return rules.higher_rate_weeks
    if age >= rules.middle_rate_age:
        return rules.middle_rate_weeks
    return rules.lower_rate_weeks


def _age_band_text(rules: StatutoryRedundancyRules, weeks: Decimal) -> str:
    if weeks == rules.higher_rate_weeks:
        return f"aged {rules.higher_rate_age} or over all year"
    if weeks == rules.middle_rate_weeks:
        return f"aged {rules.middle_rate_age} to {rules.higher_rate_age - 1} all year"
    return f"under {rules.middle_rate_age} for some of the year"


def statutory_redundancy(
    *,
    salary: Decimal,
    date_of_birth: date,
    service: ServiceSummary,
    relevant: RelevantDate | None = None,
) -> StatutoryRedundancyResult:
    """Statutory redundancy pay (ERA 1996 s.162): counting back from the relevant date, complete
    years of continuous employment (ERA s.212), at most 20, at 0.5, 1 or 1.5 weeks' pay by age,
    with the weekly pay cap in force on the relevant date. `relevant` is the s.145(5) relevant
    date; without it the relevant date is the exit date."""
    exit_date = relevant.relevant_date if relevant is not None else service.exit_date
    rules = in_force(STATUTORY_REDUNDANCY, on=exit_date, topic="statutory redundancy")
    continuous_years = complete_years(service.continuous_start, exit_date)
    eligible = continuous_years >= rules.qualifying_years
    lines = [*(relevant.breakdown if relevant is not None else ())]
    lines.append(
        f"Qualifying: continuous employment {period_text(service.continuous_start, exit_date)} is "
        f"{plural(continuous_years, 'complete year')}; at least "
        f"{rules.qualifying_years} needed — {'met' if eligible else 'not met'}."
    )
    counted = min(continuous_years, rules.max_years) if eligible else 0
    years: list[StatutoryYear] = []
    for number in range(1, counted + 1):
        start = latest_start_for_years(end=exit_date, years=number)
        end = latest_start_for_years(end=exit_date, years=number - 1) - ONE_DAY
        age = age_on(date_of_birth, start)
        years.append(
            StatutoryYear(
                number=number,
                start=start,
                end=end,
                age_at_start=age,
                weeks=_rate_weeks(rules, age),
            )
        )
    if eligible:
        lines.append(
            "Years counted back from the "
            f"{'relevant date' if exit_date != service.exit_date else 'last day'}, "
            f"{long_date(exit_date)}; a year earns the higher rate only if the person was that "
            "age for the whole year (age on its first day) [assumed reading of s.162]:"
        )
        # Group consecutive years at the same rate so the breakdown stays short.
        group: list[StatutoryYear] = []
        for year in [*years, None]:
            if group and (year is None or year.weeks != group[0].weeks):
                first, last = group[0], group[-1]
                numbers = (
                    f"year {first.number}"
                    if first is last
                    else f"years {first.number}-{last.number}"
                )
                lines.append(
                    f"  {numbers} ({period_text(last.start, first.end)}), "
                    f"{_age_band_text(rules, first.weeks)}: {len(group)} x {first.weeks} = "
                    f"{halves(first.weeks * len(group))} weeks."
                )
                group = []
            if year is not None:
                group.append(year)
        if continuous_years > rules.max_years:
            lines.append(
                f"Service before {long_date(years[-1].start)} is not counted: at most "
                f"{rules.max_years} years (s.162(3))."
            )
    weeks = sum((year.weeks for year in years), ZERO)
    weekly_actual = salary / WEEKS_PER_YEAR
    cap_applied = weekly_actual > rules.weekly_pay_cap
    weekly = rules.weekly_pay_cap if cap_applied else weekly_actual
    lines.append(f"Weeks: {halves(weeks)}.")
    if cap_applied:
        lines.append(
            f"Week's pay: {pounds(salary)} / 52 = {pounds(weekly_actual)}, capped at "
            f"{pounds(weekly)} (the cap for dismissals from {long_date(rules.effective_from)})."
        )
        total = to_pennies(weeks * weekly)
        formula = f"{halves(weeks)} x {pounds(weekly)}"
    else:
        lines.append(
            f"Week's pay: {pounds(salary)} / 52 = {pounds(weekly_actual)} (under the "
            f"{pounds(rules.weekly_pay_cap)} cap)."
        )
        total = to_pennies(weeks * salary / WEEKS_PER_YEAR)
        formula = f"{halves(weeks)} x {pounds(salary)} / 52"
    if eligible:
        lines.append(f"Total: {formula} = {pounds(total)} (rounded to pennies once, half up).")
    else:
        lines.append("Not eligible: no statutory redundancy payment.")
    return StatutoryRedundancyResult(
        eligible=eligible,
        relevant_date=exit_date,
        relevant_date_moved=exit_date != service.exit_date,
        continuous_years=continuous_years,
        years_counted=counted,
        years=tuple(years),
        weeks=weeks,
        weekly_pay_actual=weekly_actual,
        weekly_pay=weekly,
        cap_applied=cap_applied,
        total=total,
        rule_set=used(rules, topic="statutory redundancy", on=exit_date),
        breakdown=tuple(lines),
    )
