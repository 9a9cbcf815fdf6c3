"""Early retirement in lieu of a redundancy payment (NHS Pension Scheme, AfC Section 16).

An active member with at least 2 years' scheme membership and 2 years' continuous service, at or
over minimum pension age when they leave, may take an unreduced pension instead of the lump sum;
the cost is met from the redundancy payment and, for AfC staff, any shortfall by the member.
Minimum pension age is 50 for 1995 Section members who joined before 6 April 2006, otherwise 55.

This says whether someone is eligible and why; it does not price the pension. It assumes an active
member who has not unreasonably refused suitable alternative employment, and says so.
"""

from dataclasses import dataclass
from datetime import date

from employment.rules.dates import age_on, complete_years, long_date
from employment.rules.rule_sets import EARLY_RETIREMENT, RuleSetUsed, in_force, used
from employment.rules.service import ServiceSummary

PENSION_SCHEMES = ("1995", "2008", "2015", "none")
SCHEME_NAMES = {"1995": "1995 Section", "2008": "2008 Section", "2015": "2015 Scheme"}


@dataclass(frozen=True)
class EarlyRetirementResult:
    """Eligibility for early retirement in lieu, with the minimum pension age that applied."""

    eligible: bool
    scheme: str | None
    minimum_pension_age: int | None
    age_at_exit: int
    membership_years: int | None
    continuous_years: int
    joined_on: date | None
    rule_set: RuleSetUsed
    breakdown: tuple[str, ...]


def minimum_pension_age(*, scheme: str, joined_on: date, on: date) -> int:
    """Minimum pension age on `on` for a member of `scheme` who joined on `joined_on`: 50 for a
    1995 Section member who joined before 6 April 2006, otherwise 55."""
    rules = in_force(EARLY_RETIREMENT, on=on, topic="early retirement")
    if scheme == "1995" and joined_on < rules.protected_joined_before:
        return rules.protected_minimum_pension_age
    return rules.normal_minimum_pension_age


def early_retirement(
    *,
    scheme: str | None,
    date_of_birth: date,
    service: ServiceSummary,
    joined_on: date | None = None,
) -> EarlyRetirementResult:
    """Whether early retirement in lieu is open at the exit date.

    `scheme` is "1995", "2008", "2015", "none" or None (not known). `joined_on` is when the person
    joined the scheme; when not given it is taken as the start of continuous service and the
    breakdown says so, because the joining date decides the 1995 Section's protected age.
    """
    exit_date = service.exit_date
    rules = in_force(EARLY_RETIREMENT, on=exit_date, topic="early retirement")
    rule_set = used(rules, topic="early retirement", on=exit_date)
    age = age_on(date_of_birth, exit_date)
    if scheme is not None and scheme not in PENSION_SCHEMES:
        raise ValueError(f"pension scheme '{scheme}' is not one of {', '.join(PENSION_SCHEMES)}")
    if scheme in (None, "none"):
        why = (
            "No NHS Pension Scheme membership given"
            if scheme is None
            else "Not an NHS Pension Scheme member"
        )
        return EarlyRetirementResult(
            eligible=False,
            scheme=scheme,
            minimum_pension_age=None,
            age_at_exit=age,
            membership_years=None,
            continuous_years=service.nhs_continuous_years,
            joined_on=None,
            rule_set=rule_set,
            breakdown=(f"{why}, so early retirement in lieu is not open.",),
        )
    lines = []
    if joined_on is None:
        joined_on = service.nhs_continuous_start
        lines.append(
            f"Scheme joining date not given: taken as the start of continuous NHS service, "
            f"{long_date(joined_on)} [assumed]."
        )
    if joined_on > exit_date:
        raise ValueError(
            f"the pension joining date {joined_on.isoformat()} is after the exit date "
            f"{exit_date.isoformat()}"
        )
    mpa = minimum_pension_age(scheme=scheme, joined_on=joined_on, on=exit_date)
    if mpa == rules.protected_minimum_pension_age:
        lines.append(
            f"Minimum pension age {mpa}: 1995 Section member who joined before "
            f"{long_date(rules.protected_joined_before)}."
        )
    elif scheme == "1995":
        lines.append(
            f"Minimum pension age {mpa}: 1995 Section member who joined on or after "
            f"{long_date(rules.protected_joined_before)}."
        )
    else:
        lines.append(f"Minimum pension age {mpa}: {SCHEME_NAMES[scheme]} member.")
    membership = complete_years(joined_on, exit_date)
    checks = [
        (
            membership >= rules.min_membership_years,
            f"scheme membership {membership} complete years (at least "
            f"{rules.min_membership_years} needed)",
        ),
        (
            service.nhs_continuous_years >= rules.min_continuous_years,
            f"continuous NHS service {service.nhs_continuous_years} complete years (Section 16 "
            "continuity; at least "
            f"{rules.min_continuous_years} needed)",
        ),
        (age >= mpa, f"age {age} on the last day, {long_date(exit_date)} (at least {mpa} needed)"),
    ]
    for passed, text in checks:
        lines.append(f"{'Met' if passed else 'Not met'}: {text}.")
    eligible = all(passed for passed, _ in checks)
    lines.append(
        "Eligible: an unreduced pension may be taken instead of the redundancy lump sum; its cost "
        "is met from the redundancy payment and, for AfC staff, any shortfall by the member. "
        "Assumes an active member who has not unreasonably refused suitable alternative "
        "employment."
        if eligible
        else "Not eligible for early retirement in lieu."
    )
    return EarlyRetirementResult(
        eligible=eligible,
        scheme=scheme,
        minimum_pension_age=mpa,
        age_at_exit=age,
        membership_years=membership,
        continuous_years=service.nhs_continuous_years,
        joined_on=joined_on,
        rule_set=rule_set,
        breakdown=tuple(lines),
    )
