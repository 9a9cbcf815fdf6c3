"""The checks across cells of one row, run as each row is read (`imports.engine.parse`). Checks
that need the database or other rows are the planners' (`imports.engine.plan`); both report
through the same `Problem`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from imports.engine.rows import ParsedRow, Problem, picker
from imports.engine.spec import ESTABLISHMENT, SheetSpec
from tracker.models import PlannedChange

# The Establishment sheet's person columns: a row without an assignment must leave them blank.
_PERSON_KEYS = (
    "employee_number",
    "first_name",
    "last_name",
    "work_email",
    "date_of_birth",
    "nhs_service_start",
    "pension_return_date",
    "annual_salary",
    "category",
    "start_on",
    "end_on",
)
_NAMES = (
    ("employee_number", "Employee Number"),
    ("last_name", "Last Name"),
    ("first_name", "First Name"),
)

# What the checks of a row with an assignment read: the names first, in `_NAMES` order.
_CHECKED = (*(key for key, _ in _NAMES), "date_of_birth", "nhs_service_start", "start_on", "end_on")

RowChecks = Callable[[ParsedRow, list[Problem]], None]


def row_checks(spec: SheetSpec, index: dict[str, int], sheet: str) -> RowChecks:
    """The checks across cells of one row of a sheet (its columns at `index`)."""
    if spec.key == "establishment":
        return _establishment_checks(index, sheet)

    def check(row: ParsedRow, problems: list[Problem]) -> None:
        _other_checks(spec, row, problems, sheet)

    return check


def _establishment_checks(index: dict[str, int], sheet: str) -> RowChecks:
    # Each row's values are picked out in one call per check (None for a column the sheet does
    # not have, as `RowValues.get` gives); a dict per row took a quarter of a second at 100,000
    # rows under the profiler.
    assignment_at = index.get("assignment_number")
    person = picker([index.get(key) for key in _PERSON_KEYS])
    checked = picker([index.get(key) for key in _CHECKED])

    def check(row: ParsedRow, problems: list[Problem]) -> None:
        def add(key: str, message: str) -> None:
            problems.append(Problem(sheet, row.ref(key), message, row.number))

        data = row.values.data
        failed = row.failed
        if "assignment_number" in failed:
            return
        if assignment_at is None or not data[assignment_at]:
            filled = [
                key
                for key, value in zip(_PERSON_KEYS, person(data), strict=True)
                if value not in (None, "")
            ]
            if filled:
                add(
                    "assignment_number",
                    "Assignment Number is blank but the row names a person "
                    f"({ESTABLISHMENT.column(filled[0]).label} is filled); "
                    "a vacant post leaves all person columns blank",
                )
            return
        *names, born, started, start_on, end_on = checked(data)
        for (key, label), value in zip(_NAMES, names, strict=True):
            if key not in failed and not value:
                add(key, f"{label} is blank; every assignment needs one")
        if born and started:
            try:
                sixteenth = born.replace(year=born.year + 16)
            except ValueError:  # born on 29 February
                sixteenth = dt.date(born.year + 16, 3, 1)
            if started < sixteenth:
                add(
                    "nhs_service_start",
                    f"NHS start date {started:%d/%m/%Y} is before the person's 16th birthday "
                    f"({sixteenth:%d/%m/%Y})",
                )
        if start_on and end_on and end_on < start_on:
            add("end_on", f"assignment ends {end_on:%d/%m/%Y} before it starts")

    return check


def _other_checks(spec: SheetSpec, row: ParsedRow, problems: list[Problem], sheet: str) -> None:
    """Checks across cells of one row of the Organisations and Changes sheets."""
    v = row.values.as_dict()

    def add(key: str, message: str) -> None:
        problems.append(Problem(sheet, row.ref(key), message, row.number))

    if spec.key == "organisations":
        if (
            row.has("opened_on")
            and row.has("closed_on")
            and v["opened_on"]
            and v["closed_on"]
            and v["closed_on"] < v["opened_on"]
        ):
            add("closed_on", f"closed {v['closed_on']:%d/%m/%Y} before it opened")
        if row.has("successors") and v["successors"]:
            if row.has("code") and v["code"] in v["successors"]:
                add("successors", f"{v['code']} cannot be its own successor")
            if "succession_date" not in v or (
                row.has("succession_date") and not v["succession_date"]
            ):
                add("succession_date", "Succession Date is blank but Successors are given")
    elif spec.key == "changes":
        action = v.get("action")
        if (
            action in PlannedChange.TRANSFERS
            and "destination_code" not in row.failed
            and not v.get("destination_code")
        ):
            add(
                "destination_code",
                "Destination Organisation Code is blank; a transfer needs a destination",
            )
