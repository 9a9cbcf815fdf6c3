"""Reading an uploaded `.xlsx` safely: refuse hostile or broken files with one clear line.

An `.xlsx` is a zip of XML parts. Before any spreadsheet library sees it, `open_workbook` checks
the container itself (magic bytes, entry count, declared and actual uncompressed sizes,
compression ratio), parses the workbook's structure with defusedxml, and streams every XML part
once through a bounded scan that refuses DTDs and entities, counts rows and cells, and reads each
sheet's declared dimension and largest row and column. Only a file that passes is handed to
python-calamine, which reads 100,000 rows in about two seconds (openpyxl's read-only mode takes
twenty times as long) but, given a sheet that declares or uses a range such as A1:XFD1048576,
tries to allocate it and aborts the process instead of raising. So the limits (`limits`) are
enforced here, each named in the message that refuses a file.

Every failure, wherever it happens (opening, scanning, or half-way through reading a sheet), is a
`WorkbookError` with a single-line message; callers never see a library's traceback.

Here: `open_workbook`, the entry point; `archive`, the container and the workbook's structure;
`scan`, the bounded scan of each XML part; `workbook`, a checked workbook and its rows.
"""

from __future__ import annotations

import io
import zipfile

from imports.readers import limits
from imports.readers.archive import check_archive
from imports.readers.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    RATIO_FLOOR_BYTES,
)
from imports.readers.workbook import (
    SheetInfo,
    UncachedFormula,
    Workbook,
    WorkbookError,
    column_letter,
    column_number,
    excel_serial_to_date,
    one_line,
)

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


def open_workbook(data: bytes, *, file_name: str) -> Workbook:
    """Check a file's bytes and return a `Workbook`, or raise `WorkbookError`."""
    if len(data) > limits.MAX_FILE_BYTES:
        raise WorkbookError(
            f"{file_name}: the file is {len(data) / 1048576:.0f} MB; the limit is "
            f"MAX_FILE_BYTES = {limits.MAX_FILE_BYTES // 1048576} MB."
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
            f"{file_name}: the file is a damaged or truncated .xlsx archive ({one_line(exc)}); "
            "open it in Excel and save it again."
        ) from exc
    with archive:
        sheets = check_archive(archive, file_name)
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


__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_ENTRIES",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "RATIO_FLOOR_BYTES",
    "SheetInfo",
    "UncachedFormula",
    "Workbook",
    "WorkbookError",
    "column_letter",
    "column_number",
    "excel_serial_to_date",
    "limits",
    "open_workbook",
]
