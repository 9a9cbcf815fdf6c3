"""SQL the ORM does not write for us."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models.expressions import RawSQL

Row = TypeVar("Row")
Found = TypeVar("Found")


def one_parameter_in(
    values: Sequence[str] | Sequence[int], *, integers: bool = False, using: str = "default"
) -> RawSQL:
    """A subquery of the given strings (or, with `integers`, ids) bound as one parameter, for
    `filter(field__in=...)`.

    `field__in=[...]` binds one parameter per value, so a long list has to be cut into batches
    (SQLite allows 999 parameters, PostgreSQL 65,535) and the queries grow with the list. This
    binds a single JSON array (SQLite's `json_each`) or array (PostgreSQL's `unnest`) however
    many values there are: one query, whatever the length."""
    vendor = connections[using].vendor
    if vendor == "postgresql":
        if integers:
            # Written out as the array's text form: psycopg's list adapter spends ~10 ms on each
            # 5,000 ids, every time the subquery is used; int() keeps it to digits and signs.
            literal = "{" + ",".join(str(int(value)) for value in values) + "}"
            return RawSQL("SELECT unnest(%s::bigint[])", [literal])
        return RawSQL("SELECT unnest(%s::text[])", [list(values)])
    if vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])
    # The project runs on PostgreSQL and SQLite only (see README), as the import's writer says.
    raise ImproperlyConfigured(f"one_parameter_in supports PostgreSQL and SQLite, not {vendor}")


def in_chunks(
    rows: Iterable[Row],
    *,
    chunk_size: int,
    key: Callable[[Row], int],
    lookup: Callable[[list[int]], dict[int, Found]],
    missing: Found,
) -> Iterator[tuple[Row, Found]]:
    """Each row of a stream with what `lookup` finds for its key, in the rows' order: `lookup`
    is called once per `chunk_size` rows with those rows' keys, so memory is bounded by the
    chunk, not the stream (`missing` for a key it does not return)."""
    stream = iter(rows)
    while chunk := list(islice(stream, chunk_size)):
        found = lookup([key(row) for row in chunk])
        for row in chunk:
            yield row, found.get(key(row), missing)
