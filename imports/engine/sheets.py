"""Finding what a workbook holds before its rows are read: which sheets this import knows (by
name, ignoring case, spaces and punctuation), each one's header row and the columns it maps, and
its data rows under the header (`Header.data_rows`)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from imports.engine.cells import _raw_text
from imports.engine.rows import Problem
from imports.engine.spec import HEADER_SEARCH_ROWS, SHEETS, SheetSpec, normalise
from imports.readers import UncachedFormula, Workbook, column_letter


def match_spec(sheet_name: str) -> SheetSpec | None:
    wanted = normalise(sheet_name)
    for spec in SHEETS:
        if wanted in {normalise(n) for n in (spec.title, *spec.aliases)}:
            return spec
    return None


def _find_header(
    spec: SheetSpec, rows: list[tuple[int, list[object]]]
) -> tuple[int, list[object]] | None:
    by_name = {normalise(n) for c in spec.columns for n in c.names}
    best = None
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        hits = sum(1 for v in values if isinstance(v, str) and normalise(v) in by_name)
        if hits >= 2 and (best is None or hits > best[0]):
            best = (hits, number, values)
            required = {normalise(n) for c in spec.columns if c.required for n in c.names}
            if {normalise(v) for v in values if isinstance(v, str)} & required:
                break
    return (best[1], best[2]) if best else None


def known_sheets(
    workbook: Workbook, problems: list[Problem], notices: list[str], read: dict[str, str]
):
    """The sheets this import reads, in file order, with their specs: unknown and hidden sheets
    are noted, and a sheet of a kind already read (`read`: key -> sheet name, which the caller
    fills as it reads each sheet) is a problem."""
    for info in workbook.sheets:
        spec = match_spec(info.name)
        if spec is None:
            notices.append(f"Sheet '{info.name}' is not one this import reads; it was ignored.")
            continue
        if not info.visible:
            notices.append(
                f"Sheet '{info.name}' is hidden; hidden sheets are ignored (unhide it to import "
                "it)."
            )
            continue
        if spec.key in read:
            problems.append(
                Problem(
                    info.name,
                    "A1",
                    f"a second '{spec.title}' sheet (the first is '{read[spec.key]}'); keep one",
                )
            )
            continue
        yield info, spec


def no_sheet_problem(workbook: Workbook) -> Problem:
    return Problem(
        workbook.sheets[0].name,
        "A1",
        "no Organisations, Establishment or Changes sheet was found (sheet names are "
        "matched ignoring case, spaces and punctuation)",
    )


@dataclass
class Header:
    """A sheet's header row, the columns it maps, and its data rows still to be read."""

    spec: SheetSpec
    row: int
    values: list[object]
    columns: dict[str, int]  # key -> 0-based column index
    width: int  # cells each data row is padded to (past the last imported column)
    head: list[tuple[int, list[object]]]  # the rows read while looking for the header
    rest: Iterator[tuple[int, list[object]]]

    def digest(self):
        """The sheet's content digest, started with its columns; each data row's raw values are
        added with `update(repr(values).encode())`."""
        return hashlib.blake2b(
            repr((self.spec.key, sorted(self.columns.items()))).encode(), digest_size=16
        )

    def data_rows(self) -> Iterator[tuple[int, list[object]]]:
        """(row number, raw values padded to `width`) of every non-blank row under the header."""
        width = self.width
        for number, values in itertools.chain((r for r in self.head if r[0] > self.row), self.rest):
            if len(values) < width:
                values = values + [""] * (width - len(values))
            if values.count("") + values.count(None) == len(values):
                continue  # blank rows, including trailing ones, are not data
            yield number, values


def read_header(workbook, info, spec, problems, notices) -> Header | None:
    """Find the header row and map its columns, or report why not (problems) and return None."""
    rows_iter = workbook.rows(info)
    head = list(itertools.islice(rows_iter, HEADER_SEARCH_ROWS))
    header = _find_header(spec, head)
    if header is None:
        problems.append(
            Problem(
                info.name,
                "A1",
                "no header row found in the first "
                f"{HEADER_SEARCH_ROWS} rows; expected columns "
                + ", ".join(c.label for c in spec.columns if c.required),
            )
        )
        return None
    header_row, header_values = header
    by_name = {normalise(n): c for c in spec.columns for n in c.names}
    columns: dict[str, int] = {}
    ignored = []
    for index, value in enumerate(header_values):
        text = _raw_text(value) if not isinstance(value, UncachedFormula) else ""
        if not text:
            continue
        column = by_name.get(normalise(text))
        ref = f"{column_letter(index)}{header_row}"
        if column is None:
            ignored.append(f"'{text}' ({ref})")
            continue
        if column.key in columns:
            first = f"{column_letter(columns[column.key])}{header_row}"
            problems.append(
                Problem(
                    info.name, ref, f"'{text}' repeats the {column.label} column already at {first}"
                )
            )
            continue
        columns[column.key] = index
    if ignored:
        notices.append(f"{info.name}: ignored unknown column(s) " + ", ".join(ignored) + ".")
    missing = [c for c in spec.columns if c.required and c.key not in columns]
    for column in missing:
        also = f" (also accepted: {', '.join(column.aliases)})" if column.aliases else ""
        problems.append(
            Problem(info.name, f"A{header_row}", f"missing column '{column.label}'{also}")
        )
    if missing:
        return None
    imported = [i for key, i in columns.items() if not spec.column(key).informational]
    width = max(imported) + 1 if imported else 0
    return Header(spec, header_row, list(header_values), columns, width, head, rows_iter)
