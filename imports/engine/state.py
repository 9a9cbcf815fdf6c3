"""What the tracker holds of the rows a workbook names, read in bulk before planning.

Only the fields the planners compare are kept, as named tuples (a dict or model instance per row
would cost several times the memory at 100,000 rows); an update sets only the fields the file
has, and its history row is copied from the updated row by the database. `watermark` tells
whether the tracker changed between planning and writing.
"""

from __future__ import annotations

import decimal
from collections import namedtuple
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Count, DecimalField, Max

from imports.engine.fields import ASSIGNMENT_FIELDS, POST_FIELDS, STAFF_FIELDS
from imports.engine.history import concrete_attnames
from imports.engine.rows import ParsedWorkbook
from imports.engine.spec import MEMO_LIMIT
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
)

CHUNK = 5_000  # values per IN (...) query
AUDITED = (Organisation, Succession, Programme, Post, StaffMember, Assignment, PlannedChange)


def _chunked_rows(model, lookup: str, keys: set, fields: tuple[str, ...]) -> Iterator[tuple]:
    """Yield the rows whose `lookup` is one of `keys`, as named tuples of `fields`. When the file
    names a good share of the table (a full establishment), reading the whole table is much
    cheaper than long IN lists."""
    if not keys:
        return
    rows = model.objects.order_by().values_list(*fields)
    if len(keys) > CHUNK and 2 * len(keys) > model.objects.count():
        at = fields.index(lookup)
        for row in _fetch(rows, fields):
            if row[at] in keys:
                yield row
        return
    keys = list(keys)
    for start in range(0, len(keys), CHUNK):
        yield from _fetch(rows.filter(**{f"{lookup}__in": keys[start : start + CHUNK]}), fields)


def _fetch(queryset, fields: tuple[str, ...]) -> Iterator[tuple]:
    """A `values_list` queryset's rows as named tuples, read with a plain cursor.

    Django's own iterator passes every row through a generic conversion loop that, at 300,000
    rows, costs more than reading them. The drivers already return text, integers, dates and
    booleans as Python values (on SQLite too: Django registers converters for its declared
    date and bool columns); only decimals need converting, because SQLite keeps them as REAL or
    INTEGER. That is done here as Django does it, each distinct value once."""
    model = queryset.model
    decimals = [
        (position, _decimal_converter(model._meta.get_field(name)))
        for position, name in enumerate(fields)
        if "__" not in name and isinstance(model._meta.get_field(name), DecimalField)
    ]
    row_class = namedtuple(f"{model.__name__}State", fields)
    new = tuple.__new__
    sql, params = queryset.query.sql_with_params()
    # A server-side cursor on PostgreSQL, so the whole result is never held at once.
    with connections[queryset.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            for row in chunk:
                if decimals:
                    row = list(row)
                    for position, convert in decimals:
                        row[position] = convert(row[position])
                yield new(row_class, row)


def _decimal_converter(field: DecimalField) -> Callable[[object], Decimal | None]:
    """Django's SQLite conversion of a stored decimal (15 significant digits, then the field's
    places), remembering up to MEMO_LIMIT distinct values; PostgreSQL's Decimals are kept as
    they come, one object per distinct value."""
    quantum = Decimal(1).scaleb(-field.decimal_places)
    from_float = decimal.Context(prec=15).create_decimal_from_float
    remembered: dict[object, Decimal] = {}

    def convert(value: object) -> Decimal | None:
        if value is None:
            return value
        if isinstance(value, Decimal):
            # PostgreSQL's: every value of a numeric column comes at the column's scale, so
            # equal values print alike and one object can stand for them all (100,000 salaries
            # as objects of their own hold 10 MB).
            if len(remembered) < MEMO_LIMIT:
                return remembered.setdefault(value, value)
            return remembered.get(value, value)
        converted = remembered.get(value)
        if converted is None:
            converted = from_float(value).quantize(quantum, context=field.context)
            if len(remembered) < MEMO_LIMIT:
                remembered[value] = converted
        return converted

    return convert


def hold_tracker() -> None:
    """Hold off every other writer of the tracker tables until the current transaction ends, so
    the `watermark` compared next stays true while the plan is written (or planned again).

    On SQLite the import's transaction is IMMEDIATE and already holds the database's write
    lock. On PostgreSQL this takes SHARE ROW EXCLUSIVE on each audited table, always in the same
    order, so two imports queue rather than deadlock: every other writer needs ROW EXCLUSIVE
    and waits; readers (ACCESS SHARE) carry on. Called inside the write's transaction."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in AUDITED:
            cursor.execute(f"LOCK TABLE {quote(model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def watermark() -> tuple:
    """How many history rows each audited table has, and its latest: every write to the tracker
    writes history, so this changes whenever the tracker does (the count catches a concurrent
    transaction that took a lower id but committed later)."""
    marks = []
    for model in AUDITED:
        found = model.history.aggregate(rows=Count("history_id"), top=Max("history_id"))
        marks.append((found["rows"], found["top"] or 0))
    return tuple(marks)


# What the planner keeps of each post, person and assignment the file names: only the fields it
# compares, as named tuples (a dict or model instance per row would cost several times the
# memory at 100,000 rows). The few rows that change are read again in full by `_complete_rows`,
# because their update and history row need every field.
POST_STATE = ("id", "organisation_id", "position_number", *POST_FIELDS)
STAFF_STATE = ("id", "employee_number", *STAFF_FIELDS)
ASSIGNMENT_STATE = (
    "id",
    "assignment_number",
    "post_id",
    "post__organisation_id",
    "post__position_number",
    "staff_member__employee_number",
    *ASSIGNMENT_FIELDS,
)


@dataclass
class State:
    orgs: dict[str, dict]
    org_codes: dict[int, str]
    successions: dict[tuple[int, int], dict]
    programmes_by_slug: dict[str, int]
    programmes_by_name: dict[str, int]
    posts: dict[tuple[int, str], tuple]  # (organisation id, position number) -> POST_STATE
    post_orgs: dict[str, tuple[int, ...]]  # position number -> organisation ids holding it
    staff: dict[str, tuple]  # employee number -> STAFF_STATE
    assignments: dict[str, tuple]  # assignment number -> ASSIGNMENT_STATE
    changes: dict[tuple[int, int], dict]


def load_state(parsed: ParsedWorkbook) -> State:
    orgs = {
        o["code"]: o
        for o in Organisation.objects.order_by().values(*concrete_attnames(Organisation))
    }
    successions = {
        (s["predecessor_id"], s["successor_id"]): s
        for s in Succession.objects.order_by().values(*concrete_attnames(Succession))
    }
    programmes = list(Programme.objects.order_by().values("id", "slug", "name"))
    positions: set[str] = set()
    employees: set[str] = set()
    assignment_numbers: set[str] = set()
    for key in ("establishment", "changes"):
        sheet = parsed.sheets.get(key)
        if sheet is None:
            continue
        for name, found in (
            ("position_number", positions),
            ("employee_number", employees),
            ("assignment_number", assignment_numbers),
        ):
            if name in sheet.index:
                at = sheet.index[name]
                found.update(row.values.data[at] for row in sheet.rows)
                found.discard("")
                found.discard(None)
    posts: dict[tuple[int, str], tuple] = {}
    post_orgs: dict[str, tuple[int, ...]] = {}
    for post in _chunked_rows(Post, "position_number", positions, POST_STATE):
        posts[(post.organisation_id, post.position_number)] = post
        post_orgs[post.position_number] = (
            *post_orgs.get(post.position_number, ()),
            post.organisation_id,
        )
    del positions
    staff = {
        s.employee_number: s
        for s in _chunked_rows(StaffMember, "employee_number", employees, STAFF_STATE)
    }
    del employees
    assignments = {
        a.assignment_number: a
        for a in _chunked_rows(
            Assignment, "assignment_number", assignment_numbers, ASSIGNMENT_STATE
        )
    }
    del assignment_numbers
    programme_ids = {p["id"] for p in programmes}
    changes = {}
    if "changes" in parsed.sheets and programme_ids:
        for c in (
            PlannedChange.objects.filter(programme_id__in=programme_ids)
            .exclude(status=PlannedChange.Status.CANCELLED)
            .order_by()
            .values(*concrete_attnames(PlannedChange))
        ):
            changes[(c["programme_id"], c["post_id"])] = c
    return State(
        orgs=orgs,
        org_codes={o["id"]: code for code, o in orgs.items()},
        successions=successions,
        programmes_by_slug={p["slug"].lower(): p["id"] for p in programmes},
        programmes_by_name={" ".join(p["name"].lower().split()): p["id"] for p in programmes},
        posts=posts,
        post_orgs=post_orgs,
        staff=staff,
        assignments=assignments,
        changes=changes,
    )
