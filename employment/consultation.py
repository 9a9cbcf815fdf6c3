"""Collective consultation (TULRCA 1992 s.188, s.193): the counts, the clocks and the writes.

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

from django.db import transaction

from employment.models import (
    Case,
    CollectiveConsultation,
    ConsultationDisclosure,
    ConsultationMeeting,
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
from employment.services import CaseError, _set
from tracker.audit import audited_save, require_reason
from tracker.models import Organisation, Programme, User


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


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def consultation_open(
    *,
    employer: Organisation,
    acting_user: User,
    reason: str,
    establishment: str = "",
    programme: Programme | None = None,
    starts_on: dt.date | None = None,
) -> CollectiveConsultation:
    """Open the consultation record for one legal employer at one establishment."""
    require_reason(reason)
    if not employer.is_legal_employer:
        raise CaseError(
            f"{employer} is not a legal employer: collective consultation is the duty of each "
            "legal employer."
        )
    establishment = establishment.strip()
    if CollectiveConsultation.objects.filter(
        employer=employer, establishment=establishment
    ).exists():
        raise CaseError(
            f"There is already a consultation for {employer} at "
            f"{establishment or 'the whole organisation'}."
        )
    consultation = CollectiveConsultation(
        employer=employer, establishment=establishment, programme=programme, starts_on=starts_on
    )
    return audited_save(consultation, acting_user=acting_user, reason=reason, changed=None)


@transaction.atomic
def consultation_update(
    *,
    consultation: CollectiveConsultation,
    acting_user: User,
    reason: str,
    starts_on: dt.date | None = None,
    hr1_submitted_on: dt.date | None = None,
) -> CollectiveConsultation:
    """Record when consultation began and when the HR1 was sent (None leaves a date alone)."""
    require_reason(reason)
    locked = CollectiveConsultation.objects.select_for_update().get(pk=consultation.pk)
    changed: list[str] = []
    if starts_on is not None:
        _set(locked, changed, starts_on=starts_on)
    if hr1_submitted_on is not None:
        _set(locked, changed, hr1_submitted_on=hr1_submitted_on)
    return audited_save(locked, acting_user=acting_user, reason=reason, changed=changed)


@transaction.atomic
def consultation_record_disclosure(
    *,
    consultation: CollectiveConsultation,
    item: str,
    content: str,
    disclosed_on: dt.date,
    acting_user: User,
    reason: str,
) -> ConsultationDisclosure:
    """Record (or revise) one of the statutory written disclosures; revisions keep history."""
    require_reason(reason)
    if item not in ConsultationDisclosure.Item.values:
        raise CaseError(
            f"'{item}' is not a statutory disclosure; they are: "
            + ", ".join(ConsultationDisclosure.Item.values)
        )
    if not content.strip():
        raise CaseError("A disclosure needs its content.")
    disclosure = (
        ConsultationDisclosure.objects.select_for_update()
        .filter(consultation=consultation, item=item)
        .first()
    )
    if disclosure is None:
        disclosure = ConsultationDisclosure(
            consultation=consultation, item=item, content=content, disclosed_on=disclosed_on
        )
        return audited_save(disclosure, acting_user=acting_user, reason=reason, changed=None)
    changed: list[str] = []
    _set(disclosure, changed, content=content, disclosed_on=disclosed_on)
    return audited_save(disclosure, acting_user=acting_user, reason=reason, changed=changed)


@transaction.atomic
def consultation_record_meeting(
    *,
    consultation: CollectiveConsultation,
    held_on: dt.date,
    attendees: str,
    acting_user: User,
    reason: str,
    disclosed: str = "",
    responses: str = "",
) -> ConsultationMeeting:
    """Add a meeting to the log: when, who was there, what was disclosed, what was said."""
    require_reason(reason)
    if not attendees.strip():
        raise CaseError("Record who attended the meeting.")
    meeting = ConsultationMeeting(
        consultation=consultation,
        held_on=held_on,
        attendees=attendees.strip(),
        disclosed=disclosed.strip(),
        responses=responses.strip(),
    )
    return audited_save(meeting, acting_user=acting_user, reason=reason, changed=None)
