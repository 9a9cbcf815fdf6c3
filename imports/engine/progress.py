"""Progress of the write phase, told to the admin while the write is still one transaction.

The import writes everything in one transaction so that it is all or nothing; whatever it wrote
to the ImportRun row inside that transaction would be invisible to the status view until the
end. So the rows written are reported outside it:

- on PostgreSQL through a second connection of its own (autocommit), which updates the
  ImportRun row that every host's status view reads;
- on SQLite, whose single write lock the import holds for the whole write (a second connection
  would wait for it), through Django's cache, which the status view reads first while a run
  is writing. SQLite is the single-host development database; across processes this needs a
  shared cache backend.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

PROGRESS_EVERY = 5_000  # rows between reports


def cache_key(run_id: int) -> str:
    return f"imports:write-progress:{run_id}"


class Live(NamedTuple):
    done: int
    total: int
    heard_at: dt.datetime  # when the worker reported it (`imports.liveness`)


def live_progress(run_id: int) -> Live | None:
    """Rows written of the total, as last reported by a run that is writing (SQLite), or None."""
    value = cache.get(cache_key(run_id))
    return Live(*value) if value and len(value) == len(Live._fields) else None


class WriteProgress:
    """Counts rows as the writer writes them and publishes every PROGRESS_EVERY rows."""

    def __init__(self, run_id: int, total: int, *, using: str = DEFAULT_DB_ALIAS, every=None):
        self.run_id = run_id
        self.total = total
        self.done = 0
        self.published = 0
        self.every = every or PROGRESS_EVERY
        self.using = using
        self.vendor = connections[using].vendor
        self._connection = None

    def add(self, rows: int) -> None:
        self.done += rows
        if self.done - self.published >= self.every or self.done >= self.total:
            self.publish()

    def publish(self) -> None:
        """Report the rows written so far, and with them that the worker is alive."""
        self.published = self.done
        done = min(self.done, self.total)
        now = timezone.now()
        if self.vendor == "postgresql":
            if self._connection is None:
                self._connection = connections.create_connection(self.using)
                self._connection.set_autocommit(False)
            with self._connection.cursor() as cursor:
                # A report need not wait for the disk: one lost in a crash is followed by the
                # next, or by the run's end (60 reports in a 100,000-row import waited about
                # 0.17 s in all for their flushes). Set for its own transaction only, so a
                # pooled server connection (PgBouncer) does not pass it on to other clients.
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(
                    "UPDATE imports_importrun SET progress_done = %s, progress_total = %s, "
                    "heartbeat_at = %s WHERE id = %s",
                    [done, self.total, now, self.run_id],
                )
            self._connection.commit()
        else:
            cache.set(cache_key(self.run_id), (done, self.total, now), timeout=24 * 3600)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        cache.delete(cache_key(self.run_id))
