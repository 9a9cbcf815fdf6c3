"""The audit history, read once: one record's timeline (`record_timeline`), how a history row
becomes an entry with its fields before and after (`_entries`), and which records' history
belongs to an organisation (`history_filter`). The changes over a window, paged, are
`tracker.selectors.changelog`. The admin history screen and the audit export read through here,
so they cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q
from django.utils import timezone

from tracker.formatting import format_wte
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

#
# Every read of the past is a bounded number of queries whatever the size of the history: rows
# are filtered by organisation and date in SQL first, "the newest row of each record before a
# moment" is a correlated subquery on the history table (not a ranking of every organisation's
# history in Python), and readable labels for foreign keys and records come from one query per
# related model, never one per row.


def start_of_day(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the site's time zone (Europe/London)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class TimelineEntry:
    """One history row, as a person reads it: when, who, why, and what changed."""

    when: dt.datetime
    who: str
    why: str
    kind: str  # "Created", "Changed", "Deleted"
    record: str
    model: str
    object_id: int
    changes: tuple[FieldChange, ...]


_KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _tracked_fields(model: type[Model]) -> list:
    return [f for f in model._meta.concrete_fields if f.name != "id"]


def _label(field) -> str:
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def _display(field, value: Any, labels: dict[tuple[type, Any], str]) -> str:
    if value is None or value == "":
        return ""
    if field.is_relation:
        return labels.get((field.related_model, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.isoformat()
    if field.name == "wte":
        return format_wte(value)
    return str(value)


def _labels_for(related: type[Model], ids: set) -> dict[tuple[type, Any], str]:
    """Readable names for `ids` of `related`, in one query."""
    if not ids:
        return {}
    rows = related._default_manager.filter(pk__in=ids)
    if related is Organisation:
        pairs = list(rows.values_list("pk", "code"))
    elif related is User:
        pairs = [
            (pk, f"{first} {last}".strip() or username)
            for pk, first, last, username in rows.values_list(
                "pk", "first_name", "last_name", "username"
            )
        ]
    elif related is Post:
        pairs = [
            (pk, f"{number} {title}")
            for pk, number, title in rows.values_list("pk", "position_number", "title")
        ]
    elif related is StaffMember:
        pairs = [
            (pk, f"{first} {last} ({number})")
            for pk, first, last, number in rows.values_list(
                "pk", "first_name", "last_name", "employee_number"
            )
        ]
    else:
        # Programme, Assignment: __str__ reads only the record's own fields.
        pairs = [(o.pk, str(o)) for o in related._default_manager.filter(pk__in=ids)]
    return {(related, pk): label for pk, label in pairs}


def _related_labels(model: type[Model], rows: list) -> dict[tuple[type, Any], str]:
    """Readable names for every foreign key value in `rows`, one query per related model."""
    labels: dict[tuple[type, Any], str] = {}
    for field in _tracked_fields(model):
        if field.is_relation:
            ids = {getattr(r, field.attname) for r in rows} - {None}
            labels.update(_labels_for(field.related_model, ids))
    return labels


def _record_label(model: type[Model], row, labels: dict[tuple[type, Any], str]) -> str:
    """What the record was called in this history row, from the row and the prefetched labels
    (the models' __str__ would read related records: one query per row)."""
    if model is PlannedChange:
        action = dict(PlannedChange.Action.choices).get(row.action, row.action)
        status = dict(PlannedChange.Status.choices).get(row.status, row.status)
        return f"{action}: {labels.get((Post, row.post_id), row.post_id)} ({status})"
    if model is Succession:
        before = labels.get((Organisation, row.predecessor_id), row.predecessor_id)
        after = labels.get((Organisation, row.successor_id), row.successor_id)
        return f"{before} → {after} on {row.effective_on:%d %b %Y}"
    if model is Assignment:
        return row.assignment_number
    return str(row.instance)  # Organisation, Post, StaffMember, Programme: own fields only


def _entries(model: type[Model], history_rows: list, *, keep_ids: bool = False) -> list:
    """Turn history rows (ordered oldest first, grouped by object) into timeline entries,
    each compared with the row before it for the same object (with `keep_ids`, each entry
    paired with its history row's id)."""
    fields = _tracked_fields(model)
    labels = _related_labels(model, history_rows)
    users = {
        key[1]: label
        for key, label in _labels_for(
            User, {r.history_user_id for r in history_rows} - {None}
        ).items()
    }
    previous: dict[int, Any] = {}
    entries = []
    for row in history_rows:
        before = previous.get(row.id)
        changes = []
        for field in fields:
            new = getattr(row, field.attname)
            old = getattr(before, field.attname) if before is not None else None
            if before is None and row.history_type == "+" and new in (None, ""):
                continue
            if before is None or old != new:
                changes.append(
                    FieldChange(
                        field=field.name,
                        label=_label(field),
                        before=_display(field, old, labels) if before is not None else "",
                        after=_display(field, new, labels),
                    )
                )
        previous[row.id] = row
        if getattr(row, "_context_only", False):
            continue  # read only so the next row has its "before"
        if before is not None and row.history_type == "~" and not changes:
            continue  # a write that changed nothing (e.g. an m2m snapshot) is not news
        entry = TimelineEntry(
            when=row.history_date,
            who=users.get(row.history_user_id, "unknown"),
            why=row.history_change_reason or "",
            kind=_KINDS.get(row.history_type, row.history_type),
            record=_record_label(model, row, labels),
            model=str(model._meta.verbose_name),
            object_id=row.id,
            changes=tuple(changes),
        )
        entries.append((entry, row.history_id) if keep_ids else entry)
    return entries


def record_timeline(instance: Model) -> list[TimelineEntry]:
    """Every change to one record, newest first, with who, why and the fields before/after."""
    rows = list(instance.history.order_by("history_date", "history_id"))  # type: ignore[attr-defined]
    return list(reversed(_entries(type(instance), rows)))


def history_filter(model: type[Model], organisation_ids, *, post_ids=None, staff_ids=None) -> Q:
    """History rows of records that belonged to one of `organisation_ids` (a list or a
    subquery) at any point: filtered in SQL, with subqueries, never lists of ids in Python.
    `post_ids` and `staff_ids`, when given, are those records (`changelog._RecordsOf`), else
    subqueries."""
    if post_ids is None:
        post_ids = Post.history.filter(organisation_id__in=organisation_ids).values("id")
    if model is Organisation:
        return Q(id__in=organisation_ids)
    if model is Post:
        return Q(id__in=post_ids)
    if model is Assignment:
        return Q(post_id__in=post_ids)
    if model is PlannedChange:
        return Q(post_id__in=post_ids) | Q(destination_organisation_id__in=organisation_ids)
    if model is StaffMember:
        if staff_ids is None:
            staff_ids = Assignment.history.filter(post_id__in=post_ids).values("staff_member_id")
        return Q(id__in=staff_ids)
    if model is Succession:
        return Q(predecessor_id__in=organisation_ids) | Q(successor_id__in=organisation_ids)
    if model is Programme:
        return Q(
            id__in=Programme.organisations.through.objects.filter(
                organisation_id__in=organisation_ids
            ).values("programme_id")
        )
    raise ValueError(f"No organisation filter for {model.__name__}.")
