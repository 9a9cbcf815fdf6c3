"""The import's write on PostgreSQL holds every other writer of the tracker off until it commits
(imports/engine/state.py, `hold_tracker`), so the plan it checked against the tracker stays true;
and its ids come as one block per table from the table's sequence, never handed out twice
(imports/engine/history.py, `BulkWriter.reserve_ids`). Readers are never held up. A large import
has the tables analysed after it commits (imports/engine/statistics.py)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, connections, transaction

from imports.engine import statistics, write
from imports.engine.history import BulkWriter
from imports.engine.run import workbook_import
from tests import factories
from tests.imports.conftest import ESTABLISHMENT_HEADER, vacant_row, xlsx_bytes
from tracker.models import Post

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's import holds the database write lock"
)


def _elsewhere(sql: str, params=()) -> object:
    """Run one statement in another session, refusing to wait for a lock over 0.3 s."""
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
            cursor.execute(sql, params)
            return cursor.fetchone()[0] if cursor.description else None
    finally:
        other.close()


def _insert_post_elsewhere(organisation_id: int, position: str) -> int:
    """A post inserted by another session (as the admin would), refusing to wait over 0.3 s."""
    return _elsewhere(
        "INSERT INTO tracker_post (organisation_id, position_number, title, directorate,"
        " band, wte, cost_centre, is_board_level, status)"
        " VALUES (%s, %s, 'Analyst', '', '5', 1, '', false, 'live') RETURNING id",
        [organisation_id, position],
    )


@pytest.mark.django_db(transaction=True)
def test_a_block_is_contiguous_and_the_sequence_moves_past_it(system_user):
    organisation = factories.OrganisationFactory(code="QNQ")
    before = factories.PostFactory(organisation=organisation).pk
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with transaction.atomic():
        block = writer.reserve_ids(Post, 5)
    after = factories.PostFactory(organisation=organisation).pk
    assert block == [before + 1, before + 2, before + 3, before + 4, before + 5]
    assert after == before + 6


@pytest.mark.django_db(transaction=True)
def test_no_other_session_can_insert_until_the_block_is_committed(system_user):
    organisation = factories.OrganisationFactory(code="QNQ")
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with transaction.atomic():
        block = writer.reserve_ids(Post, 3)
        with pytest.raises(OperationalError, match="lock timeout"):
            _insert_post_elsewhere(organisation.pk, "ELSEWHERE-1")
        # Reading is never held up by the reservation.
        assert _elsewhere("SELECT count(*) FROM tracker_post") == 0
    elsewhere = _insert_post_elsewhere(organisation.pk, "ELSEWHERE-2")
    assert elsewhere > max(block)


@pytest.mark.django_db(transaction=True)
def test_nothing_reserved_takes_no_lock(system_user):
    organisation = factories.OrganisationFactory(code="QNQ")
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with transaction.atomic():
        assert writer.reserve_ids(Post, 0) == []
        assert _insert_post_elsewhere(organisation.pk, "ELSEWHERE-3") > 0


@pytest.mark.django_db(transaction=True)
def test_while_an_import_writes_nobody_else_writes_the_tracker_and_everyone_reads(
    monkeypatch, system_user
):
    organisation = factories.OrganisationFactory(code="QNQ")
    person = factories.StaffMemberFactory()
    seen = {}
    write_plan = write.write_plan

    def write_and_look(plan, writer):
        write_plan(plan, writer)
        # Mid-write: a table the file creates rows in, and one it does not touch at all.
        for table, sql in {
            "post": "UPDATE tracker_post SET title = title",
            "staff": "UPDATE tracker_staffmember SET first_name = first_name",
        }.items():
            try:
                _elsewhere(sql)
                seen[table] = "written"
            except OperationalError as exc:
                seen[table] = "waited" if "lock timeout" in str(exc) else str(exc)
        seen["read"] = _elsewhere("SELECT count(*) FROM tracker_post")

    monkeypatch.setattr("imports.engine.run.write_plan", write_and_look)
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row(position="V1")]})
    result = workbook_import(data=data, file_name="one.xlsx", acting_user=system_user)
    assert result.ok, result.problems
    assert seen == {"post": "waited", "staff": "waited", "read": 0}
    # Once the import has committed, others write again.
    _elsewhere(
        "UPDATE tracker_staffmember SET first_name = first_name WHERE id = %s", [person.pk]
    )
    assert Post.objects.filter(organisation=organisation).count() == 1


def _reltuples(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_large_import_has_the_tracker_tables_analysed_once_it_commits(
    monkeypatch, system_user
):
    # PostgreSQL keeps -1 tuples for a table it has never analysed; ANALYZE sets the count.
    factories.OrganisationFactory(code="QNQ")
    rows = [vacant_row(position=f"V{n}") for n in range(3)]
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows]})
    monkeypatch.setattr(statistics, "ANALYZE_AFTER_ROWS", 4)  # 3 posts are not "large"
    assert workbook_import(data=data, file_name="three.xlsx", acting_user=system_user).ok
    assert _reltuples("tracker_post") == -1

    more = [vacant_row(position=f"W{n}") for n in range(4)]
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows, *more]})
    assert workbook_import(data=data, file_name="seven.xlsx", acting_user=system_user).ok
    assert _reltuples("tracker_post") == 7
    assert _reltuples("tracker_historicalpost") == 7
