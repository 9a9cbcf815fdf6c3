"""Which NHS service counts, and why: continuous service for qualifying, reckonable for paying.

AfC Section 16 and the ERA use two different ideas, and people lose money when they are mixed up:

- **Continuous service** decides whether someone qualifies (2 years for AfC and statutory
  redundancy pay). There are two measures, and a gap can break one and not the other:
  - *statutory* continuity (ERA 1996 s.212 and s.235(1)) runs back from the exit date through
    earlier NHS periods as long as no gap holds a whole Sunday-to-Saturday week; it decides the
    statutory two-year test, what statutory pay counts back over, and statutory notice;
  - *Section 16* continuity (AfC: "a break of no more than one statutory week") survives a gap
    holding at most one whole Sunday-to-Saturday week; two or more break it
    [interpretation, domain-rules.md]. It decides the AfC two-year test.
  The days of a gap that does not break continuity are inside the continuous period, as s.212(1)
  counts any week with a contract in part of it; the same is done for Section 16 continuity.
- **Reckonable service** is what AfC pays on: Section 16 continuous service plus earlier NHS
  periods whose break before the next period was 12 months or less, minus service already paid
  out in an earlier NHS redundancy and service before drawing an NHS pension (retire and return,
  partial retirement).

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
    complete_statutory_weeks,
    complete_years,
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


# ServiceSegment.kind: counted "current" (the continuous service to the exit date) or "earlier"
# (linked by a break of 12 months or less); not counted "paid_out", "before_paid_out",
# "long_break" (followed by a break over 12 months), "before_long_break", "before_pension".
SEGMENT_KINDS = (
    "current",
    "earlier",
    "paid_out",
    "before_paid_out",
    "long_break",
    "before_long_break",
    "before_pension",
)


@dataclass(frozen=True)
class ServiceSegment:
    """Part of the service a person gave, with whether it counts as reckonable and why."""

    start: date
    end: date
    counted: bool
    reason: str
    years: int
    extra_days: int
    # Why, as a code for other renderings (see SEGMENT_KINDS); `reason` is the sentence.
    kind: str = "current"

    @property
    def text(self) -> str:
        return period_text(self.start, self.end)


@dataclass(frozen=True)
class ServiceSummary:
    """Continuous and reckonable service at the exit date, with every segment explained."""

    exit_date: date
    # Statutory continuity (ERA 1996 s.212): statutory pay, its two-year test, notice.
    continuous_start: date
    continuous_years: int
    # Section 16 continuity (a gap of at most one whole statutory week): the AfC two-year test.
    nhs_continuous_start: date
    nhs_continuous_years: int
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


def _spells(
    periods: list[ServicePeriod], *, max_complete_weeks: int
) -> tuple[list[_Spell], list[tuple[date, date, int]]]:
    """Join periods separated by gaps holding at most `max_complete_weeks` whole statutory weeks
    (continuity survives), except after a paid-out period, where s.214 breaks continuity whatever
    the gap. Returns the spells and the joined gaps (first day, last day, whole weeks)."""
    joined: list[tuple[date, date, int]] = []
    spells = [_Spell(start=periods[0].start, end=periods[0].end, paid_out=periods[0].paid_out)]
    for period in periods[1:]:
        last = spells[-1]
        gap_first, gap_last = last.end + ONE_DAY, period.start - ONE_DAY
        weeks = complete_statutory_weeks(first_day=gap_first, last_day=gap_last)
        if not last.paid_out and weeks <= max_complete_weeks:
            if gap_first <= gap_last:
                joined.append((gap_first, gap_last, weeks))
            spells[-1] = _Spell(start=last.start, end=period.end, paid_out=period.paid_out)
        else:
            spells.append(_Spell(start=period.start, end=period.end, paid_out=period.paid_out))
    return spells, joined


def _gap_notes(
    *, statutory_joins: list[tuple[date, date, int]], nhs_joins: list[tuple[date, date, int]]
) -> list[str]:
    """One sentence per short gap: whether it keeps statutory continuity, Section 16 continuity,
    or both."""
    notes = []
    for gap_first, gap_last, _weeks in statutory_joins:
        notes.append(
            f"The gap {period_text(gap_first, gap_last)} holds no whole week ending with "
            "Saturday, so continuity is unbroken and the gap counts as service "
            "(ERA 1996 s.212; Section 16 allows up to one such week)."
        )
    statutory_gaps = {(first, last) for first, last, _weeks in statutory_joins}
    for gap_first, gap_last, weeks in nhs_joins:
        if (gap_first, gap_last) in statutory_gaps:
            continue
        plural = "s" if weeks != 1 else ""
        notes.append(
            f"The gap {period_text(gap_first, gap_last)} holds {weeks} whole week{plural} "
            "ending with Saturday: Section 16 continuity survives a break of no more than one "
            "statutory week, so the gap counts as NHS service for the AfC payment; statutory "
            "continuity (ERA 1996 s.212) is broken by it [interpretation]."
        )
    return notes


def _segment(*, start: date, end: date, counted: bool, reason: str, kind: str) -> ServiceSegment:
    years = complete_years(start, end)
    extra_days = (end - anniversary(start, years)).days + 1 if end >= start else 0
    return ServiceSegment(
        start=start,
        end=end,
        counted=counted,
        reason=reason,
        years=years,
        extra_days=extra_days,
        kind=kind,
    )


def service_summary(
    *,
    service_start: date,
    exit_date: date,
    previous_service: Sequence[ServicePeriod] = (),
    retire_and_return: date | None = None,
    max_break_months: int = 12,
    max_gap_complete_weeks: int = 1,
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
    statutory_spells, statutory_joins = _spells(periods, max_complete_weeks=0)
    spells, nhs_joins = _spells(periods, max_complete_weeks=max_gap_complete_weeks)
    notes = _gap_notes(statutory_joins=statutory_joins, nhs_joins=nhs_joins)
    statutory_start = statutory_spells[-1].start
    current = spells[-1]

    # Walk back from the current spell, deciding for each earlier spell whether it is linked.
    decided: list[tuple[_Spell, bool, str, str]] = [
        (current, True, "continuous NHS service up to the exit date", "current")
    ]
    chain_broken_because = ""
    chain_broken_kind = ""
    for earlier, later in zip(reversed(spells[:-1]), reversed(spells[1:]), strict=True):
        gap_first, gap_last = earlier.end + ONE_DAY, later.start - ONE_DAY
        length = break_text(first_day=gap_first, last_day=gap_last)
        gap = f"break {period_text(gap_first, gap_last)} ({length})"
        if chain_broken_because:
            decided.append((earlier, False, chain_broken_because, chain_broken_kind))
        elif earlier.paid_out:
            decided.append(
                (earlier, False, "already paid out in an earlier NHS redundancy", "paid_out")
            )
            chain_broken_because = (
                "before service already paid out in an earlier NHS redundancy "
                "(it was reckoned in that payment)"
            )
            chain_broken_kind = "before_paid_out"
        elif not break_within(first_day=gap_first, last_day=gap_last, months=max_break_months):
            why = f"the {gap} before the next period is over {max_break_months} months"
            decided.append((earlier, False, why, "long_break"))
            chain_broken_because = f"before a break of over {max_break_months} months"
            chain_broken_kind = "before_long_break"
        else:
            why = f"earlier NHS service; the {gap} is {max_break_months} months or less"
            decided.append((earlier, True, why, "earlier"))

    segments: list[ServiceSegment] = []
    for spell, counted, reason, kind in reversed(decided):
        cut = retire_and_return
        if counted and cut is not None and spell.start < cut:
            pension = {
                "counted": False,
                "reason": f"before drawing an NHS pension (retire and return on {long_date(cut)})",
                "kind": "before_pension",
            }
            if spell.end < cut:
                segments.append(_segment(start=spell.start, end=spell.end, **pension))
                continue
            segments.append(_segment(start=spell.start, end=cut - ONE_DAY, **pension))
            segments.append(
                _segment(start=cut, end=spell.end, counted=True, reason=reason, kind=kind)
            )
            continue
        segments.append(
            _segment(start=spell.start, end=spell.end, counted=counted, reason=reason, kind=kind)
        )

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
        continuous_start=statutory_start,
        continuous_years=complete_years(statutory_start, exit_date),
        nhs_continuous_start=current.start,
        nhs_continuous_years=complete_years(current.start, exit_date),
        reckonable_years=years,
        reckonable_extra_days=extra_days,
        segments=tuple(segments),
        notes=tuple(notes),
        retire_and_return=retire_and_return,
    )
