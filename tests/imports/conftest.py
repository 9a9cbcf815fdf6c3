"""Workbook builders and a command runner for the import tests."""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ESTABLISHMENT_HEADER = [
    "Organisation Code",
    "Position Number",
    "Position Title",
    "Directorate",
    "Band",
    "WTE",
    "Cost Centre",
    "Board Level",
    "Assignment Number",
    "Employee Number",
    "Last Name",
    "First Name",
    "Work Email",
    "Date of Birth",
    "NHS Start Date",
    "Annual Salary",
    "Assignment Category",
]
ORGANISATIONS_HEADER = [
    "Code",
    "Name",
    "Type",
    "Region",
    "Opened",
    "Closed",
    "Legal Employer",
    "Successors",
    "Succession Date",
]
CHANGES_HEADER = [
    "Programme",
    "Organisation Code",
    "Position Number",
    "Action",
    "Destination Organisation Code",
    "Destination Position Number",
    "Effective Date",
    "Reason",
]


def xlsx_bytes(sheets: dict[str, list[list[object]]], *, hidden: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def person_row(org="QNQ", position="00012345", assignment="A0001", employee="E0001", **over):
    row = {
        "Organisation Code": org,
        "Position Number": position,
        "Position Title": "Commissioning Manager",
        "Directorate": "Strategy",
        "Band": "8a",
        "WTE": 1,
        "Cost Centre": "CC100",
        "Board Level": "N",
        "Assignment Number": assignment,
        "Employee Number": employee,
        "Last Name": "Smith",
        "First Name": "Alex",
        "Work Email": "alex.smith@nhs.net",
        "Date of Birth": "10/03/1975",
        "NHS Start Date": "2008-09-01",
        "Annual Salary": 55000,
        "Assignment Category": "Permanent",
    }
    row.update(over)
    return [row[h] for h in ESTABLISHMENT_HEADER]


def vacant_row(org="QNQ", position="00099999", **over):
    row = dict(zip(ESTABLISHMENT_HEADER, person_row(org, position), strict=True))
    for key in ESTABLISHMENT_HEADER[8:]:
        row[key] = None
    row.update(over)
    return [row[h] for h in ESTABLISHMENT_HEADER]


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture
def run_import(tmp_path):
    counter = iter(range(10_000))

    def run(data: bytes | None = None, *args, path=None, name=None) -> Outcome:
        if path is None:
            path = tmp_path / (name or f"book{next(counter)}.xlsx")
            path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_workbook", str(path), *args, stdout=out, stderr=err)
            code = 0
        except CommandError as exc:
            code = exc.returncode
            err.write(str(exc))
        return Outcome(code, out.getvalue(), err.getvalue())

    return run


def post_rows(writer, organisation, *positions: str) -> list[dict]:
    """Post rows for `BulkWriter.insert`, one per position number, with reserved ids."""
    from tracker.models import Post

    ids = writer.reserve_ids(Post, len(positions))
    return [
        {
            "id": new_id,
            "organisation_id": organisation.pk,
            "position_number": position,
            "title": "Analyst",
            "band": "5",
            "wte": 1,
        }
        for new_id, position in zip(ids, positions, strict=True)
    ]


@pytest.fixture
def history_copy_fails(monkeypatch):
    """The bulk writer's history copy fails, after the rows themselves went in."""
    from imports.engine import history

    def fail(*args, **kwargs):
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(history.BulkWriter, "_history_from_table", fail)


def bulk_tables() -> list[str]:
    """The tables a first import writes in bulk: posts, staff and assignments, then their
    history tables."""
    from tracker.models import Assignment, Post, StaffMember

    models = (Post, StaffMember, Assignment)
    return [m._meta.db_table for m in models] + [m.history.model._meta.db_table for m in models]


def first_workbook() -> bytes:
    """A first establishment for organisation QNQ: three people in posts P0-P2, one vacant post."""
    rows = [
        person_row(position=f"P{n}", assignment=f"A{n}", employee=f"E{n}", email=f"p{n}@nhs.net")
        for n in range(3)
    ]
    return xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows, vacant_row(position="V")]})
