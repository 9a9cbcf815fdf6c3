"""The statutory "relevant date" for redundancy pay, moved by ERA 1996 s.145(5).

The relevant date is normally the day employment ends (s.145(2)). Where the employer ends the
contract with less than the statutory minimum notice (s.86), for example by paying in lieu of
notice, s.145(5) puts it later for three purposes only: the two-year qualifying test (s.155), the
counting back of years (s.162(1)) and the weekly pay cap (s.227(3)). The later date is the day the
s.86 notice would have expired had it been given on the "material date" (s.145(6)): the day notice
was given or, where none was, the day the contract ended.

Counting notice: notice given on a day runs from the next day, so N weeks given on a Tuesday
expire on the Tuesday N weeks later (the day given + 7N days). The statutory weeks are those due
on the material date (`notice.statutory_notice_weeks`).

The AfC Section 16 payment is contractual and is worked out on the real last day; this date
changes only the statutory payment.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from employment.rules.dates import long_date
from employment.rules.notice import statutory_notice_weeks

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class RelevantDate:
    """The date statutory redundancy pay is worked out on, and why."""

    exit_date: date
    # The statutory relevant date: the exit date, or the later s.145(5) date.
    relevant_date: date
    moved: bool
    pay_in_lieu: bool
    # The day notice was given, or the exit date when none was given (s.145(6)).
    material_date: date
    statutory_notice_weeks: int
    # The day statutory notice given on the material date would expire.
    notice_would_expire: date
    breakdown: tuple[str, ...]


def statutory_relevant_date(
    *,
    exit_date: date,
    continuous_start: date,
    notice_given_on: date | None,
    pay_in_lieu: bool,
) -> RelevantDate:
    """The relevant date for statutory redundancy pay (module docstring).

    s.145(5) is looked at only when the notice is known: `pay_in_lieu` (the contract ended on
    `exit_date` with pay for the notice not worked) or an explicit `notice_given_on`. Without
    either, the estimate does not know how notice was given and uses the exit date, as before.
    """
    material = notice_given_on or exit_date
    weeks = statutory_notice_weeks(service_start=continuous_start, notice_given_on=material)
    expires = material + timedelta(days=DAYS_PER_WEEK * weeks)
    considered = pay_in_lieu or notice_given_on is not None
    moved = considered and expires > exit_date
    lines: list[str] = []
    if moved:
        how = (
            "with pay in lieu of notice"
            if pay_in_lieu
            else "with less than the statutory minimum notice"
        )
        given = (
            f"given on {long_date(material)}"
            if notice_given_on is not None
            else f"given on the last day, {long_date(material)} (no notice was given)"
        )
        lines.append(
            f"Employment ends on {long_date(exit_date)} {how}. Statutory notice of "
            f"{weeks} week{'s' if weeks != 1 else ''} {given} would have expired on "
            f"{long_date(expires)}, so that is the relevant date for the two-year test, the "
            "counting back and the weekly cap (ERA 1996 s.145(5))."
        )
    elif considered:
        lines.append(
            f"Statutory notice of {weeks} week{'s' if weeks != 1 else ''} given on "
            f"{long_date(material)} expires on {long_date(expires)}, not after the last day, "
            f"so the relevant date is the last day, {long_date(exit_date)} (ERA 1996 s.145)."
        )
    return RelevantDate(
        exit_date=exit_date,
        relevant_date=expires if moved else exit_date,
        moved=moved,
        pay_in_lieu=pay_in_lieu,
        material_date=material,
        statutory_notice_weeks=weeks,
        notice_would_expire=expires,
        breakdown=tuple(lines),
    )
