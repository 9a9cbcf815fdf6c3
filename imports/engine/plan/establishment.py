"""The Establishment sheet: one row per post, with its holder (a person and their assignment) when
it is filled. A post, person or assignment named on several rows must agree with its first row."""

from __future__ import annotations

from imports.engine.fields import (
    ASSIGNMENT_FIELDS,
    LABELS,
    POST_FIELDS,
    STAFF_FIELDS,
    display,
)
from imports.engine.plan.base import Fields, Planner
from imports.engine.results import SheetSummary
from imports.engine.rows import ParsedRow, ParsedSheet, picker
from imports.engine.state import ASSIGNMENT_STATE, POST_STATE, STAFF_STATE
from tracker.models import Assignment

_POST_COLUMNS = frozenset(POST_FIELDS)
_STAFF_COLUMNS = frozenset(STAFF_FIELDS)
_ASSIGNMENT_COLUMNS = frozenset(ASSIGNMENT_FIELDS)
_PERSON_DATES = ("date_of_birth", "nhs_service_start", "pension_return_date")


def plan_establishment(planner: Planner, sheet: ParsedSheet) -> None:
    state = planner.state
    summary = planner.plan.summaries.setdefault("establishment", SheetSummary(sheet.spec.title))
    # A position number belongs to one organisation, so the row that first names a position
    # number defines its post; later rows with it are further holders of a shared post.
    post_first: dict[str, ParsedRow] = {}
    staff_first: dict[str, ParsedRow] = {}
    assignment_first: dict[str, int] = {}
    post_ids = planner.plan.known_post_ids  # (code, position) -> id, for posts already there
    org_ids: dict[str, int | None] = {}  # codes checked once: known and allowed
    # Rows that create or update something, in sheet order, for the preview; unchanged rows
    # (nearly all of them on a re-import) are only counted.
    recorded: list[tuple[ParsedRow, str, list]] = []
    unchanged = 0
    post_fields = Fields(POST_FIELDS, sheet, POST_STATE)
    staff_fields = Fields(STAFF_FIELDS, sheet, STAFF_STATE)
    assignment_fields = Fields(ASSIGNMENT_FIELDS, sheet, ASSIGNMENT_STATE)
    # Every row reads these: picked from its values in one call (the rest only when needed).
    row_keys = picker(
        [sheet.index.get(name) for name in ("org_code", "position_number", "assignment_number")]
        + [sheet.index.get(name) for name in ("employee_number", *_PERSON_DATES)]
    )

    has_born, has_started, has_returned = (name in sheet.index for name in _PERSON_DATES)

    for row in sheet.rows:
        v = row.values
        data = v.data
        failed = row.failed
        code, position, number, employee, born, started, returned = row_keys(data)
        if not code or not position or "org_code" in failed or "position_number" in failed:
            continue
        key = (code, position)
        outcome, changes = "unchanged", []
        if code in org_ids:
            org_id = org_ids[code]
        else:
            if not planner.org_known(code):
                planner.problem(sheet, row, "org_code", planner.unknown_org(code))
                continue
            if planner.not_allowed(sheet, row, "org_code", code):
                continue
            org = state.orgs.get(code)
            org_id = org_ids[code] = org["id"] if org else None
        # A position number belongs to one organisation (in the tracker and in the file).
        holders = state.post_orgs.get(position, ())
        if holders and holders != (org_id,):
            elsewhere = sorted({state.org_codes[i] for i in holders if i != org_id})
        else:
            elsewhere = None
        if elsewhere:
            planner.problem(
                sheet,
                row,
                "position_number",
                f"position number {position} already belongs to organisation "
                f"{', '.join(elsewhere)}; a post moves between organisations through "
                "a planned change, not an import",
            )
            continue
        first = post_first.get(position)
        if first is not None and first.values["org_code"] != code:
            planner.problem(
                sheet,
                row,
                "position_number",
                f"position number {position} is also used for organisation "
                f"{first.values['org_code']} at row {first.number}",
            )
            continue

        # The post: first mention defines it; later rows are further holders of a shared post.
        if first is not None:
            if not v.get("assignment_number") or not first.values.get("assignment_number"):
                planner.problem(
                    sheet,
                    row,
                    "position_number",
                    f"position number {position} for {code} appears again (first at row "
                    f"{first.number}); a post is on several rows only when each row names a "
                    "different assignment (a shared post)",
                )
                continue
            clash = [
                n
                for n in post_fields.names
                if n not in failed and n not in first.failed and v[n] != first.values[n]
            ]
            for n in clash:
                planner.problem(
                    sheet,
                    row,
                    n,
                    f"{LABELS[n]} '{display(v[n])}' differs from row {first.number} "
                    f"('{display(first.values[n])}') for the same post {position}",
                )
            if clash:
                continue
        else:
            post_first[position] = row
            if failed & _POST_COLUMNS:
                continue
            old = state.posts.get((org_id, position)) if org_id else None
            planner.file_posts[key] = row
            if old is None:
                planner.new_posts.add(key)
                planner.plan.post_creates.append(
                    {"_org": code, "position_number": position, **post_fields.values(data)}
                )
                summary.count("posts", "created")
                outcome = "created"
            else:
                post_ids[key] = old.id
                changed = post_fields.changed(data, old)
                if changed:
                    planner.plan.post_updates.append({"id": old.id, **post_fields.values(data)})
                    summary.count("posts", "updated")
                    outcome = "updated"
                    changes += [
                        [LABELS[n], display(getattr(old, n)), display(v[n])] for n in changed
                    ]

        if not number or "assignment_number" in failed:
            if outcome == "unchanged":
                unchanged += 1
            else:
                recorded.append((row, outcome, changes))
            continue
        if number in assignment_first:
            planner.problem(
                sheet,
                row,
                "assignment_number",
                f"assignment number {number} appears again (first at row "
                f"{assignment_first[number]})",
            )
            continue
        assignment_first[number] = row.number
        if not employee or "employee_number" in failed:
            continue

        # The person: the first row naming an employee number defines them.
        if employee in staff_first:
            first = staff_first[employee]
            clash = [
                n
                for n in staff_fields.names
                if n not in failed and n not in first.failed and v[n] != first.values[n]
            ]
            for n in clash:
                planner.problem(
                    sheet,
                    row,
                    n,
                    f"{LABELS[n]} '{display(v[n])}' differs from row {first.number} "
                    f"('{display(first.values[n])}') for the same employee {employee}",
                )
            if clash:
                continue
        else:
            staff_first[employee] = row
            if failed & _STAFF_COLUMNS:
                continue
            old = state.staff.get(employee)
            # The record as it would be: the file's values over the tracker's.
            if not has_born:
                born = old and old.date_of_birth
            if not has_started:
                started = old and old.nhs_service_start
            if born and started and started <= born:
                planner.problem(
                    sheet,
                    row,
                    "nhs_service_start",
                    f"NHS start date {display(started)} is not after the "
                    f"date of birth {display(born)}",
                )
                continue
            if not has_returned:
                returned = old and old.pension_return_date
            if returned and born and returned <= born:
                planner.problem(
                    sheet,
                    row,
                    "pension_return_date" if has_returned else "date_of_birth",
                    f"Pension Return Date {display(returned)} is not after the date of birth "
                    f"{display(born)}",
                )
                continue
            if returned and started and returned <= started:
                planner.problem(
                    sheet,
                    row,
                    "pension_return_date" if has_returned else "nhs_service_start",
                    f"Pension Return Date {display(returned)} is not after the NHS start date "
                    f"{display(started)}: a person returns to the NHS after service they drew "
                    "a pension for",
                )
                continue
            if old is None:
                planner.plan.staff_creates.append(
                    {"employee_number": employee, **staff_fields.values(data)}
                )
                summary.count("staff", "created")
                outcome = "created"
            else:
                planner.plan.known_staff_ids[employee] = old.id
                changed = staff_fields.changed(data, old)
                if changed:
                    planner.plan.staff_updates.append({"id": old.id, **staff_fields.values(data)})
                    summary.count("staff", "updated")
                    if outcome == "unchanged":
                        outcome = "updated"
                    changes += [
                        [LABELS[n], display(getattr(old, n)), display(v[n])] for n in changed
                    ]

        # The assignment.
        if failed & _ASSIGNMENT_COLUMNS:
            continue
        existing = state.assignments.get(number)
        if existing is None:
            new = assignment_fields.values(data)
            if not new.get("category"):
                new["category"] = Assignment.Category.PERMANENT
            planner.plan.assignment_creates.append(
                {"assignment_number": number, "_post": key, "_staff": employee, **new}
            )
            summary.count("assignments", "created")
            outcome = "created"
        else:
            if existing.staff_member__employee_number != employee:
                planner.problem(
                    sheet,
                    row,
                    "employee_number",
                    f"assignment {number} belongs to employee "
                    f"{existing.staff_member__employee_number}, not {employee}",
                )
                continue
            if existing.post__organisation_id != org_id:
                other = state.org_codes.get(existing.post__organisation_id, "another organisation")
                planner.problem(
                    sheet,
                    row,
                    "assignment_number",
                    f"assignment number {number} already belongs to organisation {other} "
                    f"(position {existing.post__position_number}); a person moves between "
                    "organisations through a planned change, not an import",
                )
                continue
            changed = assignment_fields.changed(data, existing)
            if "category" in changed and not v["category"]:
                changed.remove("category")  # blank keeps what is recorded
            post_id = post_ids.get(key)  # None: a post this file creates
            moved = post_id is None or post_id != existing.post_id
            if changed or moved:
                new = assignment_fields.values(data)
                if not new.get("category"):
                    new.pop("category", None)
                merged = {"id": existing.id, **new}
                if moved:
                    if post_id is None:
                        merged["_post"] = key  # a post this file creates
                    else:
                        merged["post_id"] = post_id
                    changes.append([LABELS["post_id"], existing.post__position_number, position])
                planner.plan.assignment_updates.append(merged)
                summary.count("assignments", "updated")
                if outcome == "unchanged":
                    outcome = "updated"
                changes += [
                    [LABELS[n], display(getattr(existing, n)), display(new[n])] for n in changed
                ]
        if outcome == "unchanged":
            unchanged += 1
        else:
            recorded.append((row, outcome, changes))

    summary.unchanged += unchanged
    for row, outcome, changes in recorded:
        key = f"{row.values.get('org_code')} {row.values.get('position_number')}"
        if row.values.get("assignment_number"):
            key += f" / {row.values['assignment_number']}"
        summary.record(row, key, outcome, changes)
