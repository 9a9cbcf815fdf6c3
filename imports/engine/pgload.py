"""PostgreSQL: a large insert is loaded the way pg_restore loads, its foreign keys checked after.

Most of a first import's time on PostgreSQL went on two things the rows themselves do not need
(docs/decisions.md, "National scale, twelfth pass"): every foreign key checked row by row at
commit (600,000 checks at 100,000 posts, people and assignments, each a lookup in the parent
table: 2.4 s), and every secondary index kept up row by row while COPY and the history copy
insert. So, where it is allowed and safe, the rows go in with the foreign-key triggers off
(`session_replication_role = replica`, what `pg_restore --disable-triggers` uses), and then
every foreign key of the tables is checked over the rows just written, set-based: one
anti-join per constraint, after locking the parent rows that another transaction could
otherwise delete (what each row's own check does with `FOR KEY SHARE`). Into empty tables the
tables' non-unique secondary indexes are also dropped first and built again once the rows are
in. The database ends the load holding what it would have held: the same rows, every index as
it was defined, and no row whose reference is missing; a missing reference raises Django's
IntegrityError naming the constraint and the key, and the load rolls back.

The triggers are turned off only when all of these hold; otherwise the rows go in the ordinary
way:
- PostgreSQL, inside a transaction (the import's write is one), at least LOAD_FROM_ROWS rows;
- the acting database role may set `session_replication_role` (a superuser, or from
  PostgreSQL 15 a role granted `SET ON PARAMETER session_replication_role`; docs/scaling.md);
- no table has triggers of its own (which replica mode would also silence) or a foreign key of
  more than one column.
The indexes are dropped only when, as well, the role owns the tables and every table is empty.
Dropping an index takes an ACCESS EXCLUSIVE lock, which makes readers of the table wait until
the import commits: harmless for a table with nothing to read yet (the first import into a new
register), not for a register in use, so only then.

Everything runs in a savepoint of its own, so a failure anywhere (a row COPY refuses, an index
that will not build, a missing reference) brings back the indexes, the setting and the tables
as they were, whatever the caller then does with the exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

LOAD_FROM_ROWS = 10_000
# Table locks of ours that keep other transactions from deleting or re-keying a table's rows
# (every lock that conflicts with ROW EXCLUSIVE): such a parent needs no row locks.
_HOLDING_MODES = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")


def _may_skip_triggers(connection: BaseDatabaseWrapper, tables: list[str]) -> bool:
    """Whether this role may load these tables with the foreign-key triggers off: it may set the
    replication role, and no table has triggers of its own or a foreign key of several
    columns (the check after covers single columns)."""
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_trigger t "
            "                   WHERE t.tgrelid = ANY(%s::regclass[]) AND NOT t.tgisinternal) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' "
            "                AND k.conrelid = ANY(%s::regclass[]) AND cardinality(k.conkey) > 1)",
            [tables, tables],
        )
        return bool(cursor.fetchone()[0])


def _owns(connection: BaseDatabaseWrapper, tables: list[str]) -> bool:
    """Whether this role owns every table (and so may drop and create its indexes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
            "WHERE oid = ANY(%s::regclass[])",
            [tables],
        )
        return bool(cursor.fetchone()[0])


def _all_empty(connection: BaseDatabaseWrapper, tables: list[str]) -> bool:
    """Whether every table is empty, asked once no one else can insert into them: SHARE ROW
    EXCLUSIVE, held to the end of the transaction, waits for other writers and holds them off
    (readers carry on)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                return False
    return True


ORDINARY = "ordinary"  # as any insert: every row checked by its triggers
CHECKED_AFTER = "checked after"  # triggers off; the new rows' foreign keys checked after
REBUILT = "rebuilt"  # as CHECKED_AFTER, and the (empty) tables' indexes built afterwards


def load_mode(connection: BaseDatabaseWrapper, tables: list[str], rows: int) -> str:
    """How inserting `rows` rows into `tables` is loaded (see the module)."""
    if connection.vendor != "postgresql" or rows < LOAD_FROM_ROWS:
        return ORDINARY
    if not connection.in_atomic_block or not _may_skip_triggers(connection, tables):
        return ORDINARY
    if _owns(connection, tables) and _all_empty(connection, tables):
        return REBUILT
    return CHECKED_AFTER


@contextmanager
def bulk_loaded(
    connection: BaseDatabaseWrapper, tables: list[str], ids: list[int]
) -> Iterator[None]:
    """Run the block, which inserts the rows `ids` into the first of `tables` and rows of the
    same ids into the others (their history), as `load_mode` allows: with the foreign-key
    triggers off, and the tables' non-unique secondary indexes dropped if they were empty; then
    build the indexes again and check every foreign key of those rows. Otherwise just run it."""
    mode = load_mode(connection, tables, len(ids))
    if mode == ORDINARY:
        yield
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        role = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        indexes = droppable_indexes(connection, tables) if mode == REBUILT else []
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SELECT set_config('session_replication_role', %s, true)", [role])
        # Tables that were empty hold only the new rows: checking them whole is cheaper.
        check_foreign_keys(connection, tables, None if mode == REBUILT else ids)


def droppable_indexes(connection: BaseDatabaseWrapper, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the tables' indexes that are neither unique nor behind
    a constraint: those the load drops and builds again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY 1",
            [tables],
        )
        return cursor.fetchall()


def check_foreign_keys(
    connection: BaseDatabaseWrapper, tables: list[str], ids: list[int] | None
) -> None:
    """Check every (single-column) foreign key of the rows of `tables` whose "id" is one of
    `ids` (every row, if None), as the constraint's own triggers would have row by row: lock
    the referenced parent rows against deletion (unless this transaction already holds the
    parent table against other writers), then look for a reference with no parent. Raises
    IntegrityError naming the first found. (In a history table "id" is the recorded row's:
    `ids` then covers the history rows just copied, and any older ones of the same rows,
    which are checked again harmlessly.)"""
    quote = connection.ops.quote_name
    key = quote("id")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k.conname, k.conrelid::regclass::text, a.attname, "
            "k.confrelid::regclass::text, fa.attname FROM pg_constraint k "
            "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
            "JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = k.confkey[1] "
            "WHERE k.contype = 'f' AND k.conrelid = ANY(%s::regclass[]) ORDER BY 1",
            [tables],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT DISTINCT relation::regclass::text FROM pg_locks "
            "WHERE locktype = 'relation' AND pid = pg_backend_pid() AND granted "
            "AND mode = ANY(%s)",
            [list(_HOLDING_MODES)],
        )
        held = {name for (name,) in cursor.fetchall()}
        for name, child, column, parent, parent_column in keys:
            column, parent_column = quote(column), quote(parent_column)
            # The new rows joined to the ids as a set: `id = ANY(%s)` with 100,000 ids was
            # planned as a scan testing each row against the whole array (30 s a table).
            new_rows = f"SELECT c.{column} FROM {child} c "  # noqa: S608
            if ids is not None:
                new_rows += f"JOIN unnest(%s::bigint[]) AS new(id) ON c.{key} = new.id "
            new_rows += f"WHERE c.{column} IS NOT NULL"
            params = [] if ids is None else [ids]
            if parent not in held:
                cursor.execute(
                    f"SELECT 1 FROM {parent} p WHERE p.{parent_column} IN ({new_rows}) "  # noqa: S608
                    "FOR KEY SHARE OF p",
                    params,
                )
            cursor.execute(
                f"{new_rows} AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{column}) LIMIT 1",
                params,
            )
            missing = cursor.fetchone()
            if missing:
                raise IntegrityError(
                    f'insert or update on table "{child}" violates foreign key constraint '
                    f'"{name}": key ({column})=({missing[0]}) is not present in table "{parent}"'
                )
