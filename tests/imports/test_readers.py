"""Hostile and broken files: each refused with one clear line, exit 2, nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest

from imports import readers
from imports.readers import WorkbookError, open_workbook
from tests import factories
from tests.imports.builders import write_xlsx
from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, xlsx_bytes
from tracker.models import Post

pytestmark = pytest.mark.django_db


def _refused(run_import, data: bytes, *, name="book.xlsx") -> str:
    outcome = run_import(data, name=name)
    assert outcome.code == 2, outcome.text
    lines = [line for line in outcome.err.splitlines() if line.strip()]
    assert len(lines) == 1, outcome.err
    assert "Traceback" not in outcome.text
    assert Post.objects.count() == 0
    assert Post.history.count() == 0
    return lines[0]


def _valid_bytes(tmp_path, rows=None, **kwargs) -> bytes:
    path = tmp_path / "raw.xlsx"
    write_xlsx(path, {"Establishment": rows or [ESTABLISHMENT_HEADER, person_row()]}, **kwargs)
    return path.read_bytes()


def test_csv_renamed_to_xlsx(run_import):
    data = ",".join(ESTABLISHMENT_HEADER).encode() + b"\nQNQ,001,Manager\n"
    assert "CSV" in _refused(run_import, data)


def test_old_xls_is_refused():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048
    with pytest.raises(WorkbookError, match=r"old-format \.xls"):
        open_workbook(data, file_name="old.xls")


def test_password_protected_workbook(run_import):
    # Encrypted .xlsx files are OLE2 containers holding an EncryptionInfo stream.
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le")
    )
    assert "password-protected" in _refused(run_import, data)


def test_truncated_zip(run_import, tmp_path):
    data = _valid_bytes(tmp_path)
    message = _refused(run_import, data[: len(data) // 2])
    assert "damaged or truncated" in message


def test_truncated_sheet_stream_fails_cleanly(run_import, tmp_path):
    """A zip whose directory is intact but whose sheet data is cut short (and CRC wrong)."""
    rows = [ESTABLISHMENT_HEADER] + [
        person_row(position=f"{n:08d}", assignment=f"A{n}", employee=f"E{n}") for n in range(3000)
    ]
    data = bytearray(_valid_bytes(tmp_path, rows))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 200] = b"\x00" * 200
    message = _refused(run_import, bytes(data))
    assert "damaged or truncated" in message


def test_empty_file(run_import):
    assert "empty" in _refused(run_import, b"")


def test_random_zip_that_is_not_a_workbook(run_import):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an Excel workbook" in _refused(run_import, buffer.getvalue())


def test_billion_laughs_in_shared_strings(run_import, tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
    )
    data = _valid_bytes(tmp_path, extra_parts={"xl/sharedStrings.xml": laughs})
    assert "DTD or XML entities" in _refused(run_import, data)


def test_entity_in_workbook_part(run_import, tmp_path):
    workbook = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    data = _valid_bytes(tmp_path, extra_parts={"xl/workbook.xml": workbook})
    assert "DTD or XML entities" in _refused(run_import, data)


def test_shared_strings_zip_bomb(run_import, tmp_path):
    """A few hundred KB of deflated shared strings that would inflate to about a gigabyte."""
    path = tmp_path / "bomb.xlsx"
    write_xlsx(path, {"Establishment": [ESTABLISHMENT_HEADER]})
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as handle,
    ):
        handle.write(
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        )
        block = b"A" * (16 * 1024 * 1024)
        for _ in range(64):  # 1 GB
            handle.write(block)
        handle.write(b"</t></si></sst>")
    data = path.read_bytes()
    assert len(data) < 3 * 1024 * 1024
    message = _refused(run_import, data)
    assert "MAX_UNCOMPRESSED_BYTES" in message or "MAX_COMPRESSION_RATIO" in message


def test_lying_central_directory_is_caught_while_inflating(monkeypatch, tmp_path):
    """Declared sizes can lie; the actual inflated bytes are counted against the limit."""
    monkeypatch.setattr(readers.limits, "MAX_UNCOMPRESSED_BYTES", 200_000)
    monkeypatch.setattr(readers.limits, "RATIO_FLOOR_BYTES", 10**12)
    rows = [ESTABLISHMENT_HEADER] + [person_row(position=f"{n:08d}") for n in range(1000)]
    data = _valid_bytes(tmp_path, rows)
    with pytest.raises(WorkbookError, match="MAX_UNCOMPRESSED_BYTES"):
        open_workbook(data, file_name="x.xlsx")


def test_too_many_entries(run_import, tmp_path):
    extra = {f"xl/media/image{n}.bin": b"x" for n in range(readers.MAX_ENTRIES + 1)}
    data = _valid_bytes(tmp_path, extra_parts=extra)
    assert "MAX_ENTRIES" in _refused(run_import, data)


def test_declared_dimension_xfd1048576_is_refused_before_parsing(run_import, tmp_path):
    data = _valid_bytes(tmp_path, dimension={"Establishment": "A1:XFD1048576"})
    message = _refused(run_import, data)
    assert "A1:XFD1048576" in message
    assert "MAX_ROWS" in message and "MAX_COLUMNS" in message


def test_a_cell_far_out_at_xfd1048576_is_refused(run_import, tmp_path):
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Position Number</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    data = _valid_bytes(tmp_path, extra_parts={"xl/worksheets/sheet1.xml": sheet})
    assert "MAX_ROWS" in _refused(run_import, data)
    with pytest.raises(WorkbookError, match=r"MAX_ROWS|MAX_COLUMNS"):
        open_workbook(data, file_name="far.xlsx")


@pytest.mark.parametrize("number", [readers.MAX_ROWS + 1, 999_999, 10_000_000])
def test_an_empty_row_numbered_past_the_limit_is_refused(tmp_path, number):
    # The scan matches only row numbers of six or more digits, which holds while MAX_ROWS
    # itself has six: any number past it is matched.
    assert len(str(readers.MAX_ROWS)) == 6
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="%d"/></sheetData></worksheet>' % number
    )
    data = _valid_bytes(tmp_path, extra_parts={"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(WorkbookError, match="MAX_ROWS = 200,000"):
        open_workbook(data, file_name="tall.xlsx")


def test_a_row_numbered_at_the_limit_is_read(tmp_path):
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="%d"/></sheetData></worksheet>' % readers.MAX_ROWS
    )
    data = _valid_bytes(tmp_path, extra_parts={"xl/worksheets/sheet1.xml": sheet})
    assert open_workbook(data, file_name="full.xlsx")


def test_wide_cell_is_refused(tmp_path):
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c><c r="ZZ1"><v>1</v></c></row></sheetData></worksheet>'
    )
    data = _valid_bytes(tmp_path, extra_parts={"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(WorkbookError, match="MAX_COLUMNS = 100"):
        open_workbook(data, file_name="wide.xlsx")


def test_millions_of_rows(run_import, tmp_path):
    path = tmp_path / "tall.xlsx"
    write_xlsx(path, {"Establishment": ([n] for n in range(1_100_000))})
    message = _refused(run_import, path.read_bytes())
    assert "MAX_ROWS = 200,000" in message


def test_zip_entry_marked_encrypted(tmp_path):
    data = bytearray(_valid_bytes(tmp_path))
    central = data.find(b"PK\x01\x02")  # first central directory record
    data[central + 8] |= 0x1  # general purpose flag: encrypted
    with pytest.raises(WorkbookError, match="encrypted"):
        open_workbook(bytes(data), file_name="x.xlsx")


def test_valid_file_passes_the_checks():
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, person_row()]})
    book = open_workbook(data, file_name="ok.xlsx")
    assert [s.name for s in book.sheets] == ["Establishment"]
    rows = list(book.rows(book.sheets[0]))
    assert rows[1][1][1] == "00012345"  # leading zeros kept


def test_formula_without_cached_value_is_a_cell_problem(run_import):
    factories.OrganisationFactory(code="QNQ")
    row = person_row()
    row[ESTABLISHMENT_HEADER.index("WTE")] = "=0.5*2"
    outcome = run_import(xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, row]}))
    assert outcome.code == 1
    assert "Establishment!F2: is a formula saved without its calculated value" in outcome.out
