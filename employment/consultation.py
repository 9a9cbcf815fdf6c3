"""Collective consultation (TULRCA 1992 s.188, s.193): the counts and the clocks (the writes are
in `employment.services.consultations`).

The arithmetic (90-day windows, thresholds, deadlines) is pure and lives in
`employment.rules.consultation`; this module reads the cases it applies to.

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

from employment.models import (
    Case,
    CollectiveConsultation,
    ConsultationDisclosure,
    proposed_dismissal_q,
)
from employment.rules.consultation import (  # noqa: F401  (the figures' public names)
    THRESHOLDS,
    WINDOW_DAYS,
    ConsultationFigures,
    Peak,
    dismissal_on,
    figures_from,
    first_window_reaching,
    peak_in_window,
)


def dismissal_date(case: Case) -> dt.date | None:
    return dismissal_on(case.exit_on, case.notice_ends_on, case.proposed_dismissal_on)


def consultation_cases(consultation: CollectiveConsultation):
    """This employer's proposed dismissals at this establishment (never another employer's)."""
    return Case.objects.filter(
        proposed_dismissal_q(),
        employer_id=consultation.employer_id,
        establishment=consultation.establishment,
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
