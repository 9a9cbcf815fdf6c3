"""Redundancy entitlements: AfC Section 16, statutory (ERA s.162), the national VR scheme, and
`estimate_entitlements`, which puts every entitlement for one person side by side.

Each calculator is a pure function of its inputs and a dated rule row (`rule_sets`), returns a
frozen dataclass with a line-by-line breakdown a person can check, keeps money exact and rounds to
pennies once, at the end (`money.to_pennies`, ROUND_HALF_UP).

Decisions taken here (each also in the breakdown where it matters):

- A month's pay is the more beneficial of (a) annual pay / 12 and (b) 4.35 x a week's pay
  (ERA 1996 ss.221-229: annual pay / 52 for a fixed salary), annual pay first floored at £23,000
  and capped at £80,000 (NHS Employers, "NHS redundancy arrangements"). The statutory weekly cap
  does not limit route (b), a contractual payment (a rule-set setting,
  `statutory_weekly_cap_limits_route_b`). For a fixed salary route (b) always wins, by 4.35/52
  against 1/12 (0.3%): £30,000 and 20 years is £50,192.31, not £50,000.00.
- AfC qualifying service uses Section 16 continuity (a gap of at most one whole statutory week);
  statutory pay uses ERA s.212 continuity (`service`).
- Part-time staff: `salary` is the actual annual pay and `fte` the fraction of whole time. The
  floor and cap apply to whole-time-equivalent pay and are then pro rata, i.e. pay used is the
  actual salary kept between £23,000 x fte and £80,000 x fte ([reported]: NHS guidance applies the
  floor to the whole-time equivalent; AfC pay is pro rata for part-time staff).
- AfC qualifying service "2 years (104 weeks)" is read as 2 complete years of continuous service,
  so a day short of 2 years does not qualify.
- Statutory redundancy: a week's pay for a salaried employee is annual salary / 52, capped at the
  weekly cap in force on the relevant date: the exit date, or the later date ERA s.145(5) gives
  when notice was short or paid in lieu (`relevant_date`). A year
  counts at a higher rate only if the person was at least that age for the whole year, i.e. on its
  first day. Continuous service is counted across NHS employers.
- NHS contractual pay includes the statutory payment: the higher is payable, not both.
- Taking an NHS job within the four weeks beginning the day after the last day loses the AfC
  payment ([reported]); the last such day is shown.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from employment.rules.dates import (
    ONE_DAY,
    add_months,
    age_on,
    complete_years,
    four_weeks_beginning_with,
    latest_start_for_years,
    long_date,
    period_text,
)
from employment.rules.mars import MarsResult, mars
from employment.rules.money import ZERO, halves, pounds, to_pennies
from employment.rules.notice import NoticeResult, notice
from employment.rules.pension import PENSION_SCHEMES, EarlyRetirementResult, early_retirement
from employment.rules.relevant_date import RelevantDate, statutory_relevant_date
from employment.rules.rule_sets import (
    AFC_REDUNDANCY,
    STATUTORY_REDUNDANCY,
    TERMINATION_TAX,
    VOLUNTARY_REDUNDANCY,
    AfcRedundancyRules,
    NoRuleSetInForce,
    RuleSetUsed,
    StatutoryRedundancyRules,
    in_force,
    used,
)
from employment.rules.service import ServicePeriod, ServiceSummary, service_summary
from tracker.bands import AFC_BANDS, SENIOR_MANAGER_BANDS, normalise_band

MONTHS_PER_YEAR = 12
WEEKS_PER_YEAR = 52


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


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


@dataclass(frozen=True)
class RedundancyPayable:
    """Which redundancy payment is actually paid (the higher, never both), with the tax note."""

    # "afc_redundancy", "statutory_redundancy" or None when neither is due.
    payable: str | None
    amount: Decimal
    tax_free: Decimal
    taxable: Decimal
    # The tax-free allowance in force (the first £30,000), whatever the amount.
    tax_free_allowance: Decimal
    rule_set: RuleSetUsed
    breakdown: tuple[str, ...]


@dataclass(frozen=True)
class Entitlements:
    """Everything the `estimate` command prints and the case screens show for one person."""

    applied_on: date
    salary: Decimal
    fte: Decimal
    band: str | None
    date_of_birth: date
    age_at_exit: int
    service: ServiceSummary
    pay_in_lieu: bool
    # The statutory relevant date (ERA s.145) and how it was found.
    relevant_date: RelevantDate
    afc_redundancy: AfcRedundancyResult
    statutory_redundancy: StatutoryRedundancyResult
    voluntary_redundancy: VoluntaryRedundancyResult
    mars: MarsResult
    early_retirement: EarlyRetirementResult
    notice: NoticeResult
    redundancy_payable: RedundancyPayable

    @property
    def rule_sets(self) -> tuple[RuleSetUsed, ...]:
        """Every rule row used, once each, in the order the results appear."""
        found = [
            self.afc_redundancy.rule_set,
            self.statutory_redundancy.rule_set,
            self.voluntary_redundancy.rule_set,
            self.mars.rule_set,
            self.early_retirement.rule_set,
            self.notice.rule_set,
            self.redundancy_payable.rule_set,
        ]
        unique: list[RuleSetUsed] = []
        for rule_set in found:
            if rule_set is not None and rule_set not in unique:
                unique.append(rule_set)
        return tuple(unique)


def service_lines(service: ServiceSummary) -> list[str]:
    """The service segments as breakdown lines: counted or not, and why."""
    lines = []
    for segment in service.segments:
        if segment.counted:
            length = _plural(segment.years, "complete year")
            if segment.extra_days:
                length += f" and {_plural(segment.extra_days, 'day')}"
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
        f"{_plural(continuous_years, 'complete year')}; at least "
        f"{rules.qualifying_years} (104 weeks) needed with no break of more than one statutory "
        f"week — {'met' if eligible else 'not met'}."
    )
    lines.extend(service_lines(service))
    years = service.reckonable_years
    lines.append(
        f"Reckonable service: {_plural(years, 'complete year')} (part years do not count)."
    )
    months = min(years, rules.max_months) if eligible else 0
    if eligible:
        if years > rules.max_months:
            lines.append(f"Months: {years} capped at the maximum of {rules.max_months}.")
        else:
            lines.append(f"Months: {months} (one month's pay per complete year).")

    floor = rules.annual_earnings_floor * fte
    cap = rules.annual_earnings_cap * fte
    part_time = f" pro rata at {fte} of full time" if fte != 1 else ""
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
        f"{_plural(continuous_years, 'complete year')}; at least "
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


def redundancy_payable(
    *, afc: AfcRedundancyResult, statutory: StatutoryRedundancyResult, exit_date: date
) -> RedundancyPayable:
    """The NHS contractual payment includes the statutory one: the higher is paid, not both
    (domain-rules.md [assumed]). The tax-free first £30,000 is shown as information."""
    tax = in_force(TERMINATION_TAX, on=exit_date, topic="termination payment tax")
    lines = [
        f"AfC contractual: {pounds(afc.total)}; statutory: {pounds(statutory.total)}. The "
        "contractual payment includes the statutory one, so the higher is paid, not both "
        "[assumed]."
    ]
    if afc.eligible and afc.total >= statutory.total:
        payable, amount = "afc_redundancy", afc.total
        lines.append(f"Payable: the AfC contractual payment, {pounds(amount)}.")
    elif statutory.eligible:
        payable, amount = "statutory_redundancy", statutory.total
        lines.append(f"Payable: the statutory payment, {pounds(amount)}.")
    else:
        payable, amount = None, to_pennies(ZERO)
        lines.append("No redundancy payment is due.")
    tax_free = min(amount, tax.tax_free_amount)
    taxable = amount - tax_free
    if amount:
        lines.append(
            f"For information: the first {pounds(tax.tax_free_amount)} of a genuine termination "
            f"payment is free of income tax and NICs, here {pounds(tax_free)}; "
            f"{pounds(taxable)} is taxable [reported]."
        )
    return RedundancyPayable(
        payable=payable,
        amount=amount,
        tax_free=tax_free,
        taxable=taxable,
        tax_free_allowance=tax.tax_free_amount,
        rule_set=used(tax, topic="termination payment tax", on=exit_date),
        breakdown=tuple(lines),
    )


def _exact_money(value: Decimal | int | str, *, what: str) -> Decimal:
    if isinstance(value, float):
        # A float cannot hold most pence exactly; callers parse user input as Decimal or str.
        raise TypeError(f"{what} must be a Decimal, int or str, not a float")
    return Decimal(value)


def estimate_entitlements(
    *,
    salary: Decimal,
    date_of_birth: date,
    service_start: date,
    exit_date: date,
    band: str | None = None,
    very_senior: bool = False,
    previous_service: Sequence[ServicePeriod] = (),
    retire_and_return: date | None = None,
    pension_scheme: str | None = None,
    pension_joined: date | None = None,
    fte: Decimal = Decimal(1),
    notice_given_on: date | None = None,
    pay_in_lieu: bool = False,
    package_threshold: Decimal | None = None,
) -> Entitlements:
    """Every entitlement for one person leaving on `exit_date`, each with its breakdown.

    `salary` is actual annual pay (for part-time staff, what they are paid) and `fte` the
    fraction of whole time; `service_start` is the first day of current NHS employment and
    `exit_date` the last; `previous_service` are earlier NHS periods (mark paid-out ones);
    `retire_and_return` the first day of service after drawing an NHS pension;
    `notice_given_on` defaults to the exit date; `pay_in_lieu` means the contract ended on
    `exit_date` with pay in lieu of the notice not worked, which (like short notice given on
    `notice_given_on`) moves the statutory relevant date under ERA s.145(5); `very_senior` (or a
    VSM/ESM band) and `package_threshold` decide the VR clawback window. Raises ValueError (or
    NoRuleSetInForce, a ValueError) with a sentence a person can act on when an input cannot be
    right.
    """
    salary = _exact_money(salary, what="salary")
    fte = _exact_money(fte, what="fte")
    if salary <= 0:
        raise ValueError("the salary must be more than £0")
    if not 0 < fte <= 1:
        raise ValueError("the fraction of full time must be more than 0 and at most 1")
    if package_threshold is not None:
        package_threshold = _exact_money(package_threshold, what="package threshold")
        if package_threshold < 0:
            raise ValueError("the package threshold cannot be negative")
    if band is not None:
        band = normalise_band(band)
    if pension_scheme is not None and pension_scheme not in PENSION_SCHEMES:
        raise ValueError(
            f"pension scheme '{pension_scheme}' is not one of {', '.join(PENSION_SCHEMES)}"
        )
    if exit_date < service_start:
        # Checked before any rule lookup so the person hears about the dates, not the rules.
        raise ValueError(
            f"the exit date {exit_date.isoformat()} is before the service start "
            f"{service_start.isoformat()}"
        )
    earliest = min([service_start, *(period.start for period in previous_service)])
    if earliest <= date_of_birth:
        raise ValueError(
            f"service starting {earliest.isoformat()} is not after the date of birth "
            f"{date_of_birth.isoformat()}"
        )
    afc_rules = in_force(AFC_REDUNDANCY, on=exit_date, topic="AfC Section 16")
    service = service_summary(
        service_start=service_start,
        exit_date=exit_date,
        previous_service=previous_service,
        retire_and_return=retire_and_return,
        max_break_months=afc_rules.max_break_months,
        max_gap_complete_weeks=afc_rules.max_gap_complete_weeks,
    )
    if notice_given_on is not None and not (
        service.continuous_start <= notice_given_on <= exit_date
    ):
        raise ValueError(
            f"notice given on {notice_given_on.isoformat()} must fall within continuous service, "
            f"{service.continuous_start.isoformat()} to {exit_date.isoformat()}"
        )
    very_senior = very_senior or band in SENIOR_MANAGER_BANDS

    afc = afc_redundancy(salary=salary, service=service, fte=fte, band=band)
    relevant = statutory_relevant_date(
        exit_date=exit_date,
        continuous_start=service.continuous_start,
        notice_given_on=notice_given_on,
        pay_in_lieu=pay_in_lieu,
    )
    statutory = statutory_redundancy(
        salary=salary, date_of_birth=date_of_birth, service=service, relevant=relevant
    )
    notice_result = notice(
        band=band,
        service_start=service.continuous_start,
        notice_given_on=notice_given_on or exit_date,
    )
    if notice_given_on is None:
        notice_result = replace(
            notice_result,
            breakdown=(
                "No notice date given: service is counted to the last day, as if notice were "
                "given then [assumed]; give the date notice is served for the exact figure.",
                *notice_result.breakdown,
            ),
        )
    return Entitlements(
        applied_on=exit_date,
        salary=salary,
        fte=fte,
        band=band,
        date_of_birth=date_of_birth,
        age_at_exit=age_on(date_of_birth, exit_date),
        service=service,
        pay_in_lieu=pay_in_lieu,
        relevant_date=relevant,
        afc_redundancy=afc,
        statutory_redundancy=statutory,
        voluntary_redundancy=voluntary_redundancy(
            afc=afc,
            exit_date=exit_date,
            very_senior=very_senior,
            package_threshold=package_threshold,
        ),
        mars=mars(salary=salary, service=service, fte=fte),
        early_retirement=early_retirement(
            scheme=pension_scheme,
            date_of_birth=date_of_birth,
            service=service,
            joined_on=pension_joined,
        ),
        notice=notice_result,
        redundancy_payable=redundancy_payable(afc=afc, statutory=statutory, exit_date=exit_date),
    )
