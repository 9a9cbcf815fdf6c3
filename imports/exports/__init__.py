"""Workbooks people send on: the establishment as of a date, a programme's transfer schedule,
the at-risk and case lists, collective consultation, the audit trail, and the import template.

One module per kind; `writer` holds the styled, formula-safe, streaming sheet (and CSV) they all
write through; `scope` decides, with the screens' selectors, which rows an export made for a
user may hold; `models`, `tasks` and `admin` run exports from the admin in the background and
serve the file from storage to whoever may still see it.
"""

from imports.exports.audit import export_audit
from imports.exports.cases import export_at_risk, export_cases
from imports.exports.consultation import export_consultation
from imports.exports.establishment import export_establishment
from imports.exports.schedule import export_transfer_schedule
from imports.exports.template import workbook_template
from imports.exports.writer import EXCEL_MAX_ROWS, FORMATS, ExportError, safe_value

KINDS = ("establishment", "transfer-schedule", "at-risk", "consultation", "audit", "cases")
NOT_YET: set[str] = set()  # every kind works

__all__ = [
    "EXCEL_MAX_ROWS",
    "FORMATS",
    "KINDS",
    "NOT_YET",
    "ExportError",
    "export_at_risk",
    "export_audit",
    "export_cases",
    "export_consultation",
    "export_establishment",
    "export_transfer_schedule",
    "safe_value",
    "workbook_template",
]
