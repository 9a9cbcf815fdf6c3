"""Collective consultation writes (TULRCA 1992 s.188, s.193): the record per legal employer and
establishment, its dates, the statutory disclosures and the meetings log.

Only HR managers covering the employer (and superusers) write here; anyone else gets
`tracker.access.OutOfScope`. The figures and clocks these records feed are read in
`employment.consultation`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from employment.models import (
    CollectiveConsultation,
    ConsultationDisclosure,
    ConsultationMeeting,
)
from employment.services.common import CaseError, set_changed
from tracker.access import require_change
from tracker.audit import audited_save, require_reason
from tracker.models import Organisation, Programme, User


def _locked(consultation: CollectiveConsultation, acting_user: User) -> CollectiveConsultation:
    """The consultation as stored, locked, once the acting user is known to cover its employer."""
    locked = CollectiveConsultation.objects.select_for_update().get(pk=consultation.pk)
    require_change(acting_user, [locked.employer_id])
    return locked


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
    if not employer.is_legal_employer:  # public knowledge, so said before the scope check
        raise CaseError(
            f"{employer} is not a legal employer: collective consultation is the duty of each "
            "legal employer."
        )
    require_change(acting_user, [employer])
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
    locked = _locked(consultation, acting_user)
    changed: list[str] = []
    if starts_on is not None:
        set_changed(locked, changed, starts_on=starts_on)
    if hr1_submitted_on is not None:
        set_changed(locked, changed, hr1_submitted_on=hr1_submitted_on)
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
    consultation = _locked(consultation, acting_user)
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
    set_changed(disclosure, changed, content=content, disclosed_on=disclosed_on)
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
    consultation = _locked(consultation, acting_user)
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
