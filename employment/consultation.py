"""Collective consultation (TULRCA 1992 s.188, s.193): the counts and the clocks (the writes are
in `employment.services.consultations`).

The duty is per legal employer and establishment, so every count here starts from one
`CollectiveConsultation` (one employer, one establishment) and reads only that employer's cases at
that establishment: counts are never combined across employers, even clustered ICBs that share a
programme.

Counting:
* A case is a proposed dismissal when `employment.models.proposed_dismissal_q` says so: voluntary
  and compulsory redundancies count, MARS (a resignation) does not.
* Its date is the exit date if known, else the notice end, else the proposed dismissal date.
* "Within a period of 90 days or less": the peak is the most dismissal dates falling in any 90
  consecutive days, both ends included (the first day plus 89).
* A proposed dismissal with no date yet is counted in every window, so an undated proposal can
  only raise the figure, never hide a threshold.
* 20 or more: consultation must start at least 30 days before the first dismissal; 100 or more:
  45 days. The HR1 is due by the same day, and in any case before the first notice is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from employment.models import (
    Case,
    CollectiveConsultation,
    ConsultationDisclosure,
    proposed_dismissal_q,
)

WINDOW_DAYS = 90
#: (proposed dismissals, minimum days of consultation before the first dismissal), highest first.
THRESHOLDS = ((100, 45), (20, 30))


@dataclass(frozen=True)
class Peak:
    count: int
    starts_on: dt.date | None  # first dismissal date in the busiest window

    @property
    def ends_on(self) -> dt.date | None:
        if self.starts_on is None:
            return None
        return self.starts_on + dt.timedelta(days=WINDOW_DAYS - 1)


def first_window_reaching(
    dates: Iterable[dt.date], threshold: int, *, undated: int = 0
) -> dt.date | None:
    """The earliest dismissal date that starts a 90-day window holding `threshold` or more
    dismissals (undated ones count in every window), or None."""
    ordered = sorted(dates)
    last = 0
    for first, start in enumerate(ordered):
        window_end = start + dt.timedelta(days=WINDOW_DAYS - 1)
        last = max(last, first)
        while last + 1 < len(ordered) and ordered[last + 1] <= window_end:
            last += 1
        if last - first + 1 + undated >= threshold:
            return start
    return None


def peak_in_window(dates: Iterable[dt.date], *, undated: int = 0) -> Peak:
    """The most dismissals in any 90 consecutive days, and where that window starts."""
    ordered = sorted(dates)
    best, best_start, last = 0, None, 0
    for first, start in enumerate(ordered):
        window_end = start + dt.timedelta(days=WINDOW_DAYS - 1)
        last = max(last, first)
        while last + 1 < len(ordered) and ordered[last + 1] <= window_end:
            last += 1
        if last - first + 1 > best:
            best, best_start = last - first + 1, start
    return Peak(count=best + undated, starts_on=best_start)


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


def dismissal_date(case: Case) -> dt.date | None:
    return case.exit_on or case.notice_ends_on or case.proposed_dismissal_on


def consultation_cases(consultation: CollectiveConsultation):
    """This employer's proposed dismissals at this establishment (never another employer's)."""
    return Case.objects.filter(
        proposed_dismissal_q(),
        employer_id=consultation.employer_id,
        establishment=consultation.establishment,
    )


def figures_from(
    rows: Iterable[tuple[dt.date | None, dt.date | None, dt.date | None, dt.date | None]],
    *,
    starts_on: dt.date | None = None,
) -> ConsultationFigures:
    """Figures from (exit_on, notice_ends_on, proposed_dismissal_on, notice_starts_on) rows."""
    dates, notices, undated, total = [], [], 0, 0
    for exit_on, notice_ends_on, proposed_on, notice_starts_on in rows:
        total += 1
        when = exit_on or notice_ends_on or proposed_on
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


def consultation_figures(consultation: CollectiveConsultation) -> ConsultationFigures:
    rows = consultation_cases(consultation).values_list(
        "exit_on", "notice_ends_on", "proposed_dismissal_on", "notice_starts_on"
    )
    return figures_from(rows, starts_on=consultation.starts_on)


def consultation_figures_for(
    consultations: Iterable[CollectiveConsultation],
) -> dict[int, ConsultationFigures]:
    """Figures for many consultations in one query (the listing screen)."""
    consultations = list(consultations)
    if not consultations:
        return {}
    keys = {(c.employer_id, c.establishment): c for c in consultations}
    rows: dict[int, list] = {c.pk: [] for c in consultations}
    cases = Case.objects.filter(
        proposed_dismissal_q(), employer_id__in={c.employer_id for c in consultations}
    ).values_list(
        "employer_id",
        "establishment",
        "exit_on",
        "notice_ends_on",
        "proposed_dismissal_on",
        "notice_starts_on",
    )
    for employer_id, establishment, *dates in cases:
        consultation = keys.get((employer_id, establishment))
        if consultation is not None:
            rows[consultation.pk].append(tuple(dates))
    return {c.pk: figures_from(rows[c.pk], starts_on=c.starts_on) for c in consultations}


def missing_disclosures(consultation: CollectiveConsultation) -> list[str]:
    done = set(consultation.disclosures.values_list("item", flat=True))
    return [item.label for item in ConsultationDisclosure.Item if item not in done]
