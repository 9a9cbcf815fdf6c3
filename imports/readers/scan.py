"""The bounded scan of one XML part: inflated in chunks against the size limits, refused if it
declares a DTD or entities, and, for a worksheet, its rows, cells, declared dimension and largest
row and column counted against the sheet limits, and its formulas saved without a value noted."""

from __future__ import annotations

import re
import zipfile
import zlib

from imports.readers import limits
from imports.readers.workbook import (
    SheetInfo,
    WorkbookError,
    column_letter,
    column_number,
    one_line,
)

_CHUNK = 4 * 1024 * 1024
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
# Row numbers (`<row r="12"`) and cell references (`<c r="AB12"`): a literal prefix keeps the
# scan at C speed. Only references with two or more column letters, or a row number of six or
# more digits, can break a limit (MAX_ROWS has six digits; tests/imports/test_readers.py pins
# both), so only those are matched, in one pass: group 1 and 2 a wide cell's column and row,
# group 3 a tall row's number.
_PAST_LIMITS = re.compile(rb' r="(?:([A-Z]{2,})(\d+)|[A-Z]?(\d{6,}))"')
# A formula cell whose cached value is missing or empty: `<c r="E2"><f>1+1</f><v /></c>`.
_UNCACHED_FORMULA = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+\d+)"[^>]*>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)


def check_ratio(info: zipfile.ZipInfo, inflated: int, file_name: str) -> None:
    if inflated > limits.RATIO_FLOOR_BYTES and inflated > limits.MAX_COMPRESSION_RATIO * max(
        info.compress_size, 1
    ):
        raise WorkbookError(
            f"{file_name}: part {info.filename} inflates more than {limits.MAX_COMPRESSION_RATIO} "
            "times (a 'zip bomb'); the limit is "
            f"MAX_COMPRESSION_RATIO = {limits.MAX_COMPRESSION_RATIO}."
        )


def scan_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    sheet: SheetInfo | None,
    inflated_total: int,
    file_name: str,
) -> int:
    """Inflate one XML part in chunks, enforcing the limits; returns the running total."""
    inflated = 0
    size = _SheetSize(sheet, file_name) if sheet is not None else None
    carry = b""
    try:
        with archive.open(info) as handle:
            while True:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    break
                inflated += len(chunk)
                inflated_total += len(chunk)
                if inflated_total > limits.MAX_UNCOMPRESSED_BYTES:
                    raise WorkbookError(
                        f"{file_name}: part {info.filename} inflates past the limit "
                        f"MAX_UNCOMPRESSED_BYTES = {limits.MAX_UNCOMPRESSED_BYTES // 1048576} MB "
                        "(a 'zip bomb'?); the file is refused."
                    )
                check_ratio(info, inflated, file_name)
                text = carry + chunk
                # Keep whole rows (or at least whole tags) together across chunks.
                cut = text.rfind(b"</row>")
                cut = cut + len(b"</row>") if cut >= 0 else text.rfind(b">") + 1
                body, carry = text[:cut], text[cut:]
                if len(carry) > 64 * 1024 * 1024:
                    body, carry = text, b""
                _refuse_dtd(body, info, file_name)
                if size is not None:
                    size.scan(body)
            # What follows the last `</row>` (a self-closing `<row r="9999999"/>`, say) is
            # scanned too.
            _refuse_dtd(carry, info, file_name)
            if size is not None:
                size.scan(carry)
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
        raise WorkbookError(
            f"{file_name}: the file is damaged or truncated (part {info.filename}: "
            f"{one_line(exc)}); open it in Excel and save it again."
        ) from exc
    return inflated_total


def _refuse_dtd(body: bytes, info: zipfile.ZipInfo, file_name: str) -> None:
    # "!" alone is a memchr (a tenth of the time "<!" takes, "<" being everywhere in XML); then
    # "<!" (comments and CDATA have it too, rarely), then the two declarations.
    if b"!" in body and b"<!" in body and (b"<!DOCTYPE" in body or b"<!ENTITY" in body):
        raise WorkbookError(
            f"{file_name}: part {info.filename} declares a DTD or XML entities, "
            "which workbooks never need; the file is refused."
        )


class _SheetSize:
    """A worksheet's rows, cells, tallest row and widest column so far, checked against the
    limits after each piece of its XML is scanned."""

    def __init__(self, sheet: SheetInfo, file_name: str):
        self.sheet = sheet
        self.file_name = file_name
        self.rows = self.cells = self.max_row = self.max_column = 0
        self.first = True

    def scan(self, body: bytes) -> None:
        sheet = self.sheet
        if self.first:
            self.first = False
            _read_dimension(body, sheet, self.file_name)
        self.rows += body.count(b"<row")
        # Every cell element, and the few other elements whose names start with "c" (`<cols>`,
        # `<cfRule>`...): a count that errs only on the safe side, in one pass.
        self.cells += body.count(b"<c")
        for wide_column, wide_row, tall_row in _PAST_LIMITS.findall(body):
            if wide_column:
                self.max_column = max(self.max_column, column_number(wide_column.decode()))
            self.max_row = max(self.max_row, int(wide_row or tall_row))
        if b"<f" in body:
            sheet.uncached_formulas.update(
                m.group(1).decode() for m in _UNCACHED_FORMULA.finditer(body)
            )
        _check_sheet_size(
            sheet, self.file_name, self.rows, self.max_row, self.max_column, self.cells
        )


def _read_dimension(body: bytes, sheet: SheetInfo, file_name: str) -> None:
    match = _DIMENSION.search(body[:4096])
    if not match:
        return
    first_col, first_row, last_col, last_row = (g.decode() if g else None for g in match.groups())
    last_col = last_col or first_col
    last_row = last_row or first_row
    if last_col:
        sheet.declared_columns = column_number(last_col)
    if last_row:
        sheet.declared_rows = int(last_row)
    if sheet.declared_rows > limits.MAX_ROWS or sheet.declared_columns > limits.MAX_COLUMNS:
        ref = f"{first_col or ''}{first_row or ''}:{last_col or ''}{last_row or ''}"
        raise WorkbookError(
            f"{file_name}: sheet '{sheet.name}' declares a used range of {ref} "
            f"({sheet.declared_rows:,} rows, {sheet.declared_columns:,} columns); the limits are "
            f"MAX_ROWS = {limits.MAX_ROWS:,} and MAX_COLUMNS = {limits.MAX_COLUMNS}. Delete the "
            "unused rows and columns (or copy the data to a new sheet) and save again."
        )


def _check_sheet_size(
    sheet: SheetInfo, file_name: str, rows: int, max_row: int, max_column: int, cells: int
) -> None:
    if rows > limits.MAX_ROWS or max_row > limits.MAX_ROWS:
        raise WorkbookError(
            f"{file_name}: sheet '{sheet.name}' has more than {limits.MAX_ROWS:,} rows; the "
            f"limit is MAX_ROWS = {limits.MAX_ROWS:,}. Split the file."
        )
    if max_column > limits.MAX_COLUMNS:
        raise WorkbookError(
            f"{file_name}: sheet '{sheet.name}' uses column {column_letter(max_column - 1)} "
            f"(column {max_column:,}); the limit is MAX_COLUMNS = {limits.MAX_COLUMNS}."
        )
    if cells > limits.MAX_CELLS:
        raise WorkbookError(
            f"{file_name}: sheet '{sheet.name}' has more than {limits.MAX_CELLS:,} cells; the "
            f"limit is MAX_CELLS = {limits.MAX_CELLS:,}. Split the file."
        )
