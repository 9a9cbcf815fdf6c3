"""Collective consultation arithmetic (TULRCA 1992 s.188, s.193): 90-day windows, the 20 and 100
thresholds, the 30 and 45 days, and when each alert clock falls. Pure: dates in, figures out; no
database. `employment.consultation` and `employment.alerts` read the cases and call these.

Counting:
* A dismissal's date is the exit date if known, else the notice end, else the proposed dismissal
  date (`dismissal_on`).
* "Within a period of 90 days or less": a window is 90 consecutive days, both ends included (its
  first day plus 89).
* A proposed dismissal with no date yet is counted in every window, so an undated proposal can
  only raise a figure, never hide a threshold.
* 20 or more: consultation must start at least 30 days before the first dismissal; 100 or more:
  45 days. The HR1 is due by the same day, and in any case before the first notice is given.

Per proposal (`threshold_crossings`): each level is reached afresh by each run of dismissals
that does not overlap the last window that reached it. Windows are chosen greedily from the
earliest date: the first window reaching the level starts at the earliest dismissal that begins
one; the next can start only after that window has ended. So 20 dismissals in June and a
separate 20 the following March are two proposals, two alerts and two HR1 clocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WINDOW_DAYS = 90
#: (proposed dismissals, minimum days of consultation before the first dismissal), highest first.
THRESHOLDS = ((100, 45), (20, 30))


def dismissal_on(
    exit_on: dt.date | None, notice_ends_on: dt.date | None, proposed_on: dt.date | None
) -> dt.date | None:
    return exit_on or notice_ends_on or proposed_on


def window_end(starts_on: dt.date) -> dt.date:
    return starts_on + dt.timedelta(days=WINDOW_DAYS - 1)


def windows_overlap(a: dt.date | None, b: dt.date | None) -> bool:
    """Whether the 90-day windows starting on `a` and `b` share a day (an undated window, None,
    overlaps every window)."""
    if a is None or b is None:
        return True
    return abs((a - b).days) < WINDOW_DAYS


@dataclass(frozen=True)
class Peak:
    count: int
    starts_on: dt.date | None  # first dismissal date in the busiest window

    @property
    def ends_on(self) -> dt.date | None:
        return None if self.starts_on is None else window_end(self.starts_on)


def _window_counts(ordered: Sequence[dt.date]) -> list[int]:
    """For each index i, how many of `ordered` fall in the window starting on ordered[i]."""
    counts, last = [], 0
    for first, start in enumerate(ordered):
        end = window_end(start)
        last = max(last, first)
        while last + 1 < len(ordered) and ordered[last + 1] <= end:
            last += 1
        counts.append(last - first + 1)
    return counts


def first_window_reaching(
    dates: Iterable[dt.date], threshold: int, *, undated: int = 0
) -> dt.date | None:
    """The earliest dismissal date that starts a 90-day window holding `threshold` or more
    dismissals (undated ones count in every window), or None."""
    ordered = sorted(dates)
    for start, count in zip(ordered, _window_counts(ordered), strict=True):
        if count + undated >= threshold:
            return start
    return None


def peak_in_window(dates: Iterable[dt.date], *, undated: int = 0) -> Peak:
    """The most dismissals in any 90 consecutive days, and where that window starts."""
    ordered = sorted(dates)
    best, best_start = 0, None
    for start, count in zip(ordered, _window_counts(ordered), strict=True):
        if count > best:
            best, best_start = count, start
    return Peak(count=best + undated, starts_on=best_start)


@dataclass(frozen=True)
class Crossing:
    """One proposal reaching one threshold: the window, how many fall in it, and its deadlines."""

    level: int  # 20 or 100
    minimum_days: int  # 30 or 45
    starts_on: dt.date | None  # the window's first dismissal; None when every one is undated
    count: int
    latest_start_on: dt.date | None  # consultation must have begun by this day
    first_notice_on: dt.date | None  # the first notice given to anyone in the window
    hr1_due_on: dt.date | None

    @property
    def ends_on(self) -> dt.date | None:
        return None if self.starts_on is None else window_end(self.starts_on)


def threshold_crossings(
    rows: Iterable[tuple[dt.date | None, dt.date | None]],
) -> list[Crossing]:
    """Every proposal reaching 20 or 100, from (dismissal date, notice given on) rows of one
    employer at one establishment; ordered by level, then date."""
    rows = list(rows)
    dated = sorted(((d, n) for d, n in rows if d is not None), key=lambda r: r[0])
    undated_notices = [n for d, n in rows if d is None and n is not None]
    undated = sum(1 for d, _ in rows if d is None)
    dates = [d for d, _ in dated]
    counts = _window_counts(dates)
    crossings: list[Crossing] = []
    for level, days in sorted(THRESHOLDS):
        if not dates:
            if undated >= level:
                first_notice = min(undated_notices, default=None)
                crossings.append(
                    Crossing(level, days, None, undated, None, first_notice,
                             _hr1_due(None, first_notice))
                )
            continue
        i = 0
        while i < len(dates):
            if counts[i] + undated < level:
                i += 1
                continue
            start = dates[i]
            inside = dated[i : i + counts[i]]
            notices = [n for _, n in inside if n is not None] + undated_notices
            first_notice = min(notices, default=None)
            latest = start - dt.timedelta(days=days)
            crossings.append(
                Crossing(
                    level=level,
                    minimum_days=days,
                    starts_on=start,
                    count=counts[i] + undated,
                    latest_start_on=latest,
                    first_notice_on=first_notice,
                    hr1_due_on=_hr1_due(latest, first_notice),
                )
            )
            end = window_end(start)
            while i < len(dates) and dates[i] <= end:
                i += 1
    return crossings


def _hr1_due(latest_start: dt.date | None, first_notice: dt.date | None) -> dt.date | None:
    before_notice = None if first_notice is None else first_notice - dt.timedelta(days=1)
    candidates = [d for d in (latest_start, before_notice) if d is not None]
    return min(candidates, default=None)


@dataclass(frozen=True)
class Hr1Clock:
    starts_on: dt.date | None  # the proposal's first dismissal
    due_on: dt.date
    previous_ends_on: dt.date | None  # the end of the window of the proposal before it


def hr1_clocks(crossings: Iterable[Crossing]) -> list[Hr1Clock]:
    """One HR1 clock for each proposal reaching 20: due on the earliest of its own deadline and
    that of any proposal reaching 100 whose window overlaps it."""
    crossings = list(crossings)
    clocks = []
    previous_end = None
    for low in (c for c in crossings if c.level == 20):
        dues = [low.hr1_due_on] + [
            high.hr1_due_on
            for high in crossings
            if high.level == 100 and windows_overlap(high.starts_on, low.starts_on)
        ]
        due = min((d for d in dues if d is not None), default=None)
        if due is not None:
            clocks.append(Hr1Clock(low.starts_on, due, previous_end))
        previous_end = low.ends_on
    return clocks


def hr1_covers(submitted_on: dt.date | None, clock: Hr1Clock) -> bool:
    """Whether the HR1 recorded as sent on `submitted_on` is this proposal's: one sent after the
    previous proposal's window ended (or with no earlier proposal) is. An employer's consultation
    record holds the latest HR1 sent, so recording the next proposal's HR1 moves this date on."""
    if submitted_on is None:
        return False
    return clock.previous_ends_on is None or submitted_on > clock.previous_ends_on


def clock_phase(on: dt.date, *, today: dt.date, lead: int, lookback: int) -> str | None:
    """'approaching' within `lead` days before `on`, 'passed' from `on` up to `lookback` days
    after it, else None (too early, or too long ago to be worth telling anyone)."""
    days = (on - today).days
    if 0 < days <= lead:
        return "approaching"
    if -lookback <= days <= 0:
        return "passed"
    return None


@dataclass(frozen=True)
class ConsultationFigures:
    """What the law requires of one employer at one establishment, from its cases today."""

    proposed: int  # every proposed dismissal, whatever its date
    undated: int
    peak: Peak
    threshold: int  # 0, 20 or 100
    minimum_days: int  # 0, 30 or 45
    first_dismissal_on: dt.date | None  # first dismissal in the window that reached a threshold
    latest_start_on: dt.date | None  # consultation must have begun by this day
    first_notice_on: dt.date | None
    hr1_due_on: dt.date | None
    starts_on: dt.date | None
    minimum_ends_on: dt.date | None  # earliest day the first dismissal may take effect
    starts_late: bool

    @property
    def required(self) -> bool:
        return self.threshold > 0


def figures_from(
    rows: Iterable[tuple[dt.date | None, dt.date | None, dt.date | None, dt.date | None]],
    *,
    starts_on: dt.date | None = None,
) -> ConsultationFigures:
    """Figures from (exit_on, notice_ends_on, proposed_dismissal_on, notice_starts_on) rows."""
    dates, notices, undated, total = [], [], 0, 0
    for exit_on, notice_ends_on, proposed_on, notice_starts_on in rows:
        total += 1
        when = dismissal_on(exit_on, notice_ends_on, proposed_on)
        if when is None:
            undated += 1
        else:
            dates.append(when)
        if notice_starts_on is not None:
            notices.append(notice_starts_on)
    peak = peak_in_window(dates, undated=undated)
    threshold = minimum_days = 0
    latest_start = first_dismissal = None
    for level, days in THRESHOLDS:
        window_start = first_window_reaching(dates, level, undated=undated)
        if peak.count >= level and not threshold:
            threshold, minimum_days = level, days
        if window_start is not None:
            # Each threshold brings its own deadline; the earliest one binds.
            deadline = window_start - dt.timedelta(days=days)
            if latest_start is None or deadline < latest_start:
                latest_start, first_dismissal = deadline, window_start
    first_notice = min(notices) if notices else None
    hr1_due = latest_start
    if threshold and first_notice is not None:
        before_notice = first_notice - dt.timedelta(days=1)
        hr1_due = before_notice if hr1_due is None else min(hr1_due, before_notice)
    minimum_ends = (
        starts_on + dt.timedelta(days=minimum_days) if starts_on and minimum_days else None
    )
    return ConsultationFigures(
        proposed=total,
        undated=undated,
        peak=peak,
        threshold=threshold,
        minimum_days=minimum_days,
        first_dismissal_on=first_dismissal,
        latest_start_on=latest_start,
        first_notice_on=first_notice,
        hr1_due_on=hr1_due,
        starts_on=starts_on,
        minimum_ends_on=minimum_ends,
        starts_late=bool(latest_start and starts_on and starts_on > latest_start),
    )
