"""Reports and exports may read from a replica; everything else uses the primary.

When `DATABASE_REPLICA_URL` is set the settings add a `replica` alias and this router. Code that
only reads a report or an export wraps it in `reading_from_replica()`; inside it every read goes
to `replica`, outside it (and every write, always) to `default`. A context variable, not a
thread-local, so it holds across async code and is reset on leaving the block.

The replica lags the primary by its replication delay: an export asked for just after a change
may not contain it yet. Screens that show what someone has just saved never read from it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.conf import settings

REPLICA = "replica"
_reading = contextvars.ContextVar("reading_from_replica", default=False)


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "DATABASE_REPLICA_READS", True)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and replica_configured():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, copied: every object is on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica is migrated by replication, not by us
