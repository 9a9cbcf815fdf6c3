"""Writing a plan: the rows of every sheet and their history rows, in the order their foreign keys
need, resolving the file's own new records (reserved ids) as it goes. Runs inside the import's
one transaction (`imports.engine.run`)."""

from __future__ import annotations

from imports.engine.fields import (
    ASSIGNMENT_FIELDS,
    CHANGE_FIELDS,
    ORG_FIELDS,
    POST_FIELDS,
    STAFF_FIELDS,
)
from imports.engine.history import BulkWriter
from imports.engine.results import Plan
from tracker.models import Assignment, Organisation, PlannedChange, Post, StaffMember, Succession


def write_plan(plan: Plan, writer: BulkWriter) -> None:
    """Write a plan. Must run inside a transaction; resolves the file's own new records to ids."""
    org_ids = dict(Organisation.objects.order_by().values_list("code", "id"))
    for row, new_id in zip(
        plan.org_creates, writer.reserve_ids(Organisation, len(plan.org_creates)), strict=True
    ):
        row["id"] = new_id
        org_ids[row["code"]] = new_id
    writer.insert(Organisation, plan.org_creates)
    writer.update(Organisation, plan.org_updates, ORG_FIELDS)

    for row in plan.succession_creates:
        row["predecessor_id"] = org_ids[row.pop("_pred")]
        row["successor_id"] = org_ids[row.pop("_succ")]
    for row, new_id in zip(
        plan.succession_creates,
        writer.reserve_ids(Succession, len(plan.succession_creates)),
        strict=True,
    ):
        row["id"] = new_id
    writer.insert(Succession, plan.succession_creates)
    writer.update(Succession, plan.succession_updates, ["effective_on"])

    post_ids: dict[tuple[str, str], int] = dict(plan.known_post_ids)
    for row, new_id in zip(
        plan.post_creates, writer.reserve_ids(Post, len(plan.post_creates)), strict=True
    ):
        code = row.pop("_org")
        row["id"] = new_id
        row["organisation_id"] = org_ids[code]
        post_ids[(code, row["position_number"])] = new_id
    writer.insert(Post, plan.post_creates)
    writer.update(Post, plan.post_updates, POST_FIELDS)

    staff_ids: dict[str, int] = dict(plan.known_staff_ids)
    for row, new_id in zip(
        plan.staff_creates, writer.reserve_ids(StaffMember, len(plan.staff_creates)), strict=True
    ):
        row["id"] = new_id
        staff_ids[row["employee_number"]] = new_id
    writer.insert(StaffMember, plan.staff_creates)
    writer.update(StaffMember, plan.staff_updates, STAFF_FIELDS)

    def post_id(key) -> int:
        if key in post_ids:
            return post_ids[key]
        code, position = key
        post_ids[key] = Post.objects.values_list("id", flat=True).get(
            organisation_id=org_ids[code], position_number=position
        )
        return post_ids[key]

    def staff_id(number: str) -> int:
        if number not in staff_ids:
            staff_ids[number] = StaffMember.objects.values_list("id", flat=True).get(
                employee_number=number
            )
        return staff_ids[number]

    for row, new_id in zip(
        plan.assignment_creates,
        writer.reserve_ids(Assignment, len(plan.assignment_creates)),
        strict=True,
    ):
        row["id"] = new_id
        row["post_id"] = post_id(row.pop("_post"))
        row["staff_member_id"] = staff_id(row.pop("_staff"))
    writer.insert(Assignment, plan.assignment_creates)
    for row in plan.assignment_updates:
        for extra in (
            "post__organisation_id",
            "post__position_number",
            "staff_member__employee_number",
        ):
            row.pop(extra, None)
        if "_post" in row:
            row["post_id"] = post_id(row.pop("_post"))
    writer.update(Assignment, plan.assignment_updates, ["post_id", *ASSIGNMENT_FIELDS])

    for row, new_id in zip(
        plan.change_creates,
        writer.reserve_ids(PlannedChange, len(plan.change_creates)),
        strict=True,
    ):
        row["id"] = new_id
        ref = row.pop("_post")
        row["post_id"] = ref if isinstance(ref, int) else post_id(ref)
        destination = row.pop("_destination")
        row["destination_organisation_id"] = org_ids[destination] if destination else None
    writer.insert(PlannedChange, plan.change_creates)
    for row in plan.change_updates:
        if "_destination" in row:
            destination = row.pop("_destination")
            row["destination_organisation_id"] = org_ids[destination] if destination else None
    writer.update(PlannedChange, plan.change_updates, [*CHANGE_FIELDS, "author_id"])
