"""The tracker's decimals as planning reads them (imports/engine/state.py, `_decimal_converter`):
SQLite's stored floats become the field's Decimal as Django would make them; PostgreSQL's
Decimals are kept as they come, one object per distinct value (memory at 100,000 rows), and
never changed."""

from __future__ import annotations

from decimal import Decimal

from imports.engine import state
from imports.engine.state import _decimal_converter
from tracker.models import Assignment, Post


def test_equal_postgresql_decimals_come_back_as_one_unchanged_object():
    convert = _decimal_converter(Assignment._meta.get_field("annual_salary"))
    a, b = Decimal("52000.00"), Decimal("52000.00")
    assert a is not b
    first, second = convert(a), convert(b)
    assert first is second
    assert str(first) == "52000.00"
    assert str(convert(Decimal("52000.01"))) == "52000.01"
    assert convert(None) is None


def test_sqlite_floats_become_the_fields_decimal():
    # WTE is DecimalField(max_digits=5, decimal_places=4); SQLite stores 0.5 as REAL.
    convert = _decimal_converter(Post._meta.get_field("wte"))
    assert str(convert(0.5)) == "0.5000"
    assert str(convert(1)) == "1.0000"
    # 0.1 + 0.2 is 0.30000000000000004 as a float: 15 significant digits, then 4 places.
    assert str(convert(0.1 + 0.2)) == "0.3000"


def test_no_more_than_the_memo_limit_is_remembered(monkeypatch):
    monkeypatch.setattr(state, "MEMO_LIMIT", 1)
    convert = _decimal_converter(Assignment._meta.get_field("annual_salary"))
    kept = convert(Decimal("100.00"))
    assert convert(Decimal("100.00")) is kept
    late = Decimal("200.00")
    assert convert(late) is late  # past the limit: passed through, not remembered
    assert convert(Decimal("200.00")) is not late
