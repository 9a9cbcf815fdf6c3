"""Which NHS service counts, and why: continuous service for qualifying, reckonable for paying.

AfC Section 16 and the ERA use two different ideas, and people lose money when they are mixed up:

- **Continuous service** decides whether someone qualifies (2 years for AfC and statutory
  redundancy pay) and is what statutory pay counts back over. It runs back from the exit date
  through earlier NHS periods as long as no break holds a whole week ending with Saturday
  (ERA 1996 s.212 and s.235(1); AfC "no break of more than one week"). The days of a short gap
  are inside the continuous period, as s.212(1) counts any week with a contract in part of it.
- **Reckonable service** is what AfC pays on: continuous service plus earlier NHS periods whose
  break before the next period was 12 months or less, minus service already paid out in an
  earlier NHS redundancy and service before drawing an NHS pension (retire and return, partial
  retirement).

Measuring a break: it runs from the day after the earlier period's last day to the day before
the next period's first day, both included. It is "12 months or less" when the next period
starts no later than the date 12 months after the break's first day (`add_months`): leaving on
31 March 2020 and restarting on 1 April 2021 is a break of exactly 12 months, which counts;
restarting on 2 April 2021 is 12 months and a day, which does not.

Adding up separate periods: each counts its complete years; the part years left over are added
as days, and every 365 of those days make one more year. Breaks are never counted.

A period marked paid out, and everything before it, is excluded: earlier service that was linked
to it was reckoned in that payment, and ERA 1996 s.214 breaks continuity at a redundancy payment.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from employment.rules.dates import (
    ONE_DAY,
    add_months,
    anniversary,
    complete_months,
    complete_years,
    first_full_statutory_week,
    long_date,
    period_text,
)

# Part years from separate periods are pooled as days; this many days make one more year.
DAYS_PER_POOLED_YEAR = 365


@dataclass(frozen=True)
class ServicePeriod:
    """A spell of NHS employment, first and last day included. `paid_out` marks service that
    was already paid for in an earlier NHS redundancy."""

    start: date
    end: date
    paid_out: bool = False


@dataclass(frozen=True)
class ServiceSegment:
    """Part of the service a person gave, with whether it counts as reckonable and why."""

    start: date
    end: date
    counted: bool
    reason: str
    years: int
    extra_days: int

    @property
    def text(self) -> str:
        return period_text(self.start, self.end)


@dataclass(frozen=True)
class ServiceSummary:
    """Continuous and reckonable service at the exit date, with every segment explained."""

    exit_date: date
    continuous_start: date
    continuous_years: int
    reckonable_years: int
    # Days beyond the complete years, after pooling part years from separate periods.
    reckonable_extra_days: int
    segments: tuple[ServiceSegment, ...]
    notes: tuple[str, ...]
    retire_and_return: date | None


@dataclass(frozen=True)
class _Spell:
    """Periods joined into one because no break between them breaks continuity."""

    start: date
    end: date
    paid_out: bool


def break_text(*, first_day: date, last_day: date) -> str:
    """A break's length as "12 months", "12 months and 1 day" or "3 days"."""
    months = complete_months(first_day, last_day)
    days = (last_day - add_months(first_day, months)).days + 1
    parts = []
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    if days or not parts:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    return " and ".join(parts)


def break_within(*, first_day: date, last_day: date, months: int) -> bool:
    """Whether the break from `first_day` to `last_day` (both included) is `months` or less."""
    return last_day + ONE_DAY <= add_months(first_day, months)


def _validated(
    *, service_start: date, exit_date: date, previous_service: Sequence[ServicePeriod]
) -> list[ServicePeriod]:
    if exit_date < service_start:
        raise ValueError(
            f"the exit date {exit_date.isoformat()} is before the service start "
            f"{service_start.isoformat()}"
        )
    earlier = sorted(previous_service, key=lambda period: period.start)
    for period in earlier:
        if period.end < period.start:
            raise ValueError(
                f"previous service {period.start.isoformat()}:{period.end.isoformat()} "
                "ends before it starts"
            )
        if period.end >= service_start:
            raise ValueError(
                f"previous service {period.start.isoformat()}:{period.end.isoformat()} must end "
                f"before the current service starts on {service_start.isoformat()}"
            )
    for before, after in pairwise(earlier):
        if after.start <= before.end:
            raise ValueError(
                f"previous service periods {before.start.isoformat()}:{before.end.isoformat()} "
                f"and {after.start.isoformat()}:{after.end.isoformat()} overlap"
            )
    return [*earlier, ServicePeriod(start=service_start, end=exit_date)]


def _spells(periods: list[ServicePeriod]) -> tuple[list[_Spell], list[str]]:
    """Join periods separated by gaps that hold no whole statutory week (continuity survives),
    except after a paid-out period, where s.214 breaks continuity whatever the gap."""
    notes: list[str] = []
    spells = [_Spell(start=periods[0].start, end=periods[0].end, paid_out=periods[0].paid_out)]
    for period in periods[1:]:
        last = spells[-1]
        gap_first, gap_last = last.end + ONE_DAY, period.start - ONE_DAY
        joins = (
            not last.paid_out
            and first_full_statutory_week(first_day=gap_first, last_day=gap_last) is None
        )
        if joins:
            if gap_first <= gap_last:
                notes.append(
                    f"The gap {period_text(gap_first, gap_last)} holds no whole week ending with "
                    "Saturday, so continuity is unbroken and the gap counts as service "
                    "(ERA 1996 s.212)."
                )
            spells[-1] = _Spell(start=last.start, end=period.end, paid_out=period.paid_out)
        else:
            spells.append(_Spell(start=period.start, end=period.end, paid_out=period.paid_out))
    return spells, notes


def _segment(*, start: date, end: date, counted: bool, reason: str) -> ServiceSegment:
    years = complete_years(start, end)
    extra_days = (end - anniversary(start, years)).days + 1 if end >= start else 0
    return ServiceSegment(
        start=start, end=end, counted=counted, reason=reason, years=years, extra_days=extra_days
    )


def service_summary(
    *,
    service_start: date,
    exit_date: date,
    previous_service: Sequence[ServicePeriod] = (),
    retire_and_return: date | None = None,
    max_break_months: int = 12,
) -> ServiceSummary:
    """Work out continuous and reckonable service at `exit_date` (see the module docstring).

    `service_start` is the first day of the current NHS employment and `exit_date` its last day;
    `previous_service` are earlier NHS periods; `retire_and_return` is the first day of NHS
    service after drawing an NHS pension (service before it is not reckonable). Raises
    ValueError with a sentence a person can act on when the dates cannot be right.
    """
    periods = _validated(
        service_start=service_start, exit_date=exit_date, previous_service=previous_service
    )
    if retire_and_return is not None and retire_and_return > exit_date:
        raise ValueError(
            f"the retire-and-return date {retire_and_return.isoformat()} is after the exit date "
            f"{exit_date.isoformat()}"
        )
    spells, notes = _spells(periods)
    current = spells[-1]

    # Walk back from the current spell, deciding for each earlier spell whether it is linked.
    decided: list[tuple[_Spell, bool, str]] = [
        (current, True, "continuous NHS service up to the exit date")
    ]
    chain_broken_because = ""
    for earlier, later in zip(reversed(spells[:-1]), reversed(spells[1:]), strict=True):
        gap_first, gap_last = earlier.end + ONE_DAY, later.start - ONE_DAY
        length = break_text(first_day=gap_first, last_day=gap_last)
        gap = f"break {period_text(gap_first, gap_last)} ({length})"
        if chain_broken_because:
            decided.append((earlier, False, chain_broken_because))
        elif earlier.paid_out:
            decided.append((earlier, False, "already paid out in an earlier NHS redundancy"))
            chain_broken_because = (
                "before service already paid out in an earlier NHS redundancy "
                "(it was reckoned in that payment)"
            )
        elif not break_within(first_day=gap_first, last_day=gap_last, months=max_break_months):
            why = f"the {gap} before the next period is over {max_break_months} months"
            decided.append((earlier, False, why))
            chain_broken_because = f"before a break of over {max_break_months} months"
        else:
            why = f"earlier NHS service; the {gap} is {max_break_months} months or less"
            decided.append((earlier, True, why))

    segments: list[ServiceSegment] = []
    for spell, counted, reason in reversed(decided):
        cut = retire_and_return
        if counted and cut is not None and spell.start < cut:
            pension_reason = (
                f"before drawing an NHS pension (retire and return on {long_date(cut)})"
            )
            if spell.end < cut:
                segments.append(
                    _segment(start=spell.start, end=spell.end, counted=False, reason=pension_reason)
                )
                continue
            segments.append(
                _segment(start=spell.start, end=cut - ONE_DAY, counted=False, reason=pension_reason)
            )
            segments.append(_segment(start=cut, end=spell.end, counted=True, reason=reason))
            continue
        segments.append(_segment(start=spell.start, end=spell.end, counted=counted, reason=reason))

    counted_segments = [segment for segment in segments if segment.counted]
    years = sum(segment.years for segment in counted_segments)
    extra_days = sum(segment.extra_days for segment in counted_segments)
    if len(counted_segments) > 1:
        years += extra_days // DAYS_PER_POOLED_YEAR
        extra_days %= DAYS_PER_POOLED_YEAR
        if any(segment.extra_days for segment in counted_segments):
            notes.append(
                "Part years from separate periods are added as days; every "
                f"{DAYS_PER_POOLED_YEAR} days make one more year [assumed]."
            )

    return ServiceSummary(
        exit_date=exit_date,
        continuous_start=current.start,
        continuous_years=complete_years(current.start, exit_date),
        reckonable_years=years,
        reckonable_extra_days=extra_days,
        segments=tuple(segments),
        notes=tuple(notes),
        retire_and_return=retire_and_return,
    )
