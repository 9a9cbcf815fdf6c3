"""A sheet is converted a chunk of rows at a time, column by column (imports/engine/parse.py,
`_convert_column`): each distinct value is converted once, a bool never takes a number's result,
every cell that cannot be read is reported at its own cell, in row order, across chunk
boundaries, and the memo stays within its limit."""

from __future__ import annotations

import datetime as dt

import pytest

from imports.engine import parse
from imports.engine.parse import _convert_column, parse_workbook
from imports.engine.rows import CellError
from imports.readers import open_workbook
from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, xlsx_bytes


class Recording:
    """A converter that tags each value with its type, refuses "bad", and counts its calls."""

    def __init__(self):
        self.calls: list[object] = []

    def __call__(self, value):
        self.calls.append(value)
        if value == "bad":
            raise CellError(f"'{value}' is bad")
        return (type(value).__name__, value)


def test_each_distinct_value_is_converted_once_across_chunks():
    convert, memo, failures = Recording(), {}, {}
    first = _convert_column(["a", "b", "a", 2.5], "k", convert, memo, failures)
    second = _convert_column(["b", 2.5, "c"], "k", convert, memo, failures)
    assert first == [("str", "a"), ("str", "b"), ("str", "a"), ("float", 2.5)]
    assert second == [("str", "b"), ("float", 2.5), ("str", "c")]
    third = _convert_column([dt.date(2026, 1, 1), "a", dt.date(2026, 1, 1)], "k", convert, memo, {})
    assert third == [("date", dt.date(2026, 1, 1)), ("str", "a"), ("date", dt.date(2026, 1, 1))]
    assert convert.calls == ["a", "b", 2.5, "c", dt.date(2026, 1, 1)]
    assert failures == {}


def test_a_bool_or_int_never_takes_a_floats_result():
    convert, memo = Recording(), {}
    out = _convert_column([1.0, True, 1, 1.0, True], "k", convert, memo, {})
    assert out == [
        ("float", 1.0),
        ("bool", True),
        ("int", 1),
        ("float", 1.0),
        ("bool", True),
    ]
    # A later chunk of floats only finds the float's result.
    assert _convert_column([1.0], "k", convert, memo, {}) == [("float", 1.0)]
    assert _convert_column([True], "k", convert, memo, {}) == [("bool", True)]


def test_every_cell_that_cannot_be_read_is_reported_and_never_remembered():
    convert, memo, failures = Recording(), {}, {}
    out = _convert_column(["ok", "bad", "ok", "bad"], "wte", convert, memo, failures)
    assert out == [("str", "ok"), None, ("str", "ok"), None]
    assert failures == {1: [("wte", "'bad' is bad")], 3: [("wte", "'bad' is bad")]}
    assert "bad" not in memo
    # Two columns of one chunk: each row's failures are listed in column order.
    _convert_column(["bad", "x", "x", "x"], "email", convert, memo, failures)
    assert failures[1] == [("wte", "'bad' is bad")]
    assert failures[0] == [("email", "'bad' is bad")]


def test_the_memo_stays_within_its_limit(monkeypatch):
    monkeypatch.setattr(parse, "MEMO_LIMIT", 2)
    memo: dict = {}
    out = _convert_column(["a", "b", "c", "d"], "k", Recording(), memo, {})
    assert out == [("str", "a"), ("str", "b"), ("str", "c"), ("str", "d")]
    assert len(memo) == 2
    _convert_column(["e", "f"], "k", Recording(), memo, {})
    assert len(memo) == 2


@pytest.mark.parametrize("chunk", [1, 2, 3, 10_000])
def test_problems_come_in_row_order_at_their_cells_whatever_the_chunk(monkeypatch, chunk):
    monkeypatch.setattr(parse, "CHUNK_ROWS", chunk)
    rows = [
        person_row(position=f"P{n}", assignment=f"A{n}", employee=f"E{n}", email=f"p{n}@nhs.net")
        for n in range(5)
    ]
    rows[1][ESTABLISHMENT_HEADER.index("WTE")] = "abc"  # sheet row 3, column F
    rows[4][ESTABLISHMENT_HEADER.index("WTE")] = 2  # sheet row 6, column F
    rows[4][ESTABLISHMENT_HEADER.index("Work Email")] = "not an address"  # row 6, column M
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows]})
    parsed = parse_workbook(open_workbook(data, file_name="five.xlsx"))
    assert [(p.cell, p.row) for p in parsed.problems] == [("F3", 3), ("F6", 6), ("M6", 6)]
    assert "'not an address' is not an email address" in parsed.problems[2].message
    sheet = parsed.sheets["establishment"]
    assert [row.number for row in sheet.rows] == [2, 3, 4, 5, 6]
    assert [sorted(row.failed) for row in sheet.rows] == [
        [],
        ["wte"],
        [],
        [],
        ["work_email", "wte"],
    ]
    assert [row.values["position_number"] for row in sheet.rows] == [f"P{n}" for n in range(5)]


@pytest.mark.parametrize(
    ("chunk", "expected"),
    [
        # Reports each time the rows read pass a multiple of PROGRESS_ROWS (2), then at the end.
        (1, [(2, 5), (4, 5), (5, 5)]),
        (3, [(3, 5), (5, 5), (5, 5)]),
        (10, [(5, 5), (5, 5)]),
    ],
)
def test_reading_reports_progress_every_so_many_rows_whatever_the_chunk(
    monkeypatch, chunk, expected
):
    monkeypatch.setattr(parse, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(parse, "PROGRESS_ROWS", 2)
    rows = [person_row(position=f"P{n}", assignment=f"A{n}", employee=f"E{n}") for n in range(5)]
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows]})
    seen: list[tuple[int, int]] = []
    parse_workbook(open_workbook(data, file_name="five.xlsx"), progress=lambda *a: seen.append(a))
    assert seen == expected
