"""The redeployment register: people at risk matched to vacant posts, and the offers made.

Who is on it: open cases in `Case.REDEPLOYMENT_STATUSES` (at risk, ring-fenced, under notice).
What is vacant: live posts with no current assignment (none open-ended or ending today or later)
and no accepted offer still in, or past, a successful trial.
What matches: the same band, or one band below (Agenda for Change order 1..7, 8a..8d, 9; a band
outside that scale matches only itself), in the person's employer or an organisation linked to it
by a shared programme or a succession (either direction).
Who goes first: people with the statutory redeployment priority (pregnancy, maternity, adoption
and shared parental leave, since 6 April 2024), then by at-risk date. An offer of a post to
someone without the priority is refused while a person with it also matches that post and has not
been offered it, unless HR records why the post is not suitable for them.

Accepting an offer starts the statutory trial through `case_transition`; the trial's outcome moves
the case on (redeployed, or back to at risk / notice).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from employment.models import Case, RedeploymentOffer
from employment.services import CaseError, _set, case_transition
from tracker.audit import audited_save, require_reason
from tracker.bands import AFC_BANDS
from tracker.models import Assignment, Post, Programme, Succession, User

AFC_ORDER = [band.value for band in AFC_BANDS]


def matching_bands(band: str) -> tuple[str, ...]:
    """The same band, or one below on the Agenda for Change scale."""
    if band in AFC_ORDER:
        index = AFC_ORDER.index(band)
        return tuple(AFC_ORDER[max(index - 1, 0) : index + 1])
    return (band,)


def vacant_posts(*, on: dt.date | None = None) -> QuerySet[Post]:
    on = on or timezone.localdate()
    occupied = Assignment.objects.filter(post=OuterRef("pk")).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on)
    )
    taken = RedeploymentOffer.objects.filter(
        post=OuterRef("pk"), status=RedeploymentOffer.Status.ACCEPTED
    ).exclude(trial_outcome=RedeploymentOffer.TrialOutcome.UNSUCCESSFUL)
    return (
        Post.objects.filter(status=Post.Status.LIVE)
        .exclude(Exists(occupied))
        .exclude(Exists(taken))
        .select_related("organisation")
    )


def _linked_organisations(organisation_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each organisation, itself plus those sharing a programme or a succession link."""
    ids = set(organisation_ids)
    linked: dict[int, set[int]] = {pk: {pk} for pk in ids}
    memberships = Programme.organisations.through.objects.values_list(
        "programme_id", "organisation_id"
    )
    by_programme: dict[int, set[int]] = defaultdict(set)
    for programme_id, organisation_id in memberships:
        by_programme[programme_id].add(organisation_id)
    for members in by_programme.values():
        for pk in members & ids:
            linked[pk] |= members
    for predecessor, successor in Succession.objects.filter(
        Q(predecessor__in=ids) | Q(successor__in=ids)
    ).values_list("predecessor_id", "successor_id"):
        if predecessor in linked:
            linked[predecessor].add(successor)
        if successor in linked:
            linked[successor].add(predecessor)
    return linked


def register_cases() -> QuerySet[Case]:
    """People on the register, those with the statutory priority first, then by at-risk date."""
    return (
        Case.objects.filter(status__in=Case.REDEPLOYMENT_STATUSES)
        .select_related("staff_member", "post", "employer")
        .order_by("-has_statutory_redeployment_priority", "at_risk_on", "pk")
    )


@dataclass(frozen=True)
class RegisterEntry:
    case: Case
    matches: tuple[Post, ...]


def _case_band(case: Case) -> str | None:
    return case.post.band if case.post is not None else None


def _matches(case: Case, posts: list[Post], linked: dict[int, set[int]]) -> list[Post]:
    band = _case_band(case)
    if band is None:
        return []
    bands = matching_bands(band)
    organisations = set(linked.get(case.employer_id, {case.employer_id}))
    if case.post is not None:
        organisations |= linked.get(case.post.organisation_id, {case.post.organisation_id})
    return [
        p
        for p in posts
        if p.band in bands and p.organisation_id in organisations and p.pk != case.post_id
    ]


def redeployment_register(
    cases: QuerySet[Case] | None = None, *, on: dt.date | None = None
) -> list[RegisterEntry]:
    """Each person on the register with the vacant posts that match them, in a fixed number of
    queries however long the register is."""
    cases = list(cases if cases is not None else register_cases())
    posts = list(vacant_posts(on=on))
    organisation_ids = {c.employer_id for c in cases} | {
        c.post.organisation_id for c in cases if c.post is not None
    }
    linked = _linked_organisations(organisation_ids)
    return [RegisterEntry(case=c, matches=tuple(_matches(c, posts, linked))) for c in cases]


def redeployment_matches(case: Case, *, on: dt.date | None = None) -> list[Post]:
    posts = list(vacant_posts(on=on))
    organisation_ids = {case.employer_id}
    if case.post is not None:
        organisation_ids.add(case.post.organisation_id)
    return _matches(case, posts, _linked_organisations(organisation_ids))


def _priority_cases_waiting(post: Post, *, excluding: Case, on: dt.date) -> list[Case]:
    """People with the statutory priority who match `post` and have not yet been offered it."""
    candidates = (
        register_cases()
        .filter(has_statutory_redeployment_priority=True)
        .exclude(pk=excluding.pk)
        .exclude(redeployment_offers__post=post)
    )
    waiting = []
    for entry in redeployment_register(candidates, on=on):
        if any(p.pk == post.pk for p in entry.matches):
            waiting.append(entry.case)
    return waiting


# --- writes ------------------------------------------------------------------------------------


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
    case = Case.objects.select_for_update(of=("self",)).select_related("post").get(pk=case.pk)
    if case.status not in Case.REDEPLOYMENT_STATUSES:
        raise CaseError(
            f"Only people on the redeployment register can be offered a post; this case is "
            f"{case.get_status_display()}."
        )
    if not vacant_posts(on=offered_on).filter(pk=post.pk).exists():
        raise CaseError(f"{post} is not a vacant live post.")
    if not case.has_statutory_redeployment_priority:
        waiting = _priority_cases_waiting(post, excluding=case, on=offered_on)
        if waiting and not unsuitable_for_priority_reason.strip():
            raise CaseError(
                f"{len(waiting)} person(s) with the statutory redeployment priority match "
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
    offer = RedeploymentOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != RedeploymentOffer.Status.OFFERED:
        raise CaseError(f"This offer has already been {offer.get_status_display().lower()}.")
    changed: list[str] = []
    if accepted:
        _set(offer, changed, status=RedeploymentOffer.Status.ACCEPTED, responded_on=responded_on)
    else:
        if not refusal_reason.strip():
            raise CaseError(
                "Record the person's reason for refusing: unreasonably refusing a suitable "
                "offer can lose statutory redundancy pay."
            )
        _set(
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
    offer = RedeploymentOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != RedeploymentOffer.Status.OFFERED:
        raise CaseError(f"This offer has already been {offer.get_status_display().lower()}.")
    changed: list[str] = []
    _set(offer, changed, status=RedeploymentOffer.Status.WITHDRAWN, responded_on=on)
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
    offer = RedeploymentOffer.objects.select_for_update().get(pk=offer.pk)
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
    _set(offer, changed, trial_outcome=outcome, trial_outcome_on=on)
    audited_save(offer, acting_user=acting_user, reason=reason, changed=changed)
    if successful:
        to = Case.Status.REDEPLOYED
    elif case.route == Case.Route.COMPULSORY_REDUNDANCY and case.notice_starts_on:
        to = Case.Status.NOTICE_ISSUED
    else:
        to = Case.Status.AT_RISK
    case_transition(case=case, to=to, acting_user=acting_user, reason=reason, on=on)
    return offer
