"""SQL the ORM does not write for us."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connections
from django.db.models.expressions import RawSQL


def one_parameter_in(values: Sequence[str], *, using: str = "default") -> RawSQL:
    """A subquery of the given strings bound as one parameter, for `filter(field__in=...)`.

    `field__in=[...]` binds one parameter per value, so a long list has to be cut into batches
    (SQLite allows 999 parameters, PostgreSQL 65,535) and the queries grow with the list. This
    binds a single JSON array (SQLite's `json_each`) or text array (PostgreSQL's `unnest`)
    however many values there are: one query, whatever the length."""
    vendor = connections[using].vendor
    if vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", [list(values)])
    if vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])
    raise NotImplementedError(f"one_parameter_in supports PostgreSQL and SQLite, not {vendor}")
