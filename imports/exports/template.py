"""The import template: Instructions, then the three sheets with drop-downs."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from imports.exports.establishment import BAND_TEXT
from imports.validation import CHANGES, ESTABLISHMENT, ORGANISATIONS
from tracker.bands import Band
from tracker.models import PlannedChange

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

    bands = ",".join(BAND_TEXT[b.value] if not b.value[0].isdigit() else b.value for b in Band)
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
