"""Posts, staff members and assignments: the establishment, written only within the acting
user's organisations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from tracker import access
from tracker.audit import (
    UNSET,
    Unset,
    audited_save,
    given,
    model_update,
)
from tracker.bands import normalise_band
from tracker.models import (
    Assignment,
    Organisation,
    Post,
    StaffMember,
    User,
)


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
