"""The replica router: exports read from `replica` when one is configured, everything else and
every write use `default`. The replica here is the same database under a second alias (a test
mirror), so this test commits its data (transaction=True) for the second connection to see."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from imports.exports.models import ExportRun
from imports.exports.tasks import export_run
from tests import factories
from tracker.db_router import reading_from_replica
from tracker.models import Post


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
@override_settings(DATABASE_REPLICA_READS=True)
def test_exports_read_from_the_replica_and_write_to_the_primary():
    factories.PostFactory(position_number="R1", organisation__code="QNQ")
    auditor = factories.UserFactory(is_superuser=True)
    assert Post.objects.all().db == "default"
    with reading_from_replica():
        assert Post.objects.all().db == "replica"
        assert Post.objects.get().position_number == "R1"
    assert Post.objects.all().db == "default"

    run = ExportRun.objects.create(
        kind="establishment", params={"as_of": "2099-01-01"}, user=auditor
    )
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        assert export_run(run.pk) == ExportRun.Status.DONE
    replica_sql = " ".join(q["sql"] for q in replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in primary.captured_queries)
    assert "tracker_historicalpost" in replica_sql  # the export's reads
    assert "tracker_historicalpost" not in primary_sql
    assert 'UPDATE "imports_exportrun"' in primary_sql  # progress and outcome: the primary
    assert "UPDATE" not in replica_sql and "INSERT" not in replica_sql
    run.refresh_from_db()
    book = openpyxl.load_workbook(run.file.open("rb"))
    assert [r[1] for r in book["Establishment"].iter_rows(min_row=2, values_only=True)] == ["R1"]
    assert run.finished_at is not None and run.finished_at.date() >= dt.date(2026, 1, 1)


@pytest.mark.django_db
def test_without_a_replica_everything_reads_from_the_primary():
    with reading_from_replica():
        assert Post.objects.all().db == "default"


@pytest.mark.django_db(databases=["default", "replica"])
@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="PostgreSQL's JIT")
def test_postgresql_connections_run_without_jit():
    """JIT compiling cost 170 ms of a 240 ms admin count at 100,000 staff: our connections, to
    the primary and the replica alike, turn it off (config/settings/base.py)."""
    for alias in ("default", "replica"):
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off", alias


@pytest.mark.django_db(databases=["default", "replica"])
@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="PostgreSQL's setting")
def test_postgresql_ends_a_transaction_its_client_left_idle_for_five_minutes():
    """An import's worker whose host is lost leaves its transaction, and its lock on every
    tracker writer, open until PostgreSQL notices: our connections tell it to end one left
    idle for five minutes (config/settings/base.py), to the primary and the replica alike."""
    for alias in ("default", "replica"):
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW idle_in_transaction_session_timeout")
            assert cursor.fetchone()[0] == "5min", alias
