"""A large insert on PostgreSQL is loaded the way pg_restore loads (imports/engine/pgload.py):
foreign-key triggers off, then every foreign key of the new rows checked set-based; into empty
tables, non-unique secondary indexes dropped and built again as well. What must hold: the schema
ends exactly as it was (every index, every constraint, the replication role), a reference with
no parent is refused and nothing is left, a failure part-way leaves everything as it was, the
parents the rows refer to cannot be deleted under the load, indexes are dropped only from empty
tables, and the triggers stay on where that is not allowed (a role without the privilege,
outside a transaction, a small insert)."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from imports.engine import pgload
from imports.engine.history import BulkWriter
from imports.engine.run import workbook_import
from tests import factories
from tests.imports.conftest import bulk_tables, first_workbook, post_rows
from tracker.models import Assignment, Post

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the bulk load is PostgreSQL's (see the module)"
)
TABLES = bulk_tables()


@pytest.fixture
def load_from_two_rows(monkeypatch):
    """Files of a few rows stand for large ones: the load applies from two rows inserted."""
    monkeypatch.setattr(pgload, "LOAD_FROM_ROWS", 2)


def _schema() -> tuple[set, set]:
    """Every index and every constraint of the tracked tables, with their definitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [TABLES],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [TABLES],
        )
        return indexes, set(cursor.fetchall())


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


class Statements:
    """The SQL run on the default connection while it is installed (`execute_wrapper`)."""

    def __init__(self):
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)

    def starting(self, prefix: str) -> list[str]:
        return [sql for sql in self.sql if sql.startswith(prefix)]


@pytest.mark.django_db
def test_a_first_import_is_loaded_in_bulk_and_leaves_the_schema_as_it_was(
    load_from_two_rows, system_user
):
    factories.OrganisationFactory(code="QNQ")
    before = _schema()
    # The tracker's migrations give these tables secondary indexes and foreign keys.
    assert {table for table, _name, _sql in before[0]} == set(TABLES)
    assert any("FOREIGN KEY" in definition for _t, _n, definition in before[1])
    data = first_workbook()
    seen = Statements()
    with connection.execute_wrapper(seen):
        result = workbook_import(data=data, file_name="first.xlsx", acting_user=system_user)

    assert result.ok, result.problems
    # Loaded in bulk: the triggers were off and some indexes dropped and built again ...
    assert seen.starting("SELECT set_config('session_replication_role', 'replica'")
    dropped = seen.starting("DROP INDEX")
    assert len(dropped) == len(seen.starting("CREATE INDEX")) > 0
    # ... and the database ends as it was defined, with the rows and their history in.
    assert _schema() == before
    assert _role() == "origin"
    assert Post.objects.count() == 4 and Assignment.objects.count() == 3
    assert Post.history.filter(history_user=system_user, history_type="+").count() == 4
    assert Assignment.history.filter(history_user=system_user).count() == 3
    assert {a.post.position_number for a in Assignment.objects.select_related("post")} == {
        "P0",
        "P1",
        "P2",
    }


def _orphan_assignments(writer: BulkWriter) -> list[dict]:
    """Two assignment rows, the second naming a post that does not exist."""
    organisation = factories.OrganisationFactory(code="QNQ")
    post = factories.PostFactory(organisation=organisation, position_number="REAL")
    person = factories.StaffMemberFactory()
    missing = Post.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    ids = writer.reserve_ids(Assignment, 2)
    return [
        {
            "id": ids[n],
            "assignment_number": f"ORPHAN{n}",
            "staff_member_id": person.pk,
            "post_id": post_id,
            "category": "permanent",
            "annual_salary": 30000,
            "start_on": person.nhs_service_start,
        }
        for n, post_id in enumerate((post.pk, missing))
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [pgload.REBUILT, pgload.CHECKED_AFTER])
def test_a_reference_with_no_parent_is_refused_and_nothing_is_left(
    load_from_two_rows, system_user, monkeypatch, mode
):
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    rows = _orphan_assignments(writer)
    if mode == pgload.CHECKED_AFTER:  # assignments in the register already: indexes kept
        factories.AssignmentFactory()
    tables = [Assignment._meta.db_table, Assignment.history.model._meta.db_table]
    assert pgload.load_mode(connection, tables, len(rows)) == mode
    before = _schema()
    count = Assignment.objects.count()

    refusal = pytest.raises(IntegrityError, match="tracker_assignment_post_id")
    with refusal as refused, transaction.atomic():
        writer.insert(Assignment, [dict(row) for row in rows])
    assert f"=({rows[1]['post_id']})" in str(refused.value)
    assert Assignment.objects.count() == count
    assert not Assignment.history.filter(assignment_number__startswith="ORPHAN").exists()
    assert _schema() == before and _role() == "origin"

    # The refusal is the load's own check: with it taken away, the triggers being off, the
    # orphan would have gone in (so the check above is what stands for the constraint).
    monkeypatch.setattr(pgload, "check_foreign_keys", lambda connection, tables, ids: None)
    with transaction.atomic():
        writer.insert(Assignment, [dict(row) for row in rows])
        assert Assignment.objects.filter(post_id=rows[1]["post_id"]).exists()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_failure_part_way_brings_indexes_setting_and_data_back(
    load_from_two_rows, system_user, history_copy_fails
):
    organisation = factories.OrganisationFactory(code="QNQ")
    before = _schema()
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with transaction.atomic():
        rows = post_rows(writer, organisation, "P0", "P1", "P2")
        with pytest.raises(RuntimeError):  # caught here: the transaction carries on
            writer.insert(Post, rows)
        assert _schema() == before
        assert _role() == "origin"
        assert not Post.objects.exists()


@pytest.mark.django_db
def test_tables_in_use_keep_their_indexes_and_are_checked_after(load_from_two_rows, system_user):
    organisation = factories.OrganisationFactory(code="QNQ")
    factories.PostFactory(organisation=organisation, position_number="OLD")
    before = _schema()
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    seen = Statements()
    with transaction.atomic(), connection.execute_wrapper(seen):
        writer.insert(Post, post_rows(writer, organisation, "P0", "P1", "P2"))
        assert _role() == "origin"
    assert seen.starting("SELECT set_config('session_replication_role', 'replica'")
    assert not seen.starting("DROP INDEX")
    assert _schema() == before
    assert Post.objects.count() == 4


@pytest.mark.django_db
def test_fewer_rows_than_the_threshold_are_loaded_the_ordinary_way():
    tables = [Post._meta.db_table, Post.history.model._meta.db_table]
    below = pgload.load_mode(connection, tables, pgload.LOAD_FROM_ROWS - 1)
    assert below == pgload.ORDINARY
    assert pgload.load_mode(connection, tables, pgload.LOAD_FROM_ROWS) == pgload.REBUILT


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_triggers_stay_on():
    assert not connection.in_atomic_block
    tables = [Post._meta.db_table]
    assert pgload.load_mode(connection, tables, pgload.LOAD_FROM_ROWS) == pgload.ORDINARY


@pytest.mark.django_db
def test_a_role_without_the_privilege_keeps_the_triggers_and_one_not_owning_keeps_indexes():
    """A role that may not set the replication role loads the ordinary way; one that may but
    does not own the tables has them checked after but keeps their indexes. Roles are created
    inside the test's transaction and go with its rollback."""
    tables = [Post._meta.db_table, Post.history.model._meta.db_table]
    rows = pgload.LOAD_FROM_ROWS
    # The suite's own role is a superuser that owns the tables.
    assert pgload.load_mode(connection, tables, rows) == pgload.REBUILT
    role = f"tt_importer_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE ON {', '.join(tables)} TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        try:
            assert pgload.load_mode(connection, tables, rows) == pgload.ORDINARY
            if connection.pg_version >= 150000:
                cursor.execute("RESET ROLE")
                cursor.execute(f"GRANT SET ON PARAMETER session_replication_role TO {role}")
                cursor.execute(f"SET LOCAL ROLE {role}")
                assert pgload.load_mode(connection, tables, rows) == pgload.CHECKED_AFTER
        finally:
            cursor.execute("RESET ROLE")


@pytest.mark.django_db(transaction=True)
def test_the_parents_the_rows_name_cannot_be_deleted_under_the_load(
    load_from_two_rows, monkeypatch
):
    """With the triggers off nothing would stop another transaction deleting a parent row the
    load refers to before it commits; the check locks those rows as each row's trigger would.
    Here the acting user, named by every history row, is the parent another session tries to
    delete. No index is dropped, so that the loaded tables are not held ACCESS EXCLUSIVE (which
    also holds off the deletion's own check, but only where the load dropped an index)."""
    monkeypatch.setattr(pgload, "droppable_indexes", lambda connection, tables: [])
    organisation = factories.OrganisationFactory(code="QNQ")
    user = factories.UserFactory(username=f"loader-{uuid.uuid4().hex[:6]}")
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            writer = BulkWriter(user_id=user.pk, reason="test")
            writer.insert(Post, post_rows(writer, organisation, "P0", "P1"))
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '300ms'")
                with pytest.raises(OperationalError, match="lock timeout"):
                    cursor.execute("DELETE FROM tracker_user WHERE id = %s", [user.pk])
            transaction.set_rollback(True)
    finally:
        other.close()
