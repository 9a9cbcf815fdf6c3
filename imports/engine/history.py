"""The fast write path for imports: rows and their history rows in bulk, each with who and why.

django-simple-history's `bulk_create_with_history` builds a model instance per row and goes
through the ORM twice; at 100,000 posts, staff and assignments that alone takes longer than the
whole import may. Here each table's rows go in a few statements (COPY on PostgreSQL; on SQLite
INSERTs of many rows each, run on the driver's cursor, `_insert_rows`), and its history rows
are copied from the rows just written by the database itself (INSERT ... SELECT with the who,
why and when as parameters), so the history holds the whole record without reading it back.
History rows are ordinary tables, so writing them directly bypasses simple-history's signals,
including the audit guard in `tracker.audit`; this module therefore does the guard's job
itself: `BulkWriter` cannot be built without an acting user and a non-blank reason, and stamps
both on every history row it writes.

Primary keys for new rows are reserved before inserting (one block from the table's sequence on
PostgreSQL, under a lock that holds off other inserters; on SQLite, whose write lock an import
holds for its whole transaction, the next free values). On
PostgreSQL large updates go through a temporary table filled by COPY and one UPDATE ... FROM. A
large insert into a small table builds its secondary indexes afterwards on SQLite
(`imports.engine.indexes`); on PostgreSQL it is loaded as pg_restore loads, its foreign keys
checked set-based afterwards and, into empty tables, its indexes built afterwards
(`imports.engine.pgload`).
"""

from __future__ import annotations

import itertools
import operator
import sqlite3
from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import DateTimeField, Model
from django.utils import timezone

from imports.engine.indexes import built_afterwards
from imports.engine.pgload import bulk_loaded
from tracker.audit import copy_to_history, require_reason, require_user

BATCH = 5_000
# Rows in one SQLite INSERT statement (fewer when the columns would pass the parameter limit).
ROWS_PER_INSERT = 500


def concrete_attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


class BulkWriter:
    """Inserts and updates rows of audited models, writing one history row per row touched."""

    def __init__(
        self,
        *,
        user_id: int | None,
        reason: str,
        using: str = "default",
        progress: Callable[[int], None] | None = None,
    ):
        self.user_id = require_user(user_id)
        self.reason = require_reason(reason)
        self.using = using
        # Told the number of rows of each batch written (not counting history rows).
        self.progress = progress or (lambda rows: None)
        self.connection = connections[using]
        self.now = timezone.now()

    # -- ids -----------------------------------------------------------------------------------

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        if count == 0:
            return []
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # One block of `count` ids: advance the sequence once instead of calling nextval
                # per row (300,000 calls cost about a second). Every other writer of this table
                # takes its ids from the sequence inside an INSERT, which needs a ROW EXCLUSIVE
                # lock on the table; SHARE ROW EXCLUSIVE (held to the end of the import's
                # transaction) waits for those and holds them off, so no id in the block can be
                # handed out twice. Readers are not blocked. The import's write already holds
                # this lock (`imports.engine.state.hold_tracker`); taking it again is free, and
                # keeps this method safe on its own.
                quoted = self.connection.ops.quote_name(table)
                cursor.execute(f"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute(
                    "SELECT setval(seq, nextval(seq) + %s - 1) - %s + 1 "
                    "FROM pg_get_serial_sequence(%s, 'id') AS seq",
                    [count, count, quoted],
                )
                start = cursor.fetchone()[0]
                return list(range(start, start + count))
            if self.connection.vendor == "sqlite":
                quoted = self.connection.ops.quote_name(table)
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608
                highest = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                start = max(highest, row[0] if row else 0) + 1
                return list(range(start, start + count))
        # The project runs on PostgreSQL and SQLite only (see README).
        raise ImproperlyConfigured(
            f"bulk imports support PostgreSQL and SQLite, not {self.connection.vendor}"
        )

    # -- writes --------------------------------------------------------------------------------

    def insert(self, model: type[Model], rows: list[dict]) -> None:
        """Insert rows (each a dict of attname -> value, with its reserved "id") and their "+"
        history rows. Missing attnames take the field's default (auto_now(_add) fields: now)."""
        if not rows:
            return
        columns = concrete_attnames(model)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        defaults = {}
        for name in columns:
            field = fields[name]
            if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
                defaults[name] = self.now
            elif name != "id":
                defaults[name] = field.get_default()
        # Each row over the defaults, one at a time (a C-level merge; the rows stay as given).
        complete = (defaults | row for row in rows)
        tables = [model._meta.db_table, model.history.model._meta.db_table]
        ids = [row["id"] for row in rows]
        if self.connection.vendor == "postgresql":
            load = bulk_loaded(self.connection, tables, ids)
        else:
            load = built_afterwards(self.connection, tables, len(rows))
        with load:
            self._insert_rows(
                model._meta.db_table, columns, self._tuples(model, complete, columns), self.progress
            )
            self._history_from_table(model, ids, "+")

    def update(self, model: type[Model], rows: list[dict], fields: Iterable[str]) -> None:
        """Update rows (each a dict with "id" and the values to set) and write their "~" history
        rows. A field of `fields` missing from a row keeps its recorded value; rows are grouped
        by the fields they set, one statement (or COPY) per group and batch."""
        if not rows:
            return
        groups: dict[tuple[str, ...], list[dict]] = {}
        for row in rows:
            groups.setdefault(tuple(f for f in fields if f in row), []).append(row)
        for names, group in groups.items():
            if names:
                self._update_rows(model, group, list(names))
            else:
                self.progress(len(group))
        self._history_from_table(model, [row["id"] for row in rows], "~")

    def _update_rows(self, model: type[Model], rows: list[dict], fields: list[str]) -> None:
        quote = self.connection.ops.quote_name
        sets = ", ".join(f"{quote(name)} = %s" for name in fields)
        sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"  # noqa: S608
        params = [
            (*values, row["id"])
            for values, row in zip(self._tuples(model, rows, fields), rows, strict=True)
        ]
        if self.connection.vendor == "postgresql" and len(params) > 100:
            self._update_from_copy(model, fields, params)
            return
        with self.connection.cursor() as cursor:
            for start in range(0, len(params), BATCH):
                batch = params[start : start + BATCH]
                cursor.executemany(sql, batch)
                self.progress(len(batch))

    def _update_from_copy(self, model: type[Model], fields: list[str], params: list[tuple]) -> None:
        """PostgreSQL: COPY the new values into a temporary table, then one UPDATE ... FROM."""
        quote = self.connection.ops.quote_name
        table = quote(model._meta.db_table)
        temp = quote(f"import_{model._meta.db_table}")
        names = ", ".join(quote(f) for f in fields)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names}, {quote('id')} FROM {table} WITH NO DATA"
            )
            self._copy(cursor, temp, [*fields, "id"], params, self.progress)
            sets = ", ".join(f"{quote(f)} = source.{quote(f)}" for f in fields)
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM {temp} AS source "  # noqa: S608
                f"WHERE {table}.{quote('id')} = source.{quote('id')}"
            )
            cursor.execute(f"DROP TABLE {temp}")

    def _copy(
        self,
        cursor,
        table: str,
        columns: list[str],
        rows: Iterable,
        progress: Callable[[int], None],
    ) -> None:
        """PostgreSQL: stream `rows` into `columns` of `table` (quoted) with one binary COPY,
        telling `progress` of every BATCH rows written. Binary rows are typed by the columns'
        own types, read from the catalogue, so the server has no text to parse (at 100,000 posts
        the client and the server each spent about half as long as with text). COPY runs on
        psycopg's own cursor, so Django's error mapping is put around it: a refused row raises
        Django's IntegrityError, as every other statement does."""
        quote = self.connection.ops.quote_name
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = dict(cursor.fetchall())
        target = f"{table} ({', '.join(quote(c) for c in columns)})"
        written = 0
        with (
            self.connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {target} FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types([types[c] for c in columns])
            for row in rows:
                copy.write_row(row)
                written += 1
                if written == BATCH:
                    progress(written)
                    written = 0
        progress(written)

    def _history_from_table(self, model: type[Model], ids: list[int], history_type: str) -> None:
        """One history row per written row, copied by the database from the row as it now is
        (`tracker.audit.copy_to_history`), stamped with who, why and when."""
        copy_to_history(
            model,
            ids,
            history_type,
            user_id=self.user_id,
            reason=self.reason,
            when=self.now,
            using=self.using,
        )

    def _tuples(self, model: type[Model], rows: Iterable[dict], columns: list[str]):
        """Each row's values in column order; datetimes adapted for the backend (SQLite stores
        them naive in UTC, as Django does), everything else bound as it is."""
        getter = operator.itemgetter(*columns)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        # PostgreSQL's adaptation returns the value as it is (psycopg binds datetimes itself).
        datetimes = [
            i
            for i, name in enumerate(columns)
            if isinstance(fields[name], DateTimeField) and self.connection.vendor != "postgresql"
        ]
        adapt = self.connection.ops.adapt_datetimefield_value
        for row in rows:
            values = getter(row)
            if len(columns) == 1:
                values = (values,)
            if datetimes:
                values = list(values)
                for i in datetimes:
                    values[i] = adapt(values[i])
            yield values

    def _insert_rows(self, table: str, columns: list[str], values, progress=None) -> None:
        progress = progress or (lambda rows: None)
        quote = self.connection.ops.quote_name
        if self.connection.vendor == "postgresql":
            # COPY streams every row in one statement: ten times faster than executemany here.
            with self.connection.cursor() as cursor:
                self._copy(cursor, quote(table), columns, values, progress)
            return
        # SQLite: many rows per INSERT. A statement run once per row (executemany) pays the
        # statement's own costs per row, AUTOINCREMENT's bookkeeping among them: twice the time.
        # The SQL is written with SQLite's own "?" and run on the driver's cursor (inside
        # Django's error mapping, as COPY above is): Django's cursor would rewrite every "%s" of
        # every statement, a regex pass over 5,000 placeholders each time.
        head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
        one = f"({', '.join(['?'] * len(columns))})"
        rows = iter(values)
        written = 0
        self.connection.ensure_connection()
        driver = self.connection.connection
        # The library's own limit on a statement's parameters (32,766 since SQLite 3.32;
        # Django's `max_query_params` assumes the old 999).
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per = max(1, min(ROWS_PER_INSERT, BATCH, limit // len(columns)))
        full = head + ", ".join([one] * per)
        with self.connection.wrap_database_errors:
            cursor = driver.cursor()
            try:
                for batch in iter(lambda: list(itertools.islice(rows, per)), []):
                    sql = full if len(batch) == per else head + ", ".join([one] * len(batch))
                    cursor.execute(sql, list(itertools.chain.from_iterable(batch)))
                    written += len(batch)
                    if written >= BATCH:
                        progress(written)
                        written = 0
            finally:
                cursor.close()
        if written:
            progress(written)
