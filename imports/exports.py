"""Workbooks people send on: the establishment as of a date, a programme's transfer schedule,
the audit trail, and the import template.

Styled as spreadsheets are expected to be (bold, frozen header row with filters, sensible column
widths, real dates and money formats) and safe: text that a spreadsheet could run as a formula
(`=`, `+`, `-`, `@`, tab, carriage return first) is written with a leading apostrophe, which the
importer strips again, so the establishment export re-imports cleanly. Written with openpyxl's
write-only mode, so a 100,000-row establishment streams to the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from imports.readers import UncachedFormula
from imports.validation import CHANGES, ESTABLISHMENT, FORMULA_PREFIXES, ORGANISATIONS
from tracker.bands import Band
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
)

EXCEL_MAX_ROWS = 1_048_576
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MONEY_FORMAT = '"£"#,##0.00'
WTE_FORMAT = "0.0000"
KINDS = ("establishment", "transfer-schedule", "at-risk", "consultation", "audit")
NOT_YET: set[str] = set()


class ExportError(Exception):
    """An export that cannot be made (unknown programme, too many rows); one line."""


def safe_value(value: object) -> object:
    """A value openpyxl will store as data, never as a formula."""
    if isinstance(value, UncachedFormula):
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    return value


@dataclass(frozen=True)
class Col:
    label: str
    width: int = 14
    kind: str = "text"  # text, date, datetime, money, wte, number


class _Sheet:
    """A write-only sheet with a styled header; `append` formats dates and money."""

    def __init__(self, book: Workbook, title: str, columns: list[Col]):
        self.sheet = book.create_sheet(title)
        self.columns = columns
        self.rows = 0
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, value=column.label)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="005EB8")  # NHS blue
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            header.append(cell)
        self.sheet.append(header)
        self.formats = {
            "date": DATE_FORMAT,
            "datetime": DATETIME_FORMAT,
            "money": MONEY_FORMAT,
            "wte": WTE_FORMAT,
        }

    def append(self, values: Iterable[object]) -> None:
        self.rows += 1
        if self.rows >= EXCEL_MAX_ROWS:
            raise ExportError(f"more than {EXCEL_MAX_ROWS - 1:,} rows; narrow the export")
        out = []
        for column, value in zip(self.columns, values, strict=True):
            value = safe_value(value)
            fmt = self.formats.get(column.kind)
            if fmt and value not in (None, ""):
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.number_format = fmt
                out.append(cell)
            else:
                out.append(value)
        self.sheet.append(out)

    def finish(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def _new_book() -> Workbook:
    book = Workbook(write_only=True)
    return book


# --- establishment -----------------------------------------------------------------------------

ESTABLISHMENT_COLUMNS = [
    Col("Organisation Code", 10),
    Col("Position Number", 14),
    Col("Position Title", 32),
    Col("Directorate", 22),
    Col("Band", 8),
    Col("WTE", 8, "wte"),
    Col("Cost Centre", 12),
    Col("Board Level", 8),
    Col("Status", 10),
    Col("Assignment Number", 16),
    Col("Employee Number", 14),
    Col("Last Name", 18),
    Col("First Name", 16),
    Col("Work Email", 30),
    Col("Date of Birth", 12, "date"),
    Col("NHS Start Date", 12, "date"),
    Col("Annual Salary", 13, "money"),
    Col("Assignment Category", 14),
    Col("Assignment Start Date", 12, "date"),
    Col("Assignment End Date", 12, "date"),
]
_CATEGORY_LABELS = dict(Assignment.Category.choices)
_BAND_TEXT = {
    b.value: ("ESM " + b.value[3:] if b.value.startswith("ESM") else b.value) for b in Band
}


def export_establishment(
    stream, *, as_of: dt.date, organisation: Organisation | None = None
) -> int:
    """The establishment as it stood at the end of `as_of`: one row per holder, one per vacant
    post. Its columns are the import's, so the file re-imports cleanly."""
    from tracker.selectors import establishment_as_of

    book = _new_book()
    sheet = _Sheet(book, "Establishment", ESTABLISHMENT_COLUMNS)
    for post in establishment_as_of(as_of=as_of, organisation=organisation):
        base = [
            post.organisation_code,
            post.position_number,
            post.title,
            post.directorate,
            _BAND_TEXT.get(post.band, post.band),
            post.wte,
            post.cost_centre,
            "Y" if post.is_board_level else "N",
            post.status,
        ]
        if not post.holders:
            sheet.append(base + [None] * 11)
        for h in post.holders:
            sheet.append(
                [
                    *base,
                    h.assignment_number,
                    h.employee_number,
                    h.last_name,
                    h.first_name,
                    h.work_email,
                    h.date_of_birth,
                    h.nhs_service_start,
                    h.annual_salary,
                    _CATEGORY_LABELS.get(h.category, h.category),
                    h.start_on,
                    h.end_on,
                ]
            )
    sheet.finish()
    _about(
        book,
        f"Establishment as at {as_of:%d/%m/%Y}" + (f", {organisation}" if organisation else ""),
    )
    book.save(stream)
    return sheet.rows


# --- transfer schedule -------------------------------------------------------------------------

TRANSFER_COLUMNS = [
    Col("Programme", 28),
    Col("Action", 18),
    Col("Change Status", 12),
    Col("From Organisation Code", 10),
    Col("From Organisation", 28),
    Col("To Organisation Code", 10),
    Col("To Organisation", 28),
    Col("Position Number", 14),
    Col("Position Title", 30),
    Col("Band", 8),
    Col("WTE", 8, "wte"),
    Col("Destination Position Number", 14),
    Col("Assignment Number", 16),
    Col("Employee Number", 14),
    Col("Last Name", 18),
    Col("First Name", 16),
    Col("Annual Salary", 13, "money"),
    Col("Effective Date", 12, "date"),
    Col("Continuity of Service Date", 14, "date"),
]


def _origin(change: PlannedChange) -> Organisation:
    """Where the post was before the change: after it is applied the post has moved."""
    post = change.post
    if (
        change.status != PlannedChange.Status.APPLIED
        or post.organisation_id != change.destination_organisation_id
    ):
        return post.organisation
    before = (
        post.history.exclude(organisation_id=change.destination_organisation_id)
        .order_by("-history_date", "-history_id")
        .values_list("organisation_id", flat=True)
        .first()
    )
    return Organisation.objects.get(pk=before) if before else post.organisation


def export_transfer_schedule(stream, *, programme: Programme) -> int:
    """Every transferring post and person of a programme: from and to organisation, effective
    date and the continuity-of-service date that travels with the person."""
    book = _new_book()
    sheet = _Sheet(book, "Transfer schedule", TRANSFER_COLUMNS)
    changes = (
        programme.changes.filter(action__in=PlannedChange.TRANSFERS)
        .exclude(status=PlannedChange.Status.CANCELLED)
        .select_related("post__organisation", "destination_organisation")
        .order_by("post__organisation__code", "post__position_number")
    )
    for change in changes:
        post = change.post
        origin = _origin(change)
        base = [
            programme.name,
            change.get_action_display(),
            change.get_status_display(),
            origin.code,
            origin.name,
            change.destination_organisation.code,
            change.destination_organisation.name,
            post.position_number,
            post.title,
            _BAND_TEXT.get(post.band, post.band),
            post.wte,
            change.destination_position_number,
        ]
        holders = [
            a
            for a in post.assignments.select_related("staff_member").order_by("assignment_number")
            if (a.end_on is None or a.end_on >= change.effective_on)
            and (a.start_on is None or a.start_on <= change.effective_on)
        ]
        if not holders:
            sheet.append([*base, None, None, "(vacant)", None, None, change.effective_on, None])
        for a in holders:
            person = a.staff_member
            sheet.append(
                [
                    *base,
                    a.assignment_number,
                    person.employee_number,
                    person.last_name,
                    person.first_name,
                    a.annual_salary,
                    change.effective_on,
                    person.nhs_service_start,
                ]
            )
    sheet.finish()
    _about(book, f"Transfer schedule: {programme.name}")
    book.save(stream)
    return sheet.rows


# --- at risk ----------------------------------------------------------------------------------

AT_RISK_COLUMNS = [
    Col("Employer Code", 10),
    Col("Employer", 28),
    Col("Establishment", 18),
    Col("Programme", 24),
    Col("Employee Number", 14),
    Col("Last Name", 18),
    Col("First Name", 16),
    Col("Position Number", 14),
    Col("Position Title", 30),
    Col("Band", 8),
    Col("Status", 26),
    Col("Status Since", 12, "date"),
    Col("At-risk Date", 12, "date"),
    Col("Consultation Ends", 12, "date"),
    Col("Proposed Dismissal", 12, "date"),
    Col("Trial Ends", 12, "date"),
    Col("Notice Starts", 12, "date"),
    Col("Notice Ends", 12, "date"),
    Col("Exit Date", 12, "date"),
    Col("Continuity of Service Date", 14, "date"),
]


def export_at_risk(stream, *, organisation: Organisation | None = None) -> int:
    """Open cases of affected people (every open status but "protected"), with their dates.
    Trade union membership and representation requests are special-category data and are
    never exported."""
    from employment.models import Case

    cases = (
        Case.objects.open()
        .exclude(status=Case.Status.PROTECTED)
        .select_related("staff_member", "post", "employer", "programme")
        .order_by("employer__code", "staff_member__last_name", "staff_member__employee_number")
    )
    if organisation is not None:
        cases = cases.filter(employer=organisation)
    book = _new_book()
    sheet = _Sheet(book, "At risk", AT_RISK_COLUMNS)
    for case in cases:
        person, post = case.staff_member, case.post
        sheet.append(
            [
                case.employer.code,
                case.employer.name,
                case.establishment,
                case.programme.name if case.programme else "",
                person.employee_number,
                person.last_name,
                person.first_name,
                post.position_number if post else "",
                post.title if post else "",
                _BAND_TEXT.get(post.band, post.band) if post else "",
                case.get_status_display(),
                case.status_changed_on,
                case.at_risk_on,
                case.consultation_ends_on,
                case.proposed_dismissal_on,
                case.trial_extended_to or case.trial_ends_on,
                case.notice_starts_on,
                case.notice_ends_on,
                case.exit_on,
                person.nhs_service_start,
            ]
        )
    sheet.finish()
    _about(book, "At-risk list" + (f": {organisation}" if organisation else ""))
    book.save(stream)
    return sheet.rows


# --- collective consultation -------------------------------------------------------------------

CONSULTATION_COLUMNS = [
    Col("Employer Code", 10),
    Col("Employer", 28),
    Col("Establishment", 18),
    Col("Programme", 24),
    Col("Proposed Dismissals", 11, "number"),
    Col("Most in 90 Days", 11, "number"),
    Col("Threshold", 10, "number"),
    Col("Minimum Consultation Days", 13, "number"),
    Col("Consultation Started", 12, "date"),
    Col("Must Start By", 12, "date"),
    Col("Starts Late", 8),
    Col("First Dismissal", 12, "date"),
    Col("Minimum Consultation Ends", 12, "date"),
    Col("HR1 Due", 12, "date"),
    Col("HR1 Submitted", 12, "date"),
    Col("Disclosures Missing", 40),
]
DISCLOSURE_COLUMNS = [
    Col("Employer Code", 10),
    Col("Establishment", 18),
    Col("Item", 40),
    Col("Disclosed On", 12, "date"),
    Col("Content", 80),
]
MEETING_COLUMNS = [
    Col("Employer Code", 10),
    Col("Establishment", 18),
    Col("Held On", 12, "date"),
    Col("Attendees", 40),
    Col("Disclosed", 50),
    Col("Responses", 50),
]


def export_consultation(
    stream, *, organisation: Organisation | None = None, programme: Programme | None = None
) -> int:
    """Collective consultations: the statutory figures (TULRCA s.188, s.193) per employer and
    establishment, the s.188(4) disclosures made to representatives, and the meetings log."""
    from employment.consultation import consultation_figures_for, missing_disclosures
    from employment.models import CollectiveConsultation

    consultations = CollectiveConsultation.objects.select_related("employer", "programme")
    if organisation is not None:
        consultations = consultations.filter(employer=organisation)
    if programme is not None:
        consultations = consultations.filter(programme=programme)
    consultations = list(consultations.prefetch_related("disclosures", "meetings"))
    figures = consultation_figures_for(consultations)
    book = _new_book()
    summary = _Sheet(book, "Consultation", CONSULTATION_COLUMNS)
    disclosures = _Sheet(book, "Disclosures", DISCLOSURE_COLUMNS)
    meetings = _Sheet(book, "Meetings", MEETING_COLUMNS)
    for c in consultations:
        f = figures[c.pk]
        summary.append(
            [
                c.employer.code,
                c.employer.name,
                c.establishment,
                c.programme.name if c.programme else "",
                f.proposed,
                f.peak.count,
                f.threshold,
                f.minimum_days,
                f.starts_on,
                f.latest_start_on,
                "Y" if f.starts_late else "N",
                f.first_dismissal_on,
                f.minimum_ends_on,
                f.hr1_due_on,
                c.hr1_submitted_on,
                "; ".join(missing_disclosures(c)),
            ]
        )
        for d in c.disclosures.all():
            disclosures.append(
                [c.employer.code, c.establishment, d.get_item_display(), d.disclosed_on, d.content]
            )
        for m in c.meetings.all():
            meetings.append(
                [c.employer.code, c.establishment, m.held_on, m.attendees, m.disclosed, m.responses]
            )
    for sheet in (summary, disclosures, meetings):
        sheet.finish()
    _about(book, "Collective consultation: statutory figures and disclosures")
    book.save(stream)
    return summary.rows


# --- audit -------------------------------------------------------------------------------------

AUDIT_COLUMNS = [
    Col("When", 17, "datetime"),
    Col("Who", 18),
    Col("Why", 40),
    Col("Record Type", 14),
    Col("Record", 30),
    Col("Change", 9),
    Col("Field", 20),
    Col("Before", 24),
    Col("After", 24),
]
AUDITED = (Organisation, Succession, Programme, Post, StaffMember, Assignment, PlannedChange)
_CHANGE_NAMES = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _record_label(model, row: dict) -> str:
    if model is Organisation:
        return f"{row['code']} {row['name']}"
    if model is Post:
        return f"{row['position_number']} {row['title']}"
    if model is StaffMember:
        return f"{row['employee_number']} {row['first_name']} {row['last_name']}"
    if model is Assignment:
        return row["assignment_number"]
    if model is Programme:
        return row["slug"]
    return f"#{row['id']}"


def export_audit(stream, *, since: dt.date | None = None) -> int:
    """Every change recorded in the tracker's history: when, who, why, and for changes each
    field's value before and after."""
    from django.contrib.auth import get_user_model

    users = dict(get_user_model().objects.values_list("id", "username"))
    book = _new_book()
    sheet = _Sheet(book, "Audit", AUDIT_COLUMNS)
    lines: list[tuple] = []
    for model in AUDITED:
        history = model.history.model
        tracked = [
            f.attname for f in history._meta.concrete_fields if not f.name.startswith("history_")
        ]
        previous: dict[int, dict] = {}
        rows = model.history.order_by("id", "history_date", "history_id").values(
            *tracked, "history_date", "history_user_id", "history_change_reason", "history_type"
        )
        for row in rows:
            before = previous.get(row["id"])
            previous[row["id"]] = row
            if since and row["history_date"].date() < since:
                continue
            head = (
                row["history_date"],
                users.get(row["history_user_id"], ""),
                row["history_change_reason"] or "",
                model._meta.verbose_name.capitalize(),
                _record_label(model, row),
                _CHANGE_NAMES.get(row["history_type"], row["history_type"]),
            )
            if row["history_type"] == "~" and before is not None:
                for name in tracked:
                    if name != "id" and before[name] != row[name]:
                        lines.append((*head, name, _text(before[name]), _text(row[name])))
            else:
                lines.append((*head, "", "", ""))
    lines.sort(key=lambda line: line[0])
    for line in lines:
        sheet.append(line)
    sheet.finish()
    _about(book, "Audit trail of the tracker")
    book.save(stream)
    return sheet.rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _about(book: Workbook, title: str) -> None:
    about = book.create_sheet("About")
    about.append([title])
    about.append([f"Exported {timezone.localtime():%d/%m/%Y %H:%M} by Transition Tracker"])


# --- template ----------------------------------------------------------------------------------

INSTRUCTIONS = [
    "How to fill in this workbook",
    "",
    "Fill in any of the Organisations, Establishment and Changes sheets; a sheet left empty is "
    "skipped.",
    "Keep the header row. Column names may be any of the accepted alternatives listed below.",
    "Dates: Excel dates, or text as YYYY-MM-DD or DD/MM/YYYY.",
    "Position, assignment and employee numbers are text: leading zeros are kept.",
    "Establishment: one row per post; a vacant post leaves the person columns blank. A post",
    "held by several people (a job share) has one row per assignment with the same post details.",
    "WTE is more than 0 and at most 1. Salary is the annual basic salary in pounds.",
    "Changes: Programme is the programme's slug or exact name; Action is one of the drop-down",
    "values; a transfer needs a Destination Organisation Code. Imported changes are drafts:",
    "someone other than the importer approves them.",
    "The import is all or nothing: if any row has a problem, nothing is written, and every",
    "problem is listed as Sheet!CELL: message.",
    "",
    "Columns (accepted alternatives in brackets; * required):",
]


def workbook_template(stream) -> None:
    """The import template: Instructions, then the three sheets with drop-downs."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Instructions"
    for line in INSTRUCTIONS:
        sheet.append([line])
    for spec in (ORGANISATIONS, ESTABLISHMENT, CHANGES):
        sheet.append([])
        sheet.append([spec.title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for column in spec.columns:
            if column.informational:
                continue
            also = f" ({', '.join(column.aliases)})" if column.aliases else ""
            sheet.append([f"  {column.label}{'*' if column.required else ''}{also}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110

    bands = ",".join(_BAND_TEXT[b.value] if not b.value[0].isdigit() else b.value for b in Band)
    lists = {
        "Type": "CCG,Sub-ICB location,ICB,NHS England,CSU,Trust,Other",
        "Legal Employer": "Y,N",
        "Band": bands.replace("medical", "Medical").replace("other", "Other"),
        "Board Level": "Y,N",
        "Assignment Category": "Permanent,Fixed Term,Secondment,Bank",
        "Action": ",".join(label for _, label in PlannedChange.Action.choices),
    }
    for spec in (ORGANISATIONS, ESTABLISHMENT, CHANGES):
        columns = [
            c
            for c in spec.columns
            if not c.informational
            and not (spec is CHANGES and c.key in {"title", "band", "wte", "directorate"})
        ]
        ws = book.create_sheet(spec.title)
        ws.append([c.label for c in columns])
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(1, index)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="005EB8")
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = max(12, len(column.label) + 4)
            if column.label in lists:
                rule = DataValidation(
                    type="list",
                    formula1=f'"{lists[column.label]}"',
                    allow_blank=not column.required,
                    showErrorMessage=True,
                    errorTitle=column.label,
                    error=f"Choose a {column.label} from the list.",
                )
                ws.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}100000")
            if column.key in {
                "position_number",
                "assignment_number",
                "employee_number",
                "destination_position_number",
                "cost_centre",
            }:
                for row in range(2, 2001):
                    ws.cell(row, index).number_format = "@"  # text, so leading zeros stay
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    book.save(stream)
