# ruff: noqa: E501  (OOXML namespace and content-type literals are long by nature)
"""Writing .xlsx files by hand, part by part, for tests that need what openpyxl will not write:
very large sheets generated in seconds, hostile archives (zip bombs, XFD1048576 dimensions,
entity expansion) and broken ones. Rows are streamed into the zip, so a million-row sheet costs
little memory."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}{shared}</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
EPOCH = dt.date(1899, 12, 30)


def col(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_xml(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number: int, values: Iterable[object]) -> str:
    cells = "".join(cell_xml(f"{col(i)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def write_xlsx(
    path,
    sheets: dict[str, Iterable[Iterable[object]]],
    *,
    dimension: dict[str, str] | None = None,
    extra_parts: dict[str, bytes] | None = None,
    sheet_prefix: str = "",
    compression: int = zipfile.ZIP_DEFLATED,
) -> None:
    """Write a minimal valid .xlsx; rows are streamed. `dimension` forces a sheet's declared
    range; `extra_parts` adds or replaces parts (e.g. a hostile xl/sharedStrings.xml)."""
    dimension = dimension or {}
    extra_parts = dict(extra_parts or {})
    names = list(sheets)
    with zipfile.ZipFile(path, "w", compression) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(names))
        )
        shared = (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if "xl/sharedStrings.xml" in extra_parts
            else ""
        )
        archive.writestr(
            "[Content_Types].xml", CONTENT_TYPES.format(sheets=overrides, shared=shared)
        )
        archive.writestr("_rels/.rels", ROOT_RELS)
        sheet_entries = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, name in enumerate(names)
        )
        archive.writestr(
            "xl/workbook.xml",
            extra_parts.pop(
                "xl/workbook.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS} {NS_R}><sheets>{sheet_entries}</sheets></workbook>'.encode(),
            ),
        )
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(names))
        )
        styles_id = len(names) + 1
        rels += f'<Relationship Id="rId{styles_id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        if shared:
            rels += f'<Relationship Id="rId{styles_id + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        archive.writestr("xl/styles.xml", STYLES)
        for i, name in enumerate(names):
            part = f"xl/worksheets/sheet{i + 1}.xml"
            if part in extra_parts:
                archive.writestr(part, extra_parts.pop(part))
                continue
            with archive.open(part, "w", force_zip64=True) as handle:
                handle.write(
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{sheet_prefix}<worksheet {NS}>'.encode()
                )
                if name in dimension:
                    handle.write(f'<dimension ref="{dimension[name]}"/>'.encode())
                handle.write(b"<sheetData>")
                buffer = []
                for number, values in enumerate(sheets[name], start=1):
                    buffer.append(row_xml(number, values))
                    if len(buffer) >= 2000:
                        handle.write("".join(buffer).encode())
                        buffer = []
                handle.write("".join(buffer).encode())
                handle.write(b"</sheetData></worksheet>")
        for part, data in extra_parts.items():
            archive.writestr(part, data)
