"""Fresh planner statistics after a large import (PostgreSQL).

The as-of and history screens read "each record's newest history row before a moment" through
correlated subqueries; PostgreSQL plans them well only when it knows the tables' sizes and
value spreads. Until autovacuum next analyses a table (about a minute after a large change with
the default settings; never, where autovacuum is off) a screen that takes milliseconds can take
minutes: at 20,000 posts, a page's holders took 23.8 s before `ANALYZE` and 0.003 s after
(docs/decisions.md, "National scale, third pass"). So an import that wrote many rows asks for
the tracker tables to be analysed as soon as it commits, in the background like any side
effect. SQLite's planner needs no statistics for these queries; nothing is done there.
"""

from __future__ import annotations

from django.db import connection, transaction
from django_tasks import task

from imports.engine.state import AUDITED

ANALYZE_AFTER_ROWS = 10_000  # rows written by one import


def tracker_tables() -> list[str]:
    """The audited tracker tables and their history tables."""
    tables = []
    for model in AUDITED:
        tables += [model._meta.db_table, model.history.model._meta.db_table]  # type: ignore[attr-defined]
    return tables


@task()
def tracker_tables_analyze() -> int:
    """ANALYZE every tracker table and history table; returns how many were analysed."""
    if connection.vendor != "postgresql":
        return 0
    tables = tracker_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")
    return len(tables)


def analyze_after_commit(rows_written: int) -> None:
    """Queue the ANALYZE for when the current transaction commits, if the write was large."""
    if rows_written >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        transaction.on_commit(tracker_tables_analyze.enqueue)
