"""Kept so existing imports keep working: the workbook format is `imports.engine.spec`, parsing
is `imports.engine.parse`."""

from imports.engine.parse import parse_workbook
from imports.engine.rows import ParsedWorkbook, Problem
from imports.engine.spec import CHANGES, ESTABLISHMENT, FORMULA_PREFIXES, ORGANISATIONS, SHEETS

__all__ = [
    "CHANGES",
    "ESTABLISHMENT",
    "FORMULA_PREFIXES",
    "ORGANISATIONS",
    "SHEETS",
    "ParsedWorkbook",
    "Problem",
    "parse_workbook",
]
