"""The redeployment register: people who still need a post, matched to vacant posts, in SQL.

Who is on it: open cases in `Case.REDEPLOYMENT_STATUSES` (at risk, ring-fenced, under notice).
What is vacant: live posts with no current assignment (none open-ended or ending on the day or
later) and no accepted offer still in, or past, a successful trial.
What matches: the same band, or one band below (Agenda for Change order 1..7, 8a..8d, 9; a band
outside that scale matches only itself), in the person's employer or their post's organisation,
or an organisation linked to either by a shared programme or a succession (either direction).
Who goes first: people with the statutory redeployment priority (pregnancy, maternity, adoption
and shared parental leave, since 6 April 2024), then by at-risk date. Only HR sees that order
(and the flag): for anyone else the register is ordered by at-risk date alone, because the order
itself would disclose the flag.

The database does the matching two ways, kept equal by a test: `_match_condition` for people
known in advance (a page of the register: their linked organisations in two queries, then one
filtered count per person in a single pass over the candidate vacancies; one person's matching
posts, paged), and the correlated `_post_matches` where they are not (who with the statutory
priority is still waiting for a post, `with_match_counts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from employment.models import Case, RedeploymentOffer
from tracker.bands import AFC_BANDS
from tracker.models import Assignment, Post, Programme, Succession

AFC_ORDER = [band.value for band in AFC_BANDS]
#: Each Agenda for Change band and the one below it (band 1 has none).
ONE_BAND_BELOW = dict(zip(AFC_ORDER[1:], AFC_ORDER[:-1], strict=True))


def matching_bands(band: str) -> tuple[str, ...]:
    """The same band, or one below on the Agenda for Change scale."""
    below = ONE_BAND_BELOW.get(band)
    return (below, band) if below else (band,)


def vacant_posts(*, on: dt.date | None = None) -> QuerySet[Post]:
    on = on or timezone.localdate()
    occupied = Assignment.objects.filter(post=OuterRef("pk")).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on)
    )
    taken = RedeploymentOffer.objects.filter(
        post=OuterRef("pk"), status=RedeploymentOffer.Status.ACCEPTED
    ).exclude(trial_outcome=RedeploymentOffer.TrialOutcome.UNSUCCESSFUL)
    return Post.objects.filter(status=Post.Status.LIVE).exclude(Exists(occupied)).exclude(
        Exists(taken)
    )


def _lower_band_expression() -> SqlCase:
    return SqlCase(
        *(When(post__band=band, then=Value(below)) for band, below in ONE_BAND_BELOW.items()),
        default=Value(None),
    )


def _post_matches(case_field: Callable[[str, int], Any]) -> Q:
    """The condition on a vacant `Post` that it matches a case.

    `case_field(name, depth)` gives the case's `employer_id`, `post_org`, `post_band`,
    `lower_band` or `post_id` as seen from `depth` subquery levels below the post query: a value
    for one known case, or an `OuterRef` for the case of an outer query.
    """
    employer, post_org = case_field("employer_id", 1), case_field("post_org", 1)
    memberships = Programme.organisations.through.objects
    shares_programme = memberships.filter(organisation_id=OuterRef("organisation_id")).filter(
        Q(programme__organisations=employer) | Q(programme__organisations=post_org)
    )
    succession = Succession.objects.filter(
        Q(predecessor_id=OuterRef("organisation_id"))
        & (Q(successor_id=employer) | Q(successor_id=post_org))
        | Q(successor_id=OuterRef("organisation_id"))
        & (Q(predecessor_id=employer) | Q(predecessor_id=post_org))
    )
    organisation = (
        Q(organisation_id=case_field("employer_id", 0))
        | Q(organisation_id=case_field("post_org", 0))
        | Exists(shares_programme)
        | Exists(succession)
    )
    band = Q(band=case_field("post_band", 0)) | Q(band=case_field("lower_band", 0))
    return band & organisation & ~Q(pk=case_field("post_id", 0))


def _outer_case(name: str, depth: int) -> Any:
    ref: Any = name
    for _ in range(depth + 1):
        ref = OuterRef(ref)
    return ref


def register_cases(*, priority_first: bool = True) -> QuerySet[Case]:
    """People on the register; with `priority_first` (HR only) those with the statutory
    priority first, then by at-risk date."""
    order = ["at_risk_on", "pk"]
    if priority_first:
        order.insert(0, "-has_statutory_redeployment_priority")
    return (
        Case.objects.filter(status__in=Case.REDEPLOYMENT_STATUSES)
        .select_related("staff_member", "post", "employer")
        .annotate(
            post_org=F("post__organisation_id"),
            post_band=F("post__band"),
            lower_band=_lower_band_expression(),
        )
        .order_by(*order)
    )


def with_match_counts(cases: QuerySet[Case], *, on: dt.date | None = None) -> QuerySet[Case]:
    """`cases` (from `register_cases`) each annotated with `match_count`, the number of vacant
    posts matching them, computed by the database. Annotate a page, not the whole register:
    a database may work out the count for every row before sorting and skipping to the page."""
    matches = (
        vacant_posts(on=on)
        .filter(_post_matches(_outer_case))
        .order_by()
        .values("status")  # any constant-per-group column: one group, one count
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.annotate(
        match_count=Coalesce(Subquery(matches, output_field=IntegerField()), Value(0))
    )


def linked_organisation_ids(organisation_ids: Iterable[int | None]) -> dict[int, set[int]]:
    """For each organisation, itself plus those sharing a programme or a succession link with
    it: two queries, bounded by the programmes and successions of the organisations given."""
    ids = {pk for pk in organisation_ids if pk is not None}
    linked: dict[int, set[int]] = {pk: {pk} for pk in ids}
    memberships = Programme.organisations.through.objects
    members: dict[int, set[int]] = {}
    for programme_id, organisation_id in memberships.filter(
        programme_id__in=memberships.filter(organisation_id__in=ids).values("programme_id")
    ).values_list("programme_id", "organisation_id"):
        members.setdefault(programme_id, set()).add(organisation_id)
    for group in members.values():
        for pk in group & ids:
            linked[pk] |= group
    for predecessor, successor in Succession.objects.filter(
        Q(predecessor__in=ids) | Q(successor__in=ids)
    ).values_list("predecessor_id", "successor_id"):
        if predecessor in linked:
            linked[predecessor].add(successor)
        if successor in linked:
            linked[successor].add(predecessor)
    return linked


def _match_condition(case: Case, linked: dict[int, set[int]]) -> Q | None:
    """The SQL condition on a vacant post that it matches `case`, given the linked
    organisations of its employer and post (None: nothing can match, the case has no post)."""
    values = _case_values(case)
    if values["post_band"] is None:
        return None
    organisations = linked.get(case.employer_id, {case.employer_id}) | linked.get(
        values["post_org"], {values["post_org"]}
    )
    return (
        Q(band__in=matching_bands(values["post_band"]), organisation_id__in=organisations)
        & ~Q(pk=case.post_id)
    )


def set_match_counts(cases: list[Case], *, on: dt.date | None = None) -> list[Case]:
    """Set `match_count` on each of `cases` (one page of the register): the linked
    organisations in two queries, then every count in one pass over the candidate vacancies
    (one filtered COUNT per person), so the work grows with the page, not the register."""
    for case in cases:
        case.match_count = 0  # type: ignore[attr-defined]
    organisation_ids = {c.employer_id for c in cases} | {
        c.post.organisation_id for c in cases if c.post is not None
    }
    linked = linked_organisation_ids(organisation_ids)
    conditions = {c.pk: _match_condition(c, linked) for c in cases}
    counted = {pk: q for pk, q in conditions.items() if q is not None}
    if not counted:
        return cases
    bands = {b for c in cases if c.post is not None for b in matching_bands(c.post.band)}
    organisations = set().union(*linked.values())
    totals = (
        vacant_posts(on=on)
        .filter(band__in=bands, organisation_id__in=organisations)
        .aggregate(**{f"case_{pk}": Count("pk", filter=q) for pk, q in counted.items()})
    )
    for case in cases:
        case.match_count = totals.get(f"case_{case.pk}") or 0  # type: ignore[attr-defined]
    return cases


def _case_values(case: Case) -> dict[str, Any]:
    band = case.post.band if case.post is not None else None
    return {
        "employer_id": case.employer_id,
        "post_org": case.post.organisation_id if case.post is not None else None,
        "post_band": band,
        "lower_band": ONE_BAND_BELOW.get(band) if band else None,
        "post_id": case.post_id,
    }


def redeployment_matches(case: Case, *, on: dt.date | None = None) -> QuerySet[Post]:
    """The vacant posts matching one person, by organisation and position number."""
    post_org = case.post.organisation_id if case.post is not None else None
    condition = _match_condition(case, linked_organisation_ids({case.employer_id, post_org}))
    if condition is None:
        return Post.objects.none()
    return (
        vacant_posts(on=on)
        .filter(condition)
        .select_related("organisation")
        .order_by("organisation__code", "position_number", "pk")
    )


def post_matches_case(case: Case, post: Post, *, on: dt.date | None = None) -> bool:
    return redeployment_matches(case, on=on).filter(pk=post.pk).exists()


def priority_cases_waiting(post: Post, *, excluding: Case, on: dt.date) -> QuerySet[Case]:
    """People with the statutory priority who match `post` and have not yet been offered it."""
    matches_post = vacant_posts(on=on).filter(pk=post.pk).filter(_post_matches(_outer_case))
    return (
        register_cases()
        .filter(has_statutory_redeployment_priority=True)
        .exclude(pk=excluding.pk)
        .exclude(redeployment_offers__post=post)
        .filter(Exists(matches_post))
    )
