"""Checking a workbook's container before any spreadsheet library sees it: the zip's entries and
sizes, encryption, the workbook's structure (parsed with defusedxml) and its sheets; then every
XML part is streamed once through the bounded scan of `imports.readers.scan`."""

from __future__ import annotations

import zipfile
import zlib
from posixpath import dirname, join, normpath

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from imports.readers import limits
from imports.readers.scan import check_ratio, scan_part
from imports.readers.workbook import SheetInfo, WorkbookError, one_line

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def check_archive(archive: zipfile.ZipFile, file_name: str) -> list[SheetInfo]:
    entries = archive.infolist()
    if len(entries) > limits.MAX_ENTRIES:
        raise WorkbookError(
            f"{file_name}: the archive holds {len(entries):,} parts; the limit is "
            f"MAX_ENTRIES = {limits.MAX_ENTRIES:,}."
        )
    declared_total = sum(info.file_size for info in entries)
    if declared_total > limits.MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            f"{file_name}: the workbook would inflate to {declared_total / 1048576:,.0f} MB; the "
            f"limit is MAX_UNCOMPRESSED_BYTES = {limits.MAX_UNCOMPRESSED_BYTES // 1048576} MB."
        )
    for info in entries:
        if info.flag_bits & 0x1:
            raise WorkbookError(
                f"{file_name}: the workbook is encrypted; remove the password and upload it again."
            )
        check_ratio(info, info.file_size, file_name)
    names = {info.filename for info in entries}
    workbook_part = _workbook_part(archive, names, file_name)
    sheets = _sheet_parts(archive, workbook_part, names, file_name)

    by_part = {sheet.part: sheet for sheet in sheets}
    inflated_total = 0
    for info in entries:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue  # images and binary parts are never parsed
        inflated_total = scan_part(
            archive, info, by_part.get(info.filename), inflated_total, file_name
        )
    return sheets


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
            f"{file_name}: the file is a damaged or truncated .xlsx archive ({one_line(exc)})."
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
