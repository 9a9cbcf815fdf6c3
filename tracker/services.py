"""Every write to the establishment goes through a function here.

Each service is keyword-only, atomic, and takes the acting user and a reason, which land on the
history row of every record it touches (`tracker.audit.stamp`). A save that would change nothing
is skipped, so history only ever records real changes. Bulk paths use django-simple-history's
bulk helpers with the same who and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from tracker import access
from tracker.audit import (
    UNSET,
    Unset,
    audited_save,
    given,
    model_update,
    require_reason,
    set_changed_fields,
    stamp,
)
from tracker.bands import normalise_band
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
    User,
    UserAccessChange,
)


class ChangeRefused(ValidationError):
    """A planned change cannot move to the state asked for; the message says why."""


# --- organisations and programmes --------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    code: str,
    name: str,
    kind: str,
    region: str = "",
    opened_on: dt.date | None = None,
    closed_on: dt.date | None = None,
    is_legal_employer: bool = True,
    acting_user: User,
    reason: str,
) -> Organisation:
    """A new organisation. ODS codes are national reference data and a new organisation is
    nobody's yet, so only a superuser creates one (and then assigns who covers it)."""
    access.require_may_change(acting_user)
    if not acting_user.is_superuser:
        raise access.OutOfScope(
            "Only an administrator adds an organisation, then assigns who covers it."
        )
    organisation = Organisation(
        code=str(code).strip().upper(),
        name=name,
        kind=kind,
        region=region,
        opened_on=opened_on,
        closed_on=closed_on,
        is_legal_employer=is_legal_employer,
    )
    return audited_save(organisation, acting_user=acting_user, reason=reason)


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    acting_user: User,
    reason: str,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    region: str | Unset = UNSET,
    opened_on: dt.date | Unset | None = UNSET,
    closed_on: dt.date | Unset | None = UNSET,
    is_legal_employer: bool | Unset = UNSET,
) -> Organisation:
    access.require_change(acting_user, [organisation])
    if code is not UNSET and code != organisation.code:
        raise ValidationError({"code": "ODS codes are never reused or changed."})
    model_update(
        organisation,
        data={
            "name": name,
            "kind": kind,
            "region": region,
            "opened_on": opened_on,
            "closed_on": closed_on,
            "is_legal_employer": is_legal_employer,
        },
        acting_user=acting_user,
        reason=reason,
    )
    return organisation


@transaction.atomic
def succession_create(
    *,
    predecessor: Organisation,
    successor: Organisation,
    effective_on: dt.date,
    acting_user: User,
    reason: str,
) -> Succession:
    access.require_change(acting_user, [predecessor, successor])
    return audited_save(
        Succession(predecessor=predecessor, successor=successor, effective_on=effective_on),
        acting_user=acting_user,
        reason=reason,
    )


@transaction.atomic
def succession_update(
    *,
    succession: Succession,
    acting_user: User,
    reason: str,
    predecessor: Organisation | Unset = UNSET,
    successor: Organisation | Unset = UNSET,
    effective_on: dt.date | Unset = UNSET,
) -> Succession:
    access.require_change(
        acting_user,
        [
            succession.predecessor_id,
            succession.successor_id,
            given(predecessor),
            given(successor),
        ],
    )
    model_update(
        succession,
        data={"predecessor": predecessor, "successor": successor, "effective_on": effective_on},
        acting_user=acting_user,
        reason=reason,
    )
    return succession


@transaction.atomic
def programme_create(
    *,
    slug: str,
    name: str,
    effective_on: dt.date,
    legal_basis: str = "",
    announced_on: dt.date | None = None,
    consultation_starts_on: dt.date | None = None,
    organisations: Iterable[Organisation] = (),
    acting_user: User,
    reason: str,
) -> Programme:
    organisations = list(organisations)
    access.require_change_organisations_of(acting_user, organisations)
    programme = audited_save(
        Programme(
            slug=slug,
            name=name,
            effective_on=effective_on,
            legal_basis=legal_basis,
            announced_on=announced_on,
            consultation_starts_on=consultation_starts_on,
        ),
        acting_user=acting_user,
        reason=reason,
    )
    if organisations:
        # The m2m history row is written by simple-history from the instance's stamp.
        stamp(programme, acting_user=acting_user, reason=reason)
        programme.organisations.add(*organisations)
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    acting_user: User,
    reason: str,
    slug: str | Unset = UNSET,
    name: str | Unset = UNSET,
    legal_basis: str | Unset = UNSET,
    announced_on: dt.date | Unset | None = UNSET,
    consultation_starts_on: dt.date | Unset | None = UNSET,
    effective_on: dt.date | Unset = UNSET,
    organisations: Iterable[Organisation] | None = None,
) -> Programme:
    access.require_change_programme(acting_user, programme)
    if organisations is not None:
        organisations = list(organisations)
        access.require_change_organisations_of(acting_user, organisations)
    model_update(
        programme,
        data={
            "slug": slug,
            "name": name,
            "legal_basis": legal_basis,
            "announced_on": announced_on,
            "consultation_starts_on": consultation_starts_on,
            "effective_on": effective_on,
        },
        acting_user=acting_user,
        reason=reason,
    )
    if organisations is not None:
        wanted = {o.pk for o in organisations}
        if wanted != set(programme.organisations.values_list("pk", flat=True)):
            stamp(programme, acting_user=acting_user, reason=reason)
            programme.organisations.set(wanted)
    return programme


# --- posts, staff, assignments -----------------------------------------------------------------


def _band(band: str) -> str:
    try:
        return normalise_band(band)
    except ValueError as exc:
        raise ValidationError({"band": str(exc)}) from exc


@transaction.atomic
def post_create(
    *,
    organisation: Organisation,
    position_number: str,
    title: str,
    band: str,
    wte: Decimal,
    directorate: str = "",
    cost_centre: str = "",
    is_board_level: bool = False,
    status: str = Post.Status.LIVE,
    closed_on: dt.date | None = None,
    acting_user: User,
    reason: str,
) -> Post:
    access.require_change(acting_user, [organisation])
    post = Post(
        organisation=organisation,
        position_number=str(position_number).strip(),
        title=title,
        band=_band(band),
        wte=wte,
        directorate=directorate,
        cost_centre=cost_centre,
        is_board_level=is_board_level,
        status=status,
        closed_on=closed_on,
    )
    return audited_save(post, acting_user=acting_user, reason=reason)


@transaction.atomic
def post_update(
    *,
    post: Post,
    acting_user: User,
    reason: str,
    organisation: Organisation | Unset = UNSET,
    position_number: str | Unset = UNSET,
    title: str | Unset = UNSET,
    directorate: str | Unset = UNSET,
    band: str | Unset = UNSET,
    wte: Decimal | Unset = UNSET,
    cost_centre: str | Unset = UNSET,
    is_board_level: bool | Unset = UNSET,
    status: str | Unset = UNSET,
    closed_on: dt.date | Unset | None = UNSET,
) -> Post:
    # Moving a post needs both ends: the organisation it leaves and the one it joins.
    access.require_change(acting_user, [post.organisation_id, given(organisation)])
    model_update(
        post,
        data={
            "organisation": organisation,
            "position_number": (
                UNSET if position_number is UNSET else str(position_number).strip()
            ),
            "title": title,
            "directorate": directorate,
            "band": UNSET if band is UNSET else _band(band),
            "wte": wte,
            "cost_centre": cost_centre,
            "is_board_level": is_board_level,
            "status": status,
            "closed_on": closed_on,
        },
        acting_user=acting_user,
        reason=reason,
    )
    return post


@transaction.atomic
def staff_member_create(
    *,
    employee_number: str,
    first_name: str,
    last_name: str,
    work_email: str = "",
    date_of_birth: dt.date | None = None,
    nhs_service_start: dt.date | None = None,
    pension_return_date: dt.date | None = None,
    user: User | None = None,
    acting_user: User,
    reason: str,
) -> StaffMember:
    """A new person holds no post yet, so any HR manager may record them; assigning them to a
    post (`assignment_create`) is what needs that post's organisation."""
    access.require_may_change(acting_user)
    person = StaffMember(
        employee_number=employee_number,
        first_name=first_name,
        last_name=last_name,
        work_email=work_email,
        date_of_birth=date_of_birth,
        nhs_service_start=nhs_service_start,
        pension_return_date=pension_return_date,
        user=user,
    )
    return audited_save(person, acting_user=acting_user, reason=reason)


@transaction.atomic
def staff_member_update(
    *,
    staff_member: StaffMember,
    acting_user: User,
    reason: str,
    employee_number: str | Unset = UNSET,
    first_name: str | Unset = UNSET,
    last_name: str | Unset = UNSET,
    work_email: str | Unset = UNSET,
    date_of_birth: dt.date | Unset | None = UNSET,
    nhs_service_start: dt.date | Unset | None = UNSET,
    pension_return_date: dt.date | Unset | None = UNSET,
    user: User | Unset | None = UNSET,
) -> StaffMember:
    access.require_change_staff_member(acting_user, staff_member)
    model_update(
        staff_member,
        data={
            "employee_number": employee_number,
            "first_name": first_name,
            "last_name": last_name,
            "work_email": work_email,
            "date_of_birth": date_of_birth,
            "nhs_service_start": nhs_service_start,
            "pension_return_date": pension_return_date,
            "user": user,
        },
        acting_user=acting_user,
        reason=reason,
    )
    return staff_member


@transaction.atomic
def assignment_create(
    *,
    assignment_number: str,
    staff_member: StaffMember,
    post: Post,
    category: str = Assignment.Category.PERMANENT,
    annual_salary: Decimal | None = None,
    start_on: dt.date | None = None,
    end_on: dt.date | None = None,
    acting_user: User,
    reason: str,
) -> Assignment:
    """Both ends must be in scope: the post, and the person (who holds or held a post in the
    user's organisations, or holds none yet)."""
    access.require_change(acting_user, [post.organisation_id])
    access.require_change_staff_member(acting_user, staff_member)
    assignment = Assignment(
        assignment_number=assignment_number,
        staff_member=staff_member,
        post=post,
        category=category,
        annual_salary=annual_salary,
        start_on=start_on,
        end_on=end_on,
    )
    return audited_save(assignment, acting_user=acting_user, reason=reason)


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    acting_user: User,
    reason: str,
    assignment_number: str | Unset = UNSET,
    staff_member: StaffMember | Unset = UNSET,
    post: Post | Unset = UNSET,
    category: str | Unset = UNSET,
    annual_salary: Decimal | Unset | None = UNSET,
    start_on: dt.date | Unset | None = UNSET,
    end_on: dt.date | Unset | None = UNSET,
) -> Assignment:
    access.require_change(
        acting_user,
        [assignment.post.organisation_id, post.organisation_id if isinstance(post, Post) else None],
    )
    access.require_change_staff_member(acting_user, assignment.staff_member)
    if staff_member is not UNSET and staff_member != assignment.staff_member:
        raise ValidationError(
            {"staff_member": "An assignment belongs to one person; end it and start another."}
        )
    model_update(
        assignment,
        data={
            "assignment_number": assignment_number,
            "post": post,
            "category": category,
            "annual_salary": annual_salary,
            "start_on": start_on,
            "end_on": end_on,
        },
        acting_user=acting_user,
        reason=reason,
    )
    return assignment


# --- planned changes ---------------------------------------------------------------------------


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


def _code(organisation: Organisation | None) -> str:
    return organisation.code if organisation is not None else "(no destination)"


def _destination_clashes(changes: list[PlannedChange]) -> list[str]:
    """Transfers that would give a post a number its destination already uses (one query,
    however many changes), and pairs in the batch that would land on the same number."""
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
    moving = {c.post_id for c in transfers}
    taken = set(
        Post.objects.filter(
            organisation_id__in={org for org, _ in landing.values()},
            position_number__in={number for _, number in landing.values()},
        )
        .exclude(pk__in=moving)
        .values_list("organisation_id", "position_number")
    )
    problems: list[str] = []
    seen: dict[tuple[int | None, str], str] = {}
    for change in transfers:
        code = _code(change.destination_organisation)
        key = landing[change.pk]
        number = key[1]
        if key in taken:
            problems.append(
                f"{code} already has a post numbered {number}; "
                "give the change a different destination position number."
            )
        elif key in seen:
            problems.append(
                f"Posts {seen[key]} and {change.post.position_number} would both become "
                f"{number} at {code}."
            )
        seen[key] = change.post.position_number
    return problems


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
    *, changes: Iterable[PlannedChange], acting_user: User, reason: str
) -> list[PlannedChange]:
    """Approve several drafts at once (the admin's bulk action). All or nothing: if any one may
    not be approved by this user, none is, and the error names it."""
    reason = require_reason(reason)
    locked = list(
        PlannedChange.objects.select_for_update(of=("self",))
        .filter(pk__in=[c.pk for c in changes])
        .select_related("post", "author")
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
    bulk_update_with_history(
        locked,
        PlannedChange,
        ["status", *_STATUS_STAMPS[PlannedChange.Status.APPROVED]],
        default_user=acting_user,
        default_change_reason=reason,
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
) -> list[PlannedChange]:
    """Apply every approved change of one organisation's posts in a programme, in one atomic bulk
    operation with history: a whole CCG's lift and shift into an ICB is one call.

    If any change may not be applied (effective date still ahead, a position-number clash at the
    destination) nothing is applied and the error lists every such change. `changes` narrows the
    set (the admin's bulk action on selected rows); they must still belong to the programme and
    organisation. `recorded_at` back-dates the history rows and is only for loading transfers
    that happened before this system held them (the demo data); everything else records now.
    """
    access.require_change(acting_user, [organisation])
    reason = require_reason(reason)
    today = today or timezone.localdate()
    queryset = PlannedChange.objects.select_for_update(of=("self",)).filter(
        programme=programme,
        post__organisation=organisation,
        status=PlannedChange.Status.APPROVED,
    )
    if changes is not None:
        queryset = queryset.filter(pk__in=[c.pk for c in changes])
    locked = list(queryset.select_related("post", "destination_organisation"))
    if not locked:
        return []
    access.require_change(acting_user, {c.destination_organisation_id for c in locked})
    posts = {
        p.pk: p for p in Post.objects.select_for_update().filter(pk__in=[c.post_id for c in locked])
    }
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
        post = posts[change.post_id]
        if fields := _post_after(change, post):
            changed_posts.append(post)
            post_fields.update(fields)
        _move(change, PlannedChange.Status.APPLIED, by=acting_user, at=now)
    if changed_posts:
        # Each post is written with every field that changed for any of them; unchanged fields
        # are rewritten with their current value, which the history diff shows as no change.
        bulk_update_with_history(
            changed_posts,
            Post,
            sorted(post_fields),
            default_user=acting_user,
            default_change_reason=reason,
            default_date=now,
        )
    bulk_update_with_history(
        locked,
        PlannedChange,
        ["status", *_STATUS_STAMPS[PlannedChange.Status.APPLIED]],
        default_user=acting_user,
        default_change_reason=reason,
        default_date=now,
    )
    return locked


# --- users: role, organisations covered, union ------------------------------------------------


def _names(values: Iterable[Any]) -> str:
    return ", ".join(sorted(str(v) for v in values))


@transaction.atomic
def user_access_update(
    *,
    user: User,
    acting_user: User,
    reason: str,
    groups: Iterable[Group] | Unset = UNSET,
    organisations: Iterable[Organisation] | Unset = UNSET,
    union: str | Unset = UNSET,
    is_superuser: bool | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> list[str]:
    """Set what a user may reach, writing one `UserAccessChange` row (before, after, who, why)
    per thing that changed; returns what changed. Only administrators manage users: an HR
    manager or an auditor granting access would widen their own reach."""
    if not (acting_user.is_active and acting_user.is_superuser):
        raise access.OutOfScope("Only an administrator changes a user's role or scope.")
    reason = require_reason(reason)
    now = timezone.now()
    rows: list[UserAccessChange] = []

    def record(what: str, before: str, after: str) -> None:
        rows.append(
            UserAccessChange(
                user=user,
                what=what,
                before=before,
                after=after,
                changed_by=acting_user,
                changed_at=now,
                reason=reason,
            )
        )

    if not isinstance(groups, Unset):
        wanted_groups = list(groups)
        before = _names(user.groups.all())
        if {g.pk for g in wanted_groups} != set(user.groups.values_list("pk", flat=True)):
            user.groups.set(wanted_groups)
            record(UserAccessChange.What.ROLES, before, _names(wanted_groups))
    if not isinstance(organisations, Unset):
        wanted_orgs = list(organisations)
        current = list(user.organisations.all())
        if {o.pk for o in wanted_orgs} != {o.pk for o in current}:
            user.organisations.set(wanted_orgs)
            record(
                UserAccessChange.What.ORGANISATIONS,
                _names(o.code for o in current),
                _names(o.code for o in wanted_orgs),
            )
    fields = []
    for name, value, what in (
        ("union", union, UserAccessChange.What.UNION),
        ("is_superuser", is_superuser, UserAccessChange.What.ADMINISTRATOR),
        ("is_active", is_active, UserAccessChange.What.ACTIVE),
    ):
        if isinstance(value, Unset) or getattr(user, name) == value:
            continue
        record(what, str(getattr(user, name)), str(value))
        setattr(user, name, value)
        fields.append(name)
    if fields:
        user.save(update_fields=fields)
    UserAccessChange.objects.bulk_create(rows)
    # Cached role and scope answers on this instance are stale now.
    for cached in ("_role_names", "_changeable_org_ids"):
        user.__dict__.pop(cached, None)
    return [row.what for row in rows]
