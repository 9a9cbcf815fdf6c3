"""Where every export's rows go: a styled, formula-safe .xlsx written in openpyxl's write-only
mode (rows stream to a temporary file, not a worksheet in memory), or CSV.

Every cell passes through `tracker.spreadsheets.safe_cell`, in both formats. A sheet that reaches
Excel's limit of 1,048,576 rows (a header and 1,048,575 rows) continues on a further sheet with
the same header ("Audit", "Audit (2)", ...), so a large audit trail is never a failure after
minutes. A `progress` callback, when given, is told the rows written so far every
`PROGRESS_EVERY` rows (the admin's background exports show it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from imports.readers import UncachedFormula
from tracker.spreadsheets import safe_cell

EXCEL_MAX_ROWS = 1_048_576  # including the header row
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MONEY_FORMAT = '"£"#,##0.00'
WTE_FORMAT = "0.0000"
PROGRESS_EVERY = 5_000
_FORMATS = {
    "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT,
    "money": MONEY_FORMAT,
    "wte": WTE_FORMAT,
}

Progress = Callable[[int], None]


class ExportError(Exception):
    """An export that cannot be made (unknown programme, a format the kind has not); one line."""


def safe_value(value: object) -> object:
    """A value a spreadsheet stores as data, never as a formula; aware datetimes in local time
    (Excel has no time zones)."""
    if isinstance(value, UncachedFormula):
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo:
        return timezone.localtime(value).replace(tzinfo=None)
    return safe_cell(value)


@dataclass(frozen=True)
class Col:
    label: str
    width: int = 14
    kind: str = "text"  # text, date, datetime, money, wte, number


class XlsxBook:
    """A write-only workbook; `sheet()` opens a sheet that overflows onto further sheets."""

    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def __init__(
        self, stream: IO[bytes], *, progress: Progress | None = None, max_rows: int | None = None
    ):
        self.stream = stream
        self.book = Workbook(write_only=True)
        self.progress = progress
        self.max_rows = max_rows or EXCEL_MAX_ROWS
        self.total = 0

    def sheet(self, title: str, columns: list[Col]) -> _XlsxSheet:
        return _XlsxSheet(self, title, columns)

    def tick(self) -> None:
        self.total += 1
        if self.progress and self.total % PROGRESS_EVERY == 0:
            self.progress(self.total)

    def about(self, title: str, lines: Iterable[str] = ()) -> None:
        about = self.book.create_sheet("About")
        about.append([safe_value(title)])
        for line in lines:
            about.append([safe_value(line)])
        about.append([f"Exported {timezone.localtime():%d/%m/%Y %H:%M} by Transition Tracker"])

    def save(self) -> None:
        self.book.save(self.stream)


class _XlsxSheet:
    def __init__(self, book: XlsxBook, title: str, columns: list[Col]):
        self.book = book
        self.title = title
        self.columns = columns
        self.rows = 0  # data rows on every part of this sheet
        self.parts = 0
        self._open()

    def _open(self) -> None:
        self.parts += 1
        title = self.title if self.parts == 1 else f"{self.title} ({self.parts})"
        self.ws = self.book.book.create_sheet(title[:31])
        self.on_part = 0
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = "A2"
        header = []
        for column in self.columns:
            cell = WriteOnlyCell(self.ws, value=column.label)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="005EB8")  # NHS blue
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            header.append(cell)
        self.ws.append(header)

    def _close_part(self) -> None:
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self.on_part + 1}"

    def append(self, values: Iterable[Any]) -> None:
        if self.on_part + 1 >= self.book.max_rows:
            self._close_part()
            self._open()
        out: list[Any] = []
        for column, value in zip(self.columns, values, strict=True):
            value = safe_value(value)
            fmt = _FORMATS.get(column.kind)
            if fmt and value not in (None, ""):
                cell = WriteOnlyCell(self.ws, value=value)
                cell.number_format = fmt
                out.append(cell)
            else:
                out.append(value)
        self.ws.append(out)
        self.rows += 1
        self.on_part += 1
        self.book.tick()

    def finish(self) -> None:
        self._close_part()


class CsvBook:
    """One sheet as CSV, written to the stream row by row (UTF-8 with a byte-order mark, which
    Excel needs to read it as UTF-8). No row limit; dates as YYYY-MM-DD. Kinds with several
    sheets are .xlsx only."""

    extension = "csv"
    content_type = "text/csv"

    def __init__(self, stream: IO[bytes], *, progress: Progress | None = None, **_: Any):
        self.stream = stream
        self.progress = progress
        self.total = 0
        self._sheet: _CsvSheet | None = None

    def sheet(self, title: str, columns: list[Col]) -> _CsvSheet:
        if self._sheet is not None:
            raise ExportError("this export has several sheets: choose .xlsx, not CSV")
        self._sheet = _CsvSheet(self, columns)
        return self._sheet

    def tick(self) -> None:
        self.total += 1
        if self.progress and self.total % PROGRESS_EVERY == 0:
            self.progress(self.total)

    def about(self, title: str, lines: Iterable[str] = ()) -> None:
        """CSV has no room for an About sheet."""

    def save(self) -> None:
        if self._sheet is not None:
            self._sheet.flush()


class _CsvSheet:
    FLUSH_EVERY = 2_000

    def __init__(self, book: CsvBook, columns: list[Col]):
        self.book = book
        self.rows = 0
        self.text = io.StringIO()
        self.text.write("\ufeff")
        self.writer = csv.writer(self.text)
        self.writer.writerow([c.label for c in columns])

    def append(self, values: Iterable[Any]) -> None:
        row = []
        for value in values:
            value = safe_value(value)
            if isinstance(value, dt.datetime):
                value = value.strftime("%Y-%m-%d %H:%M:%S")
            elif isinstance(value, dt.date):
                value = value.isoformat()
            row.append("" if value is None else value)
        self.writer.writerow(row)
        self.rows += 1
        self.book.tick()
        if self.rows % self.FLUSH_EVERY == 0:
            self.flush()

    def finish(self) -> None:
        self.flush()

    def flush(self) -> None:
        self.book.stream.write(self.text.getvalue().encode("utf-8"))
        self.text.seek(0)
        self.text.truncate()


FORMATS = ("xlsx", "csv")


def new_book(
    stream: IO[bytes],
    fmt: str = "xlsx",
    *,
    progress: Progress | None = None,
    max_rows: int | None = None,
) -> XlsxBook | CsvBook:
    if fmt == "csv":
        return CsvBook(stream, progress=progress)
    if fmt == "xlsx":
        return XlsxBook(stream, progress=progress, max_rows=max_rows)
    raise ExportError(f"unknown format '{fmt}' (xlsx or csv)")
