"""Planned changes: drafted, approved by someone other than the author, cancelled, applied one
by one or a whole organisation at once (`programme_apply_changes`, the lift and shift)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker import access
from tracker.audit import (
    UNSET,
    Unset,
    audited_save,
    bulk_update_audited,
    given,
    require_reason,
    set_changed_fields,
)
from tracker.models import (
    Organisation,
    PlannedChange,
    Post,
    Programme,
    User,
)
from tracker.services.common import ChangeRefused
from tracker.sql import one_parameter_in


@transaction.atomic
def planned_change_create(
    *,
    programme: Programme,
    post: Post,
    action: str,
    effective_on: dt.date,
    acting_user: User,
    reason: str,
    destination_organisation: Organisation | None = None,
    destination_position_number: str = "",
) -> PlannedChange:
    """Draft a change to one post. The reason is both the change's own stated reason and the
    reason on its first history row. The post and the destination must both be in scope."""
    access.require_change(acting_user, [post.organisation_id, destination_organisation])
    reason = require_reason(reason)
    change = PlannedChange(
        programme=programme,
        post=post,
        action=action,
        destination_organisation=destination_organisation,
        destination_position_number=(destination_position_number or "").strip(),
        effective_on=effective_on,
        reason=reason,
        author=acting_user,
    )
    _check_destination(change)
    return audited_save(change, acting_user=acting_user, reason=reason)


def _check_destination(change: PlannedChange) -> None:
    if change.action in PlannedChange.TRANSFERS and change.destination_organisation_id is None:
        raise ValidationError(
            {"destination_organisation": "A transfer needs a destination organisation."}
        )
    if (
        change.destination_organisation_id is not None
        and change.destination_organisation_id == change.post.organisation_id
    ):
        raise ValidationError(
            {"destination_organisation": "The destination is the post's own organisation."}
        )


@transaction.atomic
def planned_change_update(
    *,
    change: PlannedChange,
    acting_user: User,
    reason: str,
    programme: Programme | Unset = UNSET,
    post: Post | Unset = UNSET,
    action: str | Unset = UNSET,
    destination_organisation: Organisation | Unset | None = UNSET,
    destination_position_number: str | Unset = UNSET,
    effective_on: dt.date | Unset = UNSET,
) -> PlannedChange:
    """Edit a draft. Approved changes are cancelled and re-drafted instead, so what an approver
    approved is never altered under them. What it was and what it becomes must be in scope."""
    change = _lock(change)
    access.require_change_planned_change(acting_user, change)
    access.require_change(
        acting_user,
        [
            post.organisation_id if isinstance(post, Post) else None,
            given(destination_organisation),
        ],
    )
    if change.status != PlannedChange.Status.DRAFT:
        raise ChangeRefused(
            f"Only draft changes can be edited; this one is {change.get_status_display().lower()}."
        )
    if isinstance(destination_position_number, str):
        destination_position_number = destination_position_number.strip()
    changed = set_changed_fields(
        change,
        {
            "programme": programme,
            "post": post,
            "action": action,
            "destination_organisation": destination_organisation,
            "destination_position_number": destination_position_number,
            "effective_on": effective_on,
        },
    )
    _check_destination(change)
    return audited_save(change, acting_user=acting_user, reason=reason, changed=changed)


def _lock(change: PlannedChange) -> PlannedChange:
    """Re-read the change under a row lock so two people acting at once cannot both pass the
    status check (on SQLite the IMMEDIATE transaction mode serialises writers instead)."""
    return (
        PlannedChange.objects.select_for_update(of=("self",))
        .select_related("post")
        .get(pk=change.pk)
    )


_PAST = {"approve": "approved", "cancel": "cancelled", "apply": "applied"}


def _refuse_unless(change: PlannedChange, *allowed: str, verb: str) -> None:
    if change.status not in allowed:
        names = " or ".join(PlannedChange.Status(s).label.lower() for s in allowed)
        raise ChangeRefused(
            f"Cannot {verb} a change that is {change.get_status_display().lower()}: "
            f"only {names} changes can be {_PAST[verb]}."
        )


def _check_approver(change: PlannedChange, acting_user: User) -> None:
    if change.author_id == acting_user.pk:
        raise ChangeRefused(
            "A change must be approved by someone other than its author "
            f"({change.author.get_username()})."
        )


# The fields that record who moved a change into a status, and when.
_STATUS_STAMPS: dict[str, tuple[str, str]] = {
    PlannedChange.Status.APPROVED: ("approved_by", "approved_at"),
    PlannedChange.Status.APPLIED: ("applied_by", "applied_at"),
}


def _move(change: PlannedChange, status: str, *, by: User, at: dt.datetime) -> list[str]:
    """Put the change in `status`, recording who and when; returns the fields written."""
    by_field, at_field = _STATUS_STAMPS[status]
    change.status = status
    setattr(change, by_field, by)
    setattr(change, at_field, at)
    return ["status", by_field, at_field]


@transaction.atomic
def planned_change_approve(
    *, change: PlannedChange, acting_user: User, reason: str
) -> PlannedChange:
    change = _lock(change)
    access.require_change_planned_change(acting_user, change)
    _refuse_unless(change, PlannedChange.Status.DRAFT, verb="approve")
    _check_approver(change, acting_user)
    changed = _move(change, PlannedChange.Status.APPROVED, by=acting_user, at=timezone.now())
    return audited_save(change, acting_user=acting_user, reason=reason, changed=changed)


@transaction.atomic
def planned_change_cancel(
    *, change: PlannedChange, acting_user: User, reason: str
) -> PlannedChange:
    change = _lock(change)
    access.require_change_planned_change(acting_user, change)
    _refuse_unless(change, PlannedChange.Status.DRAFT, PlannedChange.Status.APPROVED, verb="cancel")
    change.status = PlannedChange.Status.CANCELLED
    return audited_save(change, acting_user=acting_user, reason=reason, changed=["status"])


def _destination_clashes(changes: list[PlannedChange]) -> list[str]:
    """Transfers that would give a post a number its destination already uses, and pairs in the
    batch that would land on the same number (one query however many changes, and one more for
    the destinations' codes if there is anything to report)."""
    transfers = [c for c in changes if c.action in PlannedChange.TRANSFERS]
    if not transfers:
        return []
    landing = {
        c.pk: (
            c.destination_organisation_id,
            c.destination_position_number or c.post.position_number,
        )
        for c in transfers
    }
    taken = set(
        Post.objects.filter(
            organisation_id__in={org for org, _ in landing.values()},
            position_number__in=one_parameter_in(
                sorted({number for _, number in landing.values()})
            ),
        )
        .exclude(pk__in=one_parameter_in([c.post_id for c in transfers], integers=True))
        .values_list("organisation_id", "position_number")
    )
    clashes: list[tuple[int | None, str, str | None]] = []  # destination, number, other post
    seen: dict[tuple[int | None, str], str] = {}
    for change in transfers:
        key = landing[change.pk]
        if key in taken:
            clashes.append((*key, None))
        elif key in seen:
            clashes.append((*key, f"{seen[key]} and {change.post.position_number}"))
        seen[key] = change.post.position_number
    if not clashes:
        return []
    codes: dict[int | None, str] = dict(
        Organisation.objects.filter(pk__in={org for org, _, _ in clashes}).values_list("pk", "code")
    )
    return [
        f"{codes.get(org, '(no destination)')} already has a post numbered {number}; "
        "give the change a different destination position number."
        if pair is None
        else f"Posts {pair} would both become {number} at {codes.get(org, '(no destination)')}."
        for org, number, pair in clashes
    ]


def _post_after(change: PlannedChange, post: Post) -> list[str]:
    """Make the change to the post in memory; return the fields that changed."""
    action = change.action
    if action in PlannedChange.TRANSFERS:
        # The post record itself moves: same record, same holders, same continuity of service.
        fields: dict[str, Any] = {"organisation_id": change.destination_organisation_id}
        if change.destination_position_number:
            fields["position_number"] = change.destination_position_number
        return set_changed_fields(post, fields)
    if action == PlannedChange.Action.CLOSED:
        return set_changed_fields(
            post, {"status": Post.Status.CLOSED, "closed_on": change.effective_on}
        )
    if action == PlannedChange.Action.NEW:
        return set_changed_fields(post, {"status": Post.Status.LIVE, "closed_on": None})
    return []  # out of scope: recorded as applied, the post is left as it is


def _check_applicable(change: PlannedChange, today: dt.date) -> None:
    _refuse_unless(change, PlannedChange.Status.APPROVED, verb="apply")
    if change.effective_on > today:
        raise ChangeRefused(
            f"Change to post {change.post.position_number} takes effect on "
            f"{change.effective_on:%d %B %Y}; it cannot be applied before then."
        )


@transaction.atomic
def planned_change_apply(
    *, change: PlannedChange, acting_user: User, reason: str, today: dt.date | None = None
) -> PlannedChange:
    """Apply one approved change on or after its effective date."""
    today = today or timezone.localdate()
    change = _lock(change)
    access.require_change_planned_change(acting_user, change)
    _check_applicable(change, today)
    if problems := _destination_clashes([change]):
        raise ChangeRefused(problems)
    post = Post.objects.select_for_update().get(pk=change.post_id)
    changed = _post_after(change, post)
    audited_save(post, acting_user=acting_user, reason=reason, changed=changed)
    changed = _move(change, PlannedChange.Status.APPLIED, by=acting_user, at=timezone.now())
    return audited_save(change, acting_user=acting_user, reason=reason, changed=changed)


@transaction.atomic
def planned_changes_approve(
    *, changes: Iterable[PlannedChange], acting_user: User, reason: str, dry_run: bool = False
) -> list[PlannedChange]:
    """Approve several drafts at once (the admin's bulk action). All or nothing: if any one may
    not be approved by this user, none is, and the error names it.

    With `dry_run`, every check is made and refuses as the real run would (each comes before the
    first write), and nothing is written: the admin's review shows what would block."""
    reason = require_reason(reason)
    locked = list(
        PlannedChange.objects.select_for_update(of=("self",))
        .filter(pk__in=one_parameter_in([c.pk for c in changes], integers=True))
        .select_related("post")
    )
    access.require_change(
        acting_user,
        {c.post.organisation_id for c in locked} | {c.destination_organisation_id for c in locked},
    )
    now = timezone.now()
    for change in locked:
        try:
            _refuse_unless(change, PlannedChange.Status.DRAFT, verb="approve")
            _check_approver(change, acting_user)
        except ChangeRefused as exc:
            raise ChangeRefused(f"Post {change.post.position_number}: {exc.message}") from exc
        _move(change, PlannedChange.Status.APPROVED, by=acting_user, at=now)
    if dry_run:
        return locked
    bulk_update_audited(
        locked,
        PlannedChange,
        ["status", *_STATUS_STAMPS[PlannedChange.Status.APPROVED]],
        acting_user=acting_user,
        reason=reason,
        when=now,
    )
    return locked


@transaction.atomic
def programme_apply_changes(
    *,
    programme: Programme,
    organisation: Organisation,
    acting_user: User,
    reason: str,
    today: dt.date | None = None,
    changes: Iterable[PlannedChange] | None = None,
    recorded_at: dt.datetime | None = None,
    dry_run: bool = False,
) -> list[PlannedChange]:
    """Apply every approved change of one organisation's posts in a programme, in one atomic bulk
    operation with history: a whole CCG's lift and shift into an ICB is one call.

    If any change may not be applied (effective date still ahead, a position-number clash at the
    destination) nothing is applied and the error lists every such change. `changes` narrows the
    set (the admin's bulk action on selected rows); they must still belong to the programme and
    organisation. `recorded_at` back-dates the history rows and is only for loading transfers
    that happened before this system held them (the demo data); everything else records now.
    With `dry_run`, every check is made and refuses as the real run would (each comes before the
    first write), and nothing is written.
    """
    access.require_change(acting_user, [organisation])
    reason = require_reason(reason)
    today = today or timezone.localdate()
    # The changes and their posts, both locked, in one read.
    queryset = PlannedChange.objects.select_for_update(of=("self", "post")).filter(
        programme=programme,
        post__organisation=organisation,
        status=PlannedChange.Status.APPROVED,
    )
    if changes is not None:
        queryset = queryset.filter(pk__in=one_parameter_in([c.pk for c in changes], integers=True))
    locked = list(queryset.select_related("post"))
    if not locked:
        return []
    access.require_change(acting_user, {c.destination_organisation_id for c in locked})
    problems = []
    for change in locked:
        try:
            _check_applicable(change, today)
        except ChangeRefused as exc:
            problems.append(f"Post {change.post.position_number}: {exc.message}")
    problems += _destination_clashes(locked)
    if problems:
        raise ChangeRefused(problems)

    now = recorded_at or timezone.now()
    changed_posts, post_fields = [], set()
    for change in locked:
        if fields := _post_after(change, change.post):
            changed_posts.append(change.post)
            post_fields.update(fields)
        _move(change, PlannedChange.Status.APPLIED, by=acting_user, at=now)
    if dry_run:
        return locked
    if changed_posts:
        # Each post is written with every field that changed for any of them; unchanged fields
        # are rewritten with their current value, which the history diff shows as no change.
        bulk_update_audited(
            changed_posts,
            Post,
            sorted(post_fields),
            acting_user=acting_user,
            reason=reason,
            when=now,
        )
    bulk_update_audited(
        locked,
        PlannedChange,
        ["status", *_STATUS_STAMPS[PlannedChange.Status.APPLIED]],
        acting_user=acting_user,
        reason=reason,
        when=now,
    )
    return locked
