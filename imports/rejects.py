"""The `--errors-out` workbook: every rejected row as it was read, with a Reason column."""

from __future__ import annotations

from collections import defaultdict

from openpyxl import Workbook
from openpyxl.styles import Font

from imports.engine.rows import ParsedWorkbook, Problem
from imports.exports import safe_value


def rejected_rows_workbook(parsed: ParsedWorkbook | None, problems: list[Problem], path) -> int:
    """Write the rejected rows of each sheet, plus a Problems sheet; returns the rows written."""
    book = Workbook()
    book.remove(book.active)
    by_sheet: dict[str, dict[int | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        by_sheet[problem.sheet][problem.row].append(f"{problem.cell}: {problem.message}")
    written = 0
    sheets = {s.name: s for s in parsed.sheets.values()} if parsed else {}
    for name, rows in by_sheet.items():
        sheet = sheets.get(name)
        if sheet is None:
            continue
        out = book.create_sheet(name[:31])
        header = [safe_value(v) for v in sheet.header]
        out.append(["Reason", "Row", *header])
        for cell in out[1]:
            cell.font = Font(bold=True)
        out.freeze_panes = "C2"
        wanted = {n for n in rows if n is not None}
        for number, raw in parsed.workbook.rows(sheet.info):
            if number in wanted:
                out.append(["; ".join(rows[number]), number, *(safe_value(v) for v in raw)])
                written += 1
        out.column_dimensions["A"].width = 80
    listing = book.create_sheet("Problems")
    listing.append(["Problem"])
    listing["A1"].font = Font(bold=True)
    for problem in problems:
        listing.append([safe_value(str(problem))])
    listing.column_dimensions["A"].width = 120
    book.save(path)
    return written
