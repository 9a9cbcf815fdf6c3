"""The audit trail: every change recorded in the tracker's history, oldest first: when, who,
why, and for a change each field's value before and after.

Streamed: each history table is read in time order by one query whose window function (`LAG`)
puts each row's previous values beside it, so nothing is sorted or held in Python; the tables'
streams are merged by time. `since`/`until` and the organisations are applied in SQL (the
previous row is still found when it lies before `since`). One query per history table and one
for the users, whatever the size; past one sheet's rows the trail continues on "Audit (2)", or
choose CSV.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, Max, Window
from django.db.models.functions import Lag

from imports.exports.scope import organisation_ids
from imports.exports.writer import Col, new_book
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
    User,
)
from tracker.selectors import history_filter
from tracker.selectors.history import start_of_day

COLUMNS = [
    Col("When", 17, "datetime"),
    Col("Who", 18),
    Col("Why", 40),
    Col("Record Type", 14),
    Col("Record", 30),
    Col("Change", 9),
    Col("Field", 20),
    Col("Before", 24),
    Col("After", 24),
]
AUDITED = (Organisation, Succession, Programme, Post, StaffMember, Assignment, PlannedChange)
_CHANGE_NAMES = {"+": "Created", "~": "Changed", "-": "Deleted"}
_HEAD = ("history_date", "history_id", "history_user_id", "history_change_reason", "history_type")


def _record_label(model, row: dict) -> str:
    if model is Organisation:
        return f"{row['code']} {row['name']}"
    if model is Post:
        return f"{row['position_number']} {row['title']}"
    if model is StaffMember:
        return f"{row['employee_number']} {row['first_name']} {row['last_name']}"
    if model is Assignment:
        return row["assignment_number"]
    if model is Programme:
        return row["slug"]
    return f"#{row['id']}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _history_rows(model, *, ids, since: dt.date | None, until: dt.date | None) -> Iterator[tuple]:
    """(when, order, model, row) in time order, each row carrying its previous values."""
    history = model.history.model
    tracked = [
        f.attname for f in history._meta.concrete_fields if not f.name.startswith("history_")
    ]
    per_record = {"partition_by": [F("id")], "order_by": [F("history_date"), F("history_id")]}
    rows = history.objects.all()
    if ids is not None:
        rows = rows.filter(history_filter(model, ids))
    if until is not None:
        rows = rows.filter(history_date__lt=start_of_day(until + dt.timedelta(days=1)))
    rows = rows.annotate(
        had_before=Window(Lag("history_id"), **per_record),
        **{f"before_{name}": Window(Lag(name), **per_record) for name in tracked if name != "id"},
    )
    if since is not None:
        # A filter on a window expression is applied after the window (Django's QUALIFY), so
        # the row before `since` is still each first row's "before". `when` is history_date.
        rows = rows.annotate(
            when=Window(Max("history_date"), partition_by=[F("history_id")])
        ).filter(when__gte=start_of_day(since))
    names = [*tracked, *_HEAD, "had_before", *(f"before_{n}" for n in tracked if n != "id")]
    for row in rows.order_by("history_date", "history_id").values(*names).iterator(chunk_size=2000):
        yield (row["history_date"], row["history_id"], model, tracked, row)


def audit_lines(
    *, ids=None, since: dt.date | None = None, until: dt.date | None = None
) -> Iterator[tuple]:
    users = dict(User.objects.values_list("id", "username"))
    streams = [_history_rows(m, ids=ids, since=since, until=until) for m in AUDITED]
    for _when, _order, model, tracked, row in heapq.merge(
        *streams, key=lambda item: (item[0], AUDITED.index(item[2]), item[1])
    ):
        head = (
            row["history_date"],
            users.get(row["history_user_id"], ""),
            row["history_change_reason"] or "",
            model._meta.verbose_name.capitalize(),
            _record_label(model, row),
            _CHANGE_NAMES.get(row["history_type"], row["history_type"]),
        )
        if row["history_type"] == "~" and row["had_before"] is not None:
            for name in tracked:
                if name != "id" and row[f"before_{name}"] != row[name]:
                    yield (*head, name, _text(row[f"before_{name}"]), _text(row[name]))
        else:
            yield (*head, "", "", "")


def export_audit(
    stream,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    organisation: Organisation | None = None,
    user: User | None = None,
    fmt: str = "xlsx",
    progress=None,
    max_rows: int | None = None,
) -> int:
    """Every change recorded in the tracker's history from the start of `since` to the end of
    `until` (local dates), for the organisations asked for and visible to `user`."""
    ids = organisation_ids(user, organisation)
    book = new_book(stream, fmt, progress=progress, max_rows=max_rows)
    sheet = book.sheet("Audit", COLUMNS)
    for line in audit_lines(ids=ids, since=since, until=until):
        sheet.append(line)
    sheet.finish()
    bounds = []
    if since:
        bounds.append(f"from {since:%d/%m/%Y}")
    if until:
        bounds.append(f"to {until:%d/%m/%Y}")
    title = "Audit trail of the tracker" + (f": {organisation}" if organisation else "")
    book.about(" ".join([title, *bounds]))
    book.save()
    return sheet.rows
