"""Reading an uploaded `.xlsx` safely: refuse hostile or broken files with one clear line.

An `.xlsx` is a zip of XML parts. Before any spreadsheet library sees it, `open_workbook` checks
the container itself (magic bytes, entry count, declared and actual uncompressed sizes,
compression ratio), parses the workbook's structure with defusedxml, and streams every XML part
once through a bounded scan that refuses DTDs and entities, counts rows and cells, and reads each
sheet's declared dimension and largest row and column. Only a file that passes is handed to
python-calamine, which reads 100,000 rows in about two seconds (openpyxl's read-only mode takes
twenty times as long) but, given a sheet that declares or uses a range such as A1:XFD1048576,
tries to allocate it and aborts the process instead of raising. So the limits below are enforced
here, each named in the message that refuses a file.

Every failure, wherever it happens (opening, scanning, or half-way through reading a sheet), is a
`WorkbookError` with a single-line message; callers never see a library's traceback.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

# Limits. Each is named in the error that refuses a file, so a person can ask for it to change.
MAX_FILE_BYTES = 100 * 1024 * 1024  # the .xlsx file itself
MAX_ENTRIES = 1_000  # parts in the zip archive
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024  # all parts together, once inflated
MAX_COMPRESSION_RATIO = 200  # inflated / compressed, for parts larger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000  # per sheet
MAX_COLUMNS = 100  # per sheet
MAX_CELLS = 6_000_000  # per sheet

_CHUNK = 4 * 1024 * 1024
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

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
                f"{self.file_name}: sheet '{sheet.name}' could not be read ({_one_line(exc)}); "
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


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def open_workbook(data: bytes, *, file_name: str) -> Workbook:
    """Check a file's bytes and return a `Workbook`, or raise `WorkbookError`."""
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError(
            f"{file_name}: the file is {len(data) / 1048576:.0f} MB; the limit is "
            f"MAX_FILE_BYTES = {MAX_FILE_BYTES // 1048576} MB."
        )
    if not data:
        raise WorkbookError(f"{file_name}: the file is empty.")
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise WorkbookError(
                f"{file_name}: the workbook is password-protected; remove the password in Excel "
                "(File > Info > Protect Workbook) and upload it again."
            )
        raise WorkbookError(
            f"{file_name}: this is an old-format .xls workbook; open it in Excel and save it as "
            "an Excel Workbook (.xlsx)."
        )
    if not data.startswith(_ZIP_MAGIC):
        raise WorkbookError(f"{file_name}: {_describe_non_zip(data)}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise WorkbookError(
            f"{file_name}: the file is a damaged or truncated .xlsx archive ({_one_line(exc)}); "
            "open it in Excel and save it again."
        ) from exc
    with archive:
        sheets = _check_archive(archive, file_name)
    return Workbook(file_name=file_name, data=data, sheets=sheets)


def _describe_non_zip(data: bytes) -> str:
    head = data[:4096]
    if head.lstrip().lower().startswith((b"<?xml", b"<html", b"<!doctype", b"<table")):
        return (
            "this is an XML or HTML file, not an Excel workbook (.xlsx); open it in Excel and "
            "save it as an Excel Workbook."
        )
    try:
        head.decode("utf-8")
        is_text = b"\x00" not in head
    except UnicodeDecodeError:
        is_text = False
    if is_text:
        return (
            "this is a text or CSV file, not an Excel workbook (.xlsx); open it in Excel and "
            "save it as an Excel Workbook."
        )
    return "this is not an Excel workbook (.xlsx); save the file from Excel as an Excel Workbook."


def _check_archive(archive: zipfile.ZipFile, file_name: str) -> list[SheetInfo]:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise WorkbookError(
            f"{file_name}: the archive holds {len(entries):,} parts; the limit is "
            f"MAX_ENTRIES = {MAX_ENTRIES:,}."
        )
    declared_total = sum(info.file_size for info in entries)
    if declared_total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            f"{file_name}: the workbook would inflate to {declared_total / 1048576:,.0f} MB; the "
            f"limit is MAX_UNCOMPRESSED_BYTES = {MAX_UNCOMPRESSED_BYTES // 1048576} MB."
        )
    for info in entries:
        if info.flag_bits & 0x1:
            raise WorkbookError(
                f"{file_name}: the workbook is encrypted; remove the password and upload it again."
            )
        _check_ratio(info, info.file_size, file_name)
    names = {info.filename for info in entries}
    workbook_part = _workbook_part(archive, names, file_name)
    sheets = _sheet_parts(archive, workbook_part, names, file_name)

    by_part = {sheet.part: sheet for sheet in sheets}
    inflated_total = 0
    for info in entries:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue  # images and binary parts are never parsed
        inflated_total = _scan_part(
            archive, info, by_part.get(info.filename), inflated_total, file_name
        )
    return sheets


def _check_ratio(info: zipfile.ZipInfo, inflated: int, file_name: str) -> None:
    if inflated > RATIO_FLOOR_BYTES and inflated > MAX_COMPRESSION_RATIO * max(
        info.compress_size, 1
    ):
        raise WorkbookError(
            f"{file_name}: part {info.filename} inflates more than {MAX_COMPRESSION_RATIO} times "
            f"(a 'zip bomb'); the limit is MAX_COMPRESSION_RATIO = {MAX_COMPRESSION_RATIO}."
        )


def _read_small_xml(archive: zipfile.ZipFile, name: str, file_name: str):
    try:
        info = archive.getinfo(name)
        if info.file_size > 20 * 1024 * 1024:
            raise WorkbookError(f"{file_name}: part {name} is implausibly large.")
        with archive.open(info) as handle:
            raw = handle.read(20 * 1024 * 1024 + 1)
        if len(raw) > 20 * 1024 * 1024:
            raise WorkbookError(f"{file_name}: part {name} is implausibly large.")
        return SafeET.fromstring(raw, forbid_dtd=True)
    except WorkbookError:
        raise
    except DefusedXmlException as exc:
        raise WorkbookError(
            f"{file_name}: part {name} declares a DTD or XML entities, which workbooks never "
            "need; the file is refused."
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise WorkbookError(
            f"{file_name}: the file is a damaged or truncated .xlsx archive ({_one_line(exc)})."
        ) from exc
    except SafeET.ParseError as exc:
        raise WorkbookError(f"{file_name}: part {name} is not well-formed XML ({exc}).") from exc


def _workbook_part(archive: zipfile.ZipFile, names: set[str], file_name: str) -> str:
    if "_rels/.rels" in names:
        root = _read_small_xml(archive, "_rels/.rels", file_name)
        for rel in root.iter(f"{_NS_PKG_REL}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").lstrip("/")
                if target in names:
                    return target
    if "xl/workbook.xml" in names:
        return "xl/workbook.xml"
    if "content.xml" in names or "mimetype" in names:
        raise WorkbookError(
            f"{file_name}: this is an OpenDocument spreadsheet (.ods), not an Excel workbook; "
            "save it as an Excel Workbook (.xlsx)."
        )
    if "xl/workbook.bin" in names:
        raise WorkbookError(
            f"{file_name}: this is a binary .xlsb workbook; save it as an Excel Workbook (.xlsx)."
        )
    raise WorkbookError(
        f"{file_name}: this zip file is not an Excel workbook (no xl/workbook.xml)."
    )


def _sheet_parts(
    archive: zipfile.ZipFile, workbook_part: str, names: set[str], file_name: str
) -> list[SheetInfo]:
    root = _read_small_xml(archive, workbook_part, file_name)
    rels_name = join(dirname(workbook_part), "_rels", workbook_part.rsplit("/", 1)[-1] + ".rels")
    targets: dict[str, str] = {}
    if rels_name in names:
        rels = _read_small_xml(archive, rels_name, file_name)
        for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = normpath(join(dirname(workbook_part), target))
            targets[rel.get("Id", "")] = path
    sheets = []
    for element in root.iter(f"{_NS_MAIN}sheet"):
        name = element.get("name", "")
        part = targets.get(element.get(f"{_NS_REL}id", ""), "")
        if part not in names:
            continue  # chart sheets or dangling references: nothing to read
        if "chartsheets/" in part:
            continue
        state = element.get("state", "visible")
        sheets.append(SheetInfo(name=name, visible=state == "visible", part=part))
    if not sheets:
        raise WorkbookError(f"{file_name}: the workbook has no worksheets.")
    return sheets


def _scan_part(
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
                if inflated_total > MAX_UNCOMPRESSED_BYTES:
                    raise WorkbookError(
                        f"{file_name}: part {info.filename} inflates past the limit "
                        f"MAX_UNCOMPRESSED_BYTES = {MAX_UNCOMPRESSED_BYTES // 1048576} MB "
                        "(a 'zip bomb'?); the file is refused."
                    )
                _check_ratio(info, inflated, file_name)
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
            f"{_one_line(exc)}); open it in Excel and save it again."
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
    if sheet.declared_rows > MAX_ROWS or sheet.declared_columns > MAX_COLUMNS:
        ref = f"{first_col or ''}{first_row or ''}:{last_col or ''}{last_row or ''}"
        raise WorkbookError(
            f"{file_name}: sheet '{sheet.name}' declares a used range of {ref} "
            f"({sheet.declared_rows:,} rows, {sheet.declared_columns:,} columns); the limits are "
            f"MAX_ROWS = {MAX_ROWS:,} and MAX_COLUMNS = {MAX_COLUMNS}. Delete the unused rows "
            "and columns (or copy the data to a new sheet) and save again."
        )


def _check_sheet_size(
    sheet: SheetInfo, file_name: str, rows: int, max_row: int, max_column: int, cells: int
) -> None:
    if rows > MAX_ROWS or max_row > MAX_ROWS:
        raise WorkbookError(
            f"{file_name}: sheet '{sheet.name}' has more than {MAX_ROWS:,} rows; the limit is "
            f"MAX_ROWS = {MAX_ROWS:,}. Split the file."
        )
    if max_column > MAX_COLUMNS:
        raise WorkbookError(
            f"{file_name}: sheet '{sheet.name}' uses column {column_letter(max_column - 1)} "
            f"(column {max_column:,}); the limit is MAX_COLUMNS = {MAX_COLUMNS}."
        )
    if cells > MAX_CELLS:
        raise WorkbookError(
            f"{file_name}: sheet '{sheet.name}' has more than {MAX_CELLS:,} cells; the limit is "
            f"MAX_CELLS = {MAX_CELLS:,}. Split the file."
        )


def excel_serial_to_date(serial: float) -> dt.date:
    """An Excel date serial (1900 date system) to a date."""
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
