"""A checked workbook and how its rows are read (python-calamine), with the small helpers the
import engine shares: column letters, Excel date serials, formula cells saved without a value."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


class WorkbookError(Exception):
    """The file cannot be read as a workbook. The message is one line meant for the person."""


@dataclass
class SheetInfo:
    name: str
    visible: bool
    part: str  # e.g. "xl/worksheets/sheet1.xml"
    declared_rows: int = 0
    declared_columns: int = 0
    uncached_formulas: set[str] = field(default_factory=set)


@dataclass
class Workbook:
    """A checked workbook: its sheets (in order) and a way to read their rows."""

    file_name: str
    data: bytes
    sheets: list[SheetInfo]
    # Sheets loaded while `kept_loaded` is open: sheet name -> python-calamine's loaded sheet.
    _kept: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @contextmanager
    def kept_loaded(self) -> Iterator[Workbook]:
        """Within the block each sheet is inflated and parsed from the file once, however often
        its rows are read, and released when the block ends. An import that first reads a file's
        content to see whether an earlier import vouches for it, and then converts it, reads each
        sheet twice (python-calamine takes 1.8 s to load a 100,000-row sheet)."""
        self._kept = {}
        try:
            yield self
        finally:
            self._kept = None

    def _load(self, name: str):
        if self._kept is not None and name in self._kept:
            return self._kept[name]
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.data))
        try:
            loaded = book.get_sheet_by_name(name)  # the whole sheet, read out of the file
        finally:
            book.close()
        if self._kept is not None:
            self._kept[name] = loaded
        return loaded

    def rows(self, sheet: SheetInfo) -> Iterator[tuple[int, list[object]]]:
        """Yield (1-based row number, values by 0-based column) for every row of a sheet.

        Values are python-calamine's: str, float, int, bool, date, datetime, time or timedelta,
        with "" for an empty cell. Formula cells without a cached value are returned as
        `UncachedFormula` so validation can say so rather than read them as blank.
        """
        try:
            loaded = self._load(sheet.name)
            first_row, first_col = loaded.start if loaded.height else (0, 0)
            for offset, values in enumerate(loaded.iter_rows()):
                row_number = first_row + offset + 1
                row = [""] * first_col + values if first_col else values
                if sheet.uncached_formulas:
                    for index in range(len(row)):
                        ref = f"{column_letter(index)}{row_number}"
                        if ref in sheet.uncached_formulas:
                            row[index] = UncachedFormula(ref)
                yield row_number, row
        except WorkbookError:
            raise
        except Exception as exc:  # python-calamine raises several unrelated types
            raise WorkbookError(
                f"{self.file_name}: sheet '{sheet.name}' could not be read ({one_line(exc)}); "
                "the file may be corrupt or truncated. Open it in Excel and save it again."
            ) from exc


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell saved without its calculated value (typical of files written by scripts)."""

    ref: str

    def __str__(self) -> str:
        return ""


def column_letter(index: int) -> str:
    """0-based column index to its letters: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """Letters to 1-based column number: A -> 1, XFD -> 16384."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def excel_serial_to_date(serial: float) -> dt.date:
    """An Excel date serial (1900 date system) to a date."""
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
