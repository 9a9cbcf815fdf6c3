"""The import writer's id reservation on PostgreSQL: one block per table, taken from the table's
sequence under a lock that holds off every other inserter until the import commits, so no id of
the block is ever handed out twice (imports/engine/history.py, `BulkWriter.reserve_ids`)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, connections, transaction

from imports.engine.history import BulkWriter
from tests import factories
from tracker.models import Post

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's import holds the database write lock"
)


def _insert_post_elsewhere(organisation_id: int, position: str) -> int:
    """A post inserted by another session (as the admin would), refusing to wait over 0.3 s."""
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
            cursor.execute(
                "INSERT INTO tracker_post (organisation_id, position_number, title, directorate,"
                " band, wte, cost_centre, is_board_level, status)"
                " VALUES (%s, %s, 'Analyst', '', '5', 1, '', false, 'live') RETURNING id",
                [organisation_id, position],
            )
            return cursor.fetchone()[0]
    finally:
        other.close()


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
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '300ms'")
                cursor.execute("SELECT count(*) FROM tracker_post")
                assert cursor.fetchone()[0] == 0
        finally:
            other.close()
    elsewhere = _insert_post_elsewhere(organisation.pk, "ELSEWHERE-2")
    assert elsewhere > max(block)


@pytest.mark.django_db(transaction=True)
def test_nothing_reserved_takes_no_lock(system_user):
    organisation = factories.OrganisationFactory(code="QNQ")
    writer = BulkWriter(user_id=system_user.pk, reason="test")
    with transaction.atomic():
        assert writer.reserve_ids(Post, 0) == []
        assert _insert_post_elsewhere(organisation.pk, "ELSEWHERE-3") > 0
