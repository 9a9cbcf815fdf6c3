"""`BulkWriter.insert` writes a table's rows in a few statements: COPY on PostgreSQL; on SQLite,
INSERTs of many rows each, as many as the library's parameter limit allows, on the driver's
cursor (imports/engine/history.py). What must hold however the rows are split: every row and
its history row arrive exactly as given, a last statement shorter than the others is written,
a refused row raises Django's IntegrityError and leaves nothing behind, and a low parameter
limit only makes the statements smaller."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from imports.engine import history
from imports.engine.history import BulkWriter
from tests import factories
from tracker.models import Post

REASON = "Test: bulk insert"
FIELDS = (
    "id",
    "organisation_id",
    "position_number",
    "title",
    "directorate",
    "band",
    "wte",
    "cost_centre",
    "is_board_level",
    "status",
    "closed_on",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the statement size is SQLite's (PostgreSQL uses COPY)"
)


def _posts(writer: BulkWriter, organisation, count: int) -> list[dict]:
    """`count` post rows with reserved ids and values of every kind a post has (text, decimal,
    bool, date and None), differing from row to row."""
    ids = writer.reserve_ids(Post, count)
    return [
        {
            "id": new_id,
            "organisation_id": organisation.pk,
            "position_number": f"P{n:03d}",
            "title": f"Analyst {n}",
            "directorate": "Finance" if n % 2 else "",
            "band": ("5", "8a", "VSM")[n % 3],
            "wte": Decimal("0.5000") if n % 2 else Decimal("1.0000"),
            "cost_centre": f"CC{n}",
            "is_board_level": n == 3,
            "status": "closed" if n == 4 else "open",
            "closed_on": dt.date(2026, 3, 31) if n == 4 else None,
        }
        for n, new_id in enumerate(ids)
    ]


def _statements(table: str):
    """Record the INSERT statements SQLite runs into `table` (the driver's trace callback, which
    sees each statement with its values filled in)."""
    seen: list[str] = []
    prefix = f'INSERT INTO "{table}"'
    connection.ensure_connection()
    connection.connection.set_trace_callback(
        lambda sql: seen.append(sql) if sql.startswith(prefix) else None
    )
    return seen


def _rows_in(sql: str) -> int:
    """How many of `_posts`' rows one traced statement holds: one position number each."""
    return len(re.findall(r"'P\d{3}'", sql))


@pytest.fixture
def organisation(db):
    return factories.OrganisationFactory(code="QNQ")


@pytest.fixture(autouse=True)
def _untrace():
    yield
    if connection.connection is not None and connection.vendor == "sqlite":
        connection.connection.set_trace_callback(None)


@pytest.mark.django_db
@pytest.mark.parametrize("per_statement", [1, 3, 500])
def test_every_row_and_its_history_arrive_as_given(
    monkeypatch, system_user, organisation, per_statement
):
    monkeypatch.setattr(history, "ROWS_PER_INSERT", per_statement)
    writer = BulkWriter(user_id=system_user.pk, reason=REASON)
    rows = _posts(writer, organisation, 7)
    expected = [tuple(row[name] for name in FIELDS) for row in rows]
    with transaction.atomic():
        writer.insert(Post, rows)
    assert list(Post.objects.order_by("id").values_list(*FIELDS)) == expected
    history_rows = Post.history.order_by("id").values_list(
        *FIELDS, "history_type", "history_change_reason", "history_user_id"
    )
    assert list(history_rows) == [(*row, "+", REASON, system_user.pk) for row in expected]


@sqlite_only
@pytest.mark.django_db
def test_rows_go_in_statements_of_the_set_size_with_a_shorter_last_one(
    monkeypatch, system_user, organisation
):
    monkeypatch.setattr(history, "ROWS_PER_INSERT", 3)
    writer = BulkWriter(user_id=system_user.pk, reason=REASON)
    rows = _posts(writer, organisation, 7)
    seen = _statements(Post._meta.db_table)
    with transaction.atomic():
        writer.insert(Post, rows)
    # 7 rows, 3 per statement: 3 + 3 + 1.
    assert [_rows_in(sql) for sql in seen] == [3, 3, 1]
    assert Post.objects.count() == 7


@sqlite_only
@pytest.mark.django_db
def test_a_low_parameter_limit_makes_statements_smaller_not_failing(system_user, organisation):
    writer = BulkWriter(user_id=system_user.pk, reason=REASON)
    rows = _posts(writer, organisation, 5)
    columns = len(Post._meta.concrete_fields)
    seen = _statements(Post._meta.db_table)
    # Room for two rows' parameters and a little more, not three.
    limit = 2 * columns + 1
    previous = connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    try:
        with transaction.atomic():
            writer.insert(Post, rows)
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, previous)
    assert [_rows_in(sql) for sql in seen] == [2, 2, 1]
    assert Post.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_refused_row_raises_djangos_integrity_error_and_leaves_nothing(system_user, organisation):
    writer = BulkWriter(user_id=system_user.pk, reason=REASON)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows = _posts(writer, organisation, 4)
        rows[3]["position_number"] = rows[1]["position_number"]  # one post twice in one org
        writer.insert(Post, rows)
    assert Post.objects.count() == 0
    assert Post.history.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_write_is_refused_says_so_and_writes_nothing(monkeypatch, system_user):
    """A constraint the plan could not foresee (a concurrent writer, say) refuses a row as it is
    written: the import fails with its one-line message, on either database, and leaves nothing."""
    from imports.engine import run as engine_run
    from imports.models import ImportRun
    from tests.imports.conftest import ESTABLISHMENT_HEADER, vacant_row, xlsx_bytes

    factories.OrganisationFactory(code="QNQ")
    write_plan = engine_run.write_plan

    def write_one_post_twice(plan, writer):
        plan.post_creates.append(dict(plan.post_creates[0]))
        return write_plan(plan, writer)

    monkeypatch.setattr(engine_run, "write_plan", write_one_post_twice)
    rows = [vacant_row(position=f"V{n}") for n in range(3)]
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows]})
    result = engine_run.workbook_import(data=data, file_name="three.xlsx", acting_user=system_user)
    assert result.error.startswith("three.xlsx: the tracker changed while this import was being")
    assert result.error.endswith("nothing was written. Run it again.")
    assert ImportRun.objects.get().outcome == ImportRun.Outcome.FAILED
    assert Post.objects.count() == 0
    assert Post.history.count() == 0
