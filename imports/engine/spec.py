"""What a workbook must say: per sheet its accepted names and its columns with their aliases (the
workbook format of product.md), and the spellings people type for choices."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from tracker.models import Assignment, Organisation, PlannedChange

HEADER_SEARCH_ROWS = 10  # the header row is the first of these that names known columns
MEMO_LIMIT = 20_000  # distinct values remembered per column while reading a sheet
_MEMO_TYPES = frozenset({str, float, dt.date, dt.datetime})
_MISSING = object()
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PENNY = Decimal("0.01")
WTE_PLACES = Decimal("0.0001")


def normalise(text: object) -> str:
    """How names are compared: case-insensitive, ignoring spaces and punctuation."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    informational: bool = False  # written by exports, recognised and not imported

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str
    aliases: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


ORGANISATIONS = SheetSpec(
    "organisations",
    "Organisations",
    ("Organizations", "Orgs"),
    (
        Column("code", "Code", ("ODS Code", "Organisation Code", "Org Code"), required=True),
        Column("name", "Name", ("Organisation Name",), required=True),
        Column("kind", "Type", ("Kind", "Organisation Type"), required=True),
        Column("region", "Region"),
        Column("opened_on", "Opened", ("Opened On", "Open Date")),
        Column("closed_on", "Closed", ("Closed On", "Close Date")),
        Column("is_legal_employer", "Legal Employer", ("Legal Employer (Y/N)", "Employer")),
        Column("successors", "Successors", ("Successor", "Successor Codes")),
        Column("succession_date", "Succession Date", ("Succession Effective Date",)),
    ),
)

ESTABLISHMENT = SheetSpec(
    "establishment",
    "Establishment",
    ("Posts",),
    (
        Column("org_code", "Organisation Code", ("Org Code", "ODS Code"), required=True),
        Column("position_number", "Position Number", ("Post Number",), required=True),
        Column("title", "Position Title", ("Job Title", "Post Title"), required=True),
        Column("directorate", "Directorate", ("Department", "Area of Work")),
        Column("band", "Band", ("Pay Band", "Grade", "AfC Band"), required=True),
        Column("wte", "WTE", ("FTE",), required=True),
        Column("cost_centre", "Cost Centre", ("Cost Center",)),
        Column("is_board_level", "Board Level", ("Board Level (Y/N)",)),
        Column("status", "Status", ("Post Status",), informational=True),
        Column("assignment_number", "Assignment Number", ("Assignment No",)),
        Column("employee_number", "Employee Number", ("Employee No", "Staff Number")),
        Column("last_name", "Last Name", ("Surname",)),
        Column("first_name", "First Name", ("Forename",)),
        Column("work_email", "Work Email", ("Email",)),
        Column("date_of_birth", "Date of Birth", ("DOB",)),
        Column("nhs_service_start", "NHS Start Date", ("Continuous Service Date",)),
        Column("pension_return_date", "Pension Return Date", ("Retire and Return Date",)),
        Column("annual_salary", "Annual Salary", ("Basic Salary",)),
        Column("category", "Assignment Category", ("Contract Type",)),
        Column("start_on", "Assignment Start Date", ("Assignment Start",)),
        Column("end_on", "Assignment End Date", ("Assignment End",)),
    ),
)

CHANGES = SheetSpec(
    "changes",
    "Changes",
    ("Planned Changes",),
    (
        Column("programme", "Programme", ("Programme Slug", "Program"), required=True),
        Column("org_code", "Organisation Code", ("Org Code", "ODS Code"), required=True),
        Column("position_number", "Position Number", ("Post Number",), required=True),
        Column("action", "Action", (), required=True),
        Column("destination_code", "Destination Organisation Code", ("Destination Org Code",)),
        Column("destination_position_number", "Destination Position Number", ()),
        Column("effective_on", "Effective Date", ("Effective On",), required=True),
        Column("reason", "Reason", ()),
        # Only used when a "New" row creates its post; a post needs these.
        Column("title", "Position Title", ("Job Title", "Post Title")),
        Column("band", "Band", ("Pay Band", "Grade", "AfC Band")),
        Column("wte", "WTE", ("FTE",)),
        Column("directorate", "Directorate", ("Department", "Area of Work")),
    ),
)

SHEETS = (ORGANISATIONS, ESTABLISHMENT, CHANGES)  # also the order they are applied in

KIND_SPELLINGS = {
    **{normalise(k.value): k.value for k in Organisation.Kind},
    **{normalise(k.label): k.value for k in Organisation.Kind},
    "ccg": Organisation.Kind.CCG,
    "subicb": Organisation.Kind.SUB_ICB,
    "subicblocation": Organisation.Kind.SUB_ICB,
    "sicbl": Organisation.Kind.SUB_ICB,
    "icb": Organisation.Kind.ICB,
    "nhsengland": Organisation.Kind.NHS_ENGLAND,
    "nhse": Organisation.Kind.NHS_ENGLAND,
    "nhsei": Organisation.Kind.NHS_ENGLAND,
    "csu": Organisation.Kind.CSU,
    "trust": Organisation.Kind.TRUST,
    "nhstrust": Organisation.Kind.TRUST,
    "foundationtrust": Organisation.Kind.TRUST,
    "nhsfoundationtrust": Organisation.Kind.TRUST,
    "other": Organisation.Kind.OTHER,
}
ACTION_SPELLINGS = {
    **{normalise(a.value): a.value for a in PlannedChange.Action},
    **{normalise(a.label): a.value for a in PlannedChange.Action},
    "close": PlannedChange.Action.CLOSED,
}
CATEGORY_SPELLINGS = {
    **{normalise(c.value): c.value for c in Assignment.Category},
    **{normalise(c.label): c.value for c in Assignment.Category},
}
YES = {"y", "yes", "true", "1"}
NO = {"n", "no", "false", "0"}
