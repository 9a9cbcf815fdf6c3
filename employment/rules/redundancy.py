"""`estimate_entitlements`, which puts every entitlement for one person side by side: AfC Section
16 (`section16`), statutory (`statutory`, ERA s.162), the national VR scheme (`voluntary`), which
is payable (`payable`), MARS, early retirement and notice. The calculators are re-exported here.

Each calculator is a pure function of its inputs and a dated rule row (`rule_sets`), returns a
frozen dataclass with a line-by-line breakdown a person can check, keeps money exact and rounds to
pennies once, at the end (`money.to_pennies`, ROUND_HALF_UP).

Decisions taken here (each also in the breakdown where it matters):

- A month's pay is the more beneficial of (a) annual pay / 12 and (b) 4.35 x a week's pay
  (ERA 1996 ss.221-229: annual pay / 52 for a fixed salary), annual pay first floored at £23,000
  and capped at £80,000 (NHS Employers, "NHS redundancy arrangements"). The statutory weekly cap
  does not limit route (b), a contractual payment (a rule-set setting,
  `statutory_weekly_cap_limits_route_b`). For a fixed salary route (b) always wins, by 4.35/52
  against 1/12 (about 0.4% more): £30,000 and 20 years is £50,192.31, not £50,000.00.
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
  when notice was short or paid in lieu (`relevant_date`). A year counts at a higher rate only if
  the person was at least that age for the whole year, i.e. on its first day. Continuous service
  is counted across NHS employers.
- NHS contractual pay includes the statutory payment: the higher is payable, not both.
- Taking an NHS job within the four weeks beginning the day after the last day loses the AfC
  payment ([reported]); the last such day is shown.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from employment.rules.dates import age_on
from employment.rules.mars import MarsResult, mars
from employment.rules.notice import NoticeResult, notice
from employment.rules.payable import RedundancyPayable, redundancy_payable
from employment.rules.pension import PENSION_SCHEMES, EarlyRetirementResult, early_retirement
from employment.rules.relevant_date import RelevantDate, statutory_relevant_date
from employment.rules.rule_sets import AFC_REDUNDANCY, RuleSetUsed, in_force
from employment.rules.section16 import AfcRedundancyResult, afc_redundancy, service_lines
from employment.rules.service import ServicePeriod, ServiceSummary, service_summary
from employment.rules.statutory import (
    StatutoryRedundancyResult,
    StatutoryYear,
    statutory_redundancy,
)
from employment.rules.voluntary import VoluntaryRedundancyResult, voluntary_redundancy
from tracker.bands import SENIOR_MANAGER_BANDS, normalise_band

__all__ = [
    "AfcRedundancyResult",
    "Entitlements",
    "RedundancyPayable",
    "StatutoryRedundancyResult",
    "StatutoryYear",
    "VoluntaryRedundancyResult",
    "afc_redundancy",
    "estimate_entitlements",
    "redundancy_payable",
    "service_lines",
    "statutory_redundancy",
    "voluntary_redundancy",
]


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
