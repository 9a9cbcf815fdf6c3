"""Redeployment register writes: offers of vacant posts, the answers, and the trial's outcome.

Only HR managers covering the person's case (and superusers) write here; anyone else gets
`tracker.access.OutOfScope`. An offer must be of a vacant post that matches the person (see
`employment.selectors.register`). Offering a post to someone without the statutory priority is
refused while a person with it also matches that post and has not been offered it, unless HR
records why the post is not suitable for them. Accepting an offer starts the statutory trial
through `case_transition`; the trial's outcome moves the case on (redeployed, or back to at risk
or notice).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from employment.models import Case, RedeploymentOffer
from employment.selectors.register import post_matches_case, priority_cases_waiting
from employment.services.cases import case_transition
from employment.services.common import CaseError, require_case_in_scope, set_changed
from tracker.audit import audited_save, require_reason
from tracker.models import Post, User


def _lock_case(case_id: int, acting_user: User) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("post", "staff_member")
        .get(pk=case_id)
    )
    require_case_in_scope(acting_user, case)
    return case


def _lock_offer(offer: RedeploymentOffer, acting_user: User) -> RedeploymentOffer:
    locked = RedeploymentOffer.objects.select_for_update().get(pk=offer.pk)
    _lock_case(locked.case_id, acting_user)
    return locked


@transaction.atomic
def redeployment_offer_record(
    *,
    case: Case,
    post: Post,
    offered_on: dt.date,
    acting_user: User,
    reason: str,
    unsuitable_for_priority_reason: str = "",
) -> RedeploymentOffer:
    """Record an offer of a vacant post to a person on the register."""
    require_reason(reason)
    case = _lock_case(case.pk, acting_user)
    if case.status not in Case.REDEPLOYMENT_STATUSES:
        raise CaseError(
            f"Only people on the redeployment register can be offered a post; this case is "
            f"{case.get_status_display()}."
        )
    if not post_matches_case(case, post, on=offered_on):
        raise CaseError(
            f"{post} is not a vacant live post matching this person (band and organisation)."
        )
    if not case.has_statutory_redeployment_priority:
        waiting = priority_cases_waiting(post, excluding=case, on=offered_on).count()
        if waiting and not unsuitable_for_priority_reason.strip():
            raise CaseError(
                f"{waiting} person(s) with the statutory redeployment priority match "
                f"{post} and have not been offered it: offer it to them first, or record why "
                "it is not suitable for them."
            )
        if waiting:
            reason = f"{reason} (priority considered: {unsuitable_for_priority_reason.strip()})"
    offer = RedeploymentOffer(case=case, post=post, offered_on=offered_on)
    return audited_save(offer, acting_user=acting_user, reason=reason, changed=None)


@transaction.atomic
def redeployment_offer_respond(
    *,
    offer: RedeploymentOffer,
    accepted: bool,
    responded_on: dt.date,
    acting_user: User,
    reason: str,
    trial_starts_on: dt.date | None = None,
    refusal_reason: str = "",
) -> RedeploymentOffer:
    """Record the person's answer. Accepting starts the 4-week statutory trial (from
    `trial_starts_on`, by default the day of acceptance) through `case_transition`."""
    require_reason(reason)
    offer = _lock_offer(offer, acting_user)
    if offer.status != RedeploymentOffer.Status.OFFERED:
        raise CaseError(f"This offer has already been {offer.get_status_display().lower()}.")
    changed: list[str] = []
    if accepted:
        set_changed(
            offer, changed, status=RedeploymentOffer.Status.ACCEPTED, responded_on=responded_on
        )
    else:
        if not refusal_reason.strip():
            raise CaseError(
                "Record the person's reason for refusing: unreasonably refusing a suitable "
                "offer can lose statutory redundancy pay."
            )
        set_changed(
            offer,
            changed,
            status=RedeploymentOffer.Status.REFUSED,
            responded_on=responded_on,
            refusal_reason=refusal_reason.strip(),
        )
    audited_save(offer, acting_user=acting_user, reason=reason, changed=changed)
    if accepted:
        case = Case.objects.get(pk=offer.case_id)
        case_transition(
            case=case,
            to=Case.Status.REDEPLOYMENT_TRIAL,
            acting_user=acting_user,
            reason=f"Accepted the offer of {offer.post}: {reason}",
            on=trial_starts_on or responded_on,
        )
    return offer


@transaction.atomic
def redeployment_offer_withdraw(
    *, offer: RedeploymentOffer, on: dt.date, acting_user: User, reason: str
) -> RedeploymentOffer:
    require_reason(reason)
    offer = _lock_offer(offer, acting_user)
    if offer.status != RedeploymentOffer.Status.OFFERED:
        raise CaseError(f"This offer has already been {offer.get_status_display().lower()}.")
    changed: list[str] = []
    set_changed(offer, changed, status=RedeploymentOffer.Status.WITHDRAWN, responded_on=on)
    return audited_save(offer, acting_user=acting_user, reason=reason, changed=changed)


@transaction.atomic
def redeployment_trial_outcome_record(
    *,
    offer: RedeploymentOffer,
    successful: bool,
    on: dt.date,
    acting_user: User,
    reason: str,
) -> RedeploymentOffer:
    """Record how the trial in the offered post ended and move the case on: redeployed, or back
    to notice (a trial taken during notice) or to at risk."""
    require_reason(reason)
    offer = _lock_offer(offer, acting_user)
    if offer.status != RedeploymentOffer.Status.ACCEPTED or offer.trial_outcome:
        raise CaseError("A trial outcome is recorded once, for an accepted offer.")
    case = Case.objects.get(pk=offer.case_id)
    if case.status != Case.Status.REDEPLOYMENT_TRIAL:
        raise CaseError(f"The case is {case.get_status_display()}, not in a redeployment trial.")
    changed: list[str] = []
    outcome = (
        RedeploymentOffer.TrialOutcome.SUCCESSFUL
        if successful
        else RedeploymentOffer.TrialOutcome.UNSUCCESSFUL
    )
    set_changed(offer, changed, trial_outcome=outcome, trial_outcome_on=on)
    audited_save(offer, acting_user=acting_user, reason=reason, changed=changed)
    if successful:
        to = Case.Status.REDEPLOYED
    elif case.route == Case.Route.COMPULSORY_REDUNDANCY and case.notice_starts_on:
        to = Case.Status.NOTICE_ISSUED
    else:
        to = Case.Status.AT_RISK
    case_transition(case=case, to=to, acting_user=acting_user, reason=reason, on=on)
    return offer
