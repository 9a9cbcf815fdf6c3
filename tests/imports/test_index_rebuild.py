"""A large insert into a small table builds its secondary indexes afterwards on SQLite
(imports/engine/indexes.py). What must hold: every index comes back exactly as it was, a unique
index still refuses duplicates (the whole write rolls back), a failure part-way leaves indexes
and data as they were, and nothing is dropped where it would not pay or would not be safe: a
table larger than the insert, outside a transaction, or on PostgreSQL (readers would block;
empty tables are loaded there by imports/engine/pgload.py, tests/imports/test_pg_load.py)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from imports.engine import history, indexes
from imports.engine.history import BulkWriter
from imports.engine.run import workbook_import
from tests import factories
from tests.imports.conftest import bulk_tables, first_workbook, post_rows
from tracker.models import Assignment, Post, StaffMember

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL keeps its indexes (see the module)"
)
TRACKED = bulk_tables()


@pytest.fixture(autouse=True)
def _rebuild_from_two_rows(monkeypatch):
    """Files of a few rows stand for large ones: the rebuild applies from two rows inserted."""
    monkeypatch.setattr(indexes, "REBUILD_FROM_ROWS", 2)


def _indexes(tables=TRACKED) -> set[tuple[str, str, str]]:
    """(table, index name, definition) of every index SQLite can drop on these tables."""
    placeholders = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
            f"AND sql IS NOT NULL AND tbl_name IN ({placeholders})",
            list(tables),
        )
        return set(cursor.fetchall())


@sqlite_only
@pytest.mark.django_db
def test_an_import_into_empty_tables_leaves_every_index_as_it_was(monkeypatch, system_user):
    factories.OrganisationFactory(code="QNQ")
    before = _indexes()
    # The tracker's own migrations give each of these tables secondary indexes to drop.
    assert {table for table, _name, _sql in before} == set(TRACKED)
    during: dict[str, set] = {}
    insert_rows = history.BulkWriter._insert_rows

    def look(self, table, columns, values, progress=None):
        during[table] = {name for t, name, _sql in _indexes() if t == table}
        return insert_rows(self, table, columns, values, progress)

    monkeypatch.setattr(history.BulkWriter, "_insert_rows", look)
    data = first_workbook()
    result = workbook_import(data=data, file_name="first.xlsx", acting_user=system_user)

    assert result.ok, result.problems
    assert during == {
        Post._meta.db_table: set(),
        StaffMember._meta.db_table: set(),
        Assignment._meta.db_table: set(),
    }
    assert _indexes() == before
    assert Post.objects.count() == 4 and Assignment.objects.count() == 3
    assert Post.history.count() == 4 and Assignment.history.count() == 3
    # The indexes are in use again: the unique position per organisation is enforced.
    copy = "INSERT INTO tracker_post (organisation_id, position_number, title, directorate, band,"
    copy += " wte, cost_centre, is_board_level, status) SELECT organisation_id, position_number,"
    copy += " title, directorate, band, wte, cost_centre, is_board_level, status FROM tracker_post"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"{copy} WHERE position_number = 'P0'")


def _cache_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


@sqlite_only
@pytest.mark.django_db
@pytest.mark.parametrize("fails", [False, True])
def test_the_rebuild_sorts_in_more_memory_and_gives_it_back(system_user, fails):
    """The rebuild raises the page cache (the sorter's memory) for its CREATE INDEX statements
    only, and sets it back afterwards, also when an index fails to build part-way: the
    connection goes on serving other work with the cache it had."""
    organisation = factories.OrganisationFactory(code="QNQ")
    before = _cache_size()
    assert before != -indexes.SORT_MEMORY_KIB
    seen: list[int] = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("CREATE"):
            driver = context["connection"].connection
            seen.append(driver.execute("PRAGMA cache_size").fetchone()[0])
            if fails and len(seen) == 2:
                raise OperationalError("database or disk is full")
        return execute(sql, params, many, context)

    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with connection.execute_wrapper(watch):
        if fails:
            with pytest.raises(OperationalError), transaction.atomic():
                writer.insert(Post, post_rows(writer, organisation, "P0", "P1"))
        else:
            with transaction.atomic():
                writer.insert(Post, post_rows(writer, organisation, "P0", "P1"))
    assert len(seen) >= 2, "the rebuild ran fewer CREATE INDEX statements than expected"
    assert set(seen) == {-indexes.SORT_MEMORY_KIB}
    assert _cache_size() == before
    assert Post.objects.count() == (0 if fails else 2)


@sqlite_only
@pytest.mark.django_db
def test_rows_that_break_a_unique_index_roll_the_whole_insert_back(system_user):
    organisation = factories.OrganisationFactory(code="QNQ")
    before = _indexes()
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with pytest.raises(IntegrityError), transaction.atomic():
        writer.insert(Post, post_rows(writer, organisation, "DUP", "DUP"))
    assert _indexes() == before
    assert not Post.objects.exists() and not Post.history.exists()


@sqlite_only
@pytest.mark.django_db
def test_a_failure_part_way_brings_indexes_and_data_back(history_copy_fails, system_user):
    organisation = factories.OrganisationFactory(code="QNQ")
    before = _indexes()
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with pytest.raises(RuntimeError), transaction.atomic():
        writer.insert(Post, post_rows(writer, organisation, "P0", "P1", "P2"))
    assert _indexes() == before
    assert not Post.objects.exists()


@sqlite_only
@pytest.mark.django_db
def test_a_caller_that_carries_on_after_a_failure_still_has_its_indexes(system_user):
    """The savepoint, not the caller's rollback, restores the indexes: a caller that catches the
    error and commits its transaction commits no dropped index and none of the rows."""
    organisation = factories.OrganisationFactory(code="QNQ")
    before = _indexes()
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with transaction.atomic():
        rows = post_rows(writer, organisation, "DUP", "DUP")
        with pytest.raises(IntegrityError):  # caught here: the transaction carries on
            writer.insert(Post, rows)
        assert _indexes() == before
    assert _indexes() == before
    assert not Post.objects.exists() and not Post.history.exists()


@sqlite_only
@pytest.mark.django_db
def test_a_table_holding_more_rows_than_the_insert_keeps_its_indexes():
    organisation = factories.OrganisationFactory(code="QNQ")
    for n in range(3):
        factories.PostFactory(organisation=organisation, position_number=f"OLD{n}")
    post, staff = Post._meta.db_table, StaffMember._meta.db_table
    # Three posts (and three history rows) already: inserting two would rebuild more than it
    # adds. The empty staff table is rebuilt for two; below REBUILD_FROM_ROWS, nothing is.
    assert indexes.deferrable(connection, [post, staff], 2) == [staff]
    assert indexes.deferrable(connection, [post, staff], 3) == [post, staff]
    assert indexes.deferrable(connection, [post, staff], 1) == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_nothing_is_dropped():
    assert not connection.in_atomic_block
    assert indexes.deferrable(connection, [Post._meta.db_table], 10) == []


@pytest.mark.django_db
def test_postgresql_never_drops_an_index():
    expected = [Post._meta.db_table] if connection.vendor == "sqlite" else []
    assert indexes.deferrable(connection, [Post._meta.db_table], 10) == expected
