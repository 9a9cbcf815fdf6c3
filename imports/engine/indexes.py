"""SQLite: a large insert into a small table builds its secondary indexes once, afterwards.

Maintaining an index row by row costs a B-tree descent per row per index, in random order for
every index but the primary key; building it after the load sorts once. At 100,000 posts, people
and assignments (each table and its history table with 4 to 8 indexes) that saved 0.1-1.4 s of
a 6-7 s write in alternate runs (docs/decisions.md, "National scale, fourth pass").

This is only done where it is safe and pays:
- SQLite only. Schema changes there are part of the transaction: the drop, the insert and the
  rebuild run in one savepoint, and if anything fails its rollback brings the indexes back and
  undoes the rows, even if the caller goes on with its transaction. Readers are not affected
  (in WAL mode they read the last committed database, indexes and all). On PostgreSQL,
  `DROP INDEX` takes an ACCESS EXCLUSIVE lock and blocks every reader of the table until the
  import commits, so nothing is done here; `imports.engine.pgload` does it there, for empty
  tables only (nothing to read yet), with the foreign-key checks it then needs.
- inside a transaction only (the import's write is one); outside one, indexes are kept.
- for a table that holds no more rows than are being inserted (a first import, typically):
  rebuilding costs the table's size, so for a large table it would cost more than it saves.

The indexes come back from their own `CREATE INDEX` statements as SQLite recorded them, so
unique, partial and expression indexes are rebuilt exactly; a unique index that the new rows
would break fails to build, and the savepoint rolls back with the rows (the planner refuses
such rows first). Indexes SQLite made for inline UNIQUE constraints cannot be dropped and are
kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

REBUILD_FROM_ROWS = 10_000  # rows inserted into one table by one statement series
# Memory for sorting an index's keys while it is rebuilt. SQLite's sorter keeps up to the page
# cache's size in memory (2 MB by default) and spills the rest to temporary files that it then
# merges; 100,000 rows' keys are a few MB an index. Measured at 100,000 rows (alternate runs on
# fresh databases): the rebuilds took 0.61-0.74 s with 64 MB against 0.91-1.23 s with the
# default (128 MB: 0.58-0.79 s, 32 MB: 0.69-0.74 s). The cache is set back straight after.
SORT_MEMORY_KIB = 64 * 1024


def _holds_more_than(connection: BaseDatabaseWrapper, table: str, rows: int) -> bool:
    """Whether the table has more than `rows` rows, counting no further than that."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(table)} LIMIT %s)",  # noqa: S608
            [rows + 1],
        )
        return cursor.fetchone()[0] > rows


def deferrable(connection: BaseDatabaseWrapper, tables: list[str], rows: int) -> list[str]:
    """The tables whose secondary indexes are better built after inserting `rows` rows."""
    if connection.vendor != "sqlite" or rows < REBUILD_FROM_ROWS:
        return []
    if not connection.in_atomic_block:
        return []
    return [table for table in tables if not _holds_more_than(connection, table, rows)]


@contextmanager
def built_afterwards(
    connection: BaseDatabaseWrapper, tables: list[str], rows: int
) -> Iterator[None]:
    """Drop the secondary indexes of those `tables` where it pays (see the module), run the
    block, then build them again from their recorded definitions. All of it runs in a savepoint
    of its own: if the block raises, the savepoint rolls back, which brings the indexes back and
    undoes the block's rows, whatever the caller then does with the exception."""
    chosen = deferrable(connection, tables, rows)
    if not chosen:
        yield
        return
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(chosen))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                f"AND tbl_name IN ({placeholders}) ORDER BY name",
                chosen,
            )
            indexes = cursor.fetchall()
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        yield
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            previous = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA cache_size = {-SORT_MEMORY_KIB}")
            try:
                for _name, sql in indexes:
                    cursor.execute(sql)
            finally:
                cursor.execute(f"PRAGMA cache_size = {previous}")
