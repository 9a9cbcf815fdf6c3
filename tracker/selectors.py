"""Reads that several screens, exports and commands share.

Who may see which records is decided here once (`visible_organisations`, `scoped`), and the
audit history is read here once (`record_timeline`, `changes_between`, `establishment_as_of`),
so the admin history screen, the audit export and the as-of export cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

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
from tracker.roles import AUDITOR, HR_MANAGER, has_role

# --- who sees what -----------------------------------------------------------------------------


def sees_all_organisations(user: User) -> bool:
    """Superusers and auditors (read-only) see every organisation; everyone else sees the
    organisations their role is assigned to."""
    return user.is_superuser or has_role(user, AUDITOR)


def visible_organisations(user: User) -> QuerySet[Organisation]:
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if sees_all_organisations(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(users=user)


def scoped(model: type[Model], user: User) -> QuerySet:
    """The records of `model` that `user` may see, by organisation."""
    queryset = model._default_manager.all()
    if sees_all_organisations(user):
        return queryset
    org_ids = visible_organisations(user).values("pk")
    if model is Organisation:
        return queryset.filter(pk__in=org_ids)
    if model is Post:
        return queryset.filter(organisation__in=org_ids)
    if model is Assignment:
        return queryset.filter(post__organisation__in=org_ids)
    if model is StaffMember:
        held_here = Q(
            pk__in=Assignment.objects.filter(post__organisation__in=org_ids).values("staff_member")
        )
        if has_role(user, HR_MANAGER):
            # A person who holds no post yet belongs to no organisation: the HR manager who
            # records them must be able to find them again to assign them.
            holds_none = ~Q(Exists(Assignment.objects.filter(staff_member=OuterRef("pk"))))
            return queryset.filter(held_here | holds_none)
        return queryset.filter(held_here)
    if model is PlannedChange:
        return queryset.filter(
            Q(post__organisation__in=org_ids) | Q(destination_organisation__in=org_ids)
        )
    if model is Programme:
        return queryset.filter(organisations__in=org_ids).distinct()
    if model is Succession:
        return queryset.filter(Q(predecessor__in=org_ids) | Q(successor__in=org_ids))
    raise ValueError(f"No organisation scoping is defined for {model.__name__}.")


# --- audit history -----------------------------------------------------------------------------
#
# Every read of the past is a bounded number of queries whatever the size of the history: rows
# are filtered by organisation and date in SQL first, "the newest row of each record before a
# moment" is a correlated subquery on the history table (not a ranking of every organisation's
# history in Python), and readable labels for foreign keys and records come from one query per
# related model, never one per row.


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


def _entries(model: type[Model], history_rows: list) -> list[TimelineEntry]:
    """Turn history rows (ordered oldest first, grouped by object) into timeline entries,
    each compared with the row before it for the same object."""
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
        entries.append(
            TimelineEntry(
                when=row.history_date,
                who=users.get(row.history_user_id, "unknown"),
                why=row.history_change_reason or "",
                kind=_KINDS.get(row.history_type, row.history_type),
                record=_record_label(model, row, labels),
                model=str(model._meta.verbose_name),
                object_id=row.id,
                changes=tuple(changes),
            )
        )
    return entries


def record_timeline(instance: Model) -> list[TimelineEntry]:
    """Every change to one record, newest first, with who, why and the fields before/after."""
    rows = list(instance.history.order_by("history_date", "history_id"))  # type: ignore[attr-defined]
    return list(reversed(_entries(type(instance), rows)))


HISTORY_MODELS: tuple[type[Model], ...] = (
    Organisation,
    Post,
    StaffMember,
    Assignment,
    PlannedChange,
)


def changes_between(
    *,
    start: dt.date,
    end: dt.date,
    organisation: Organisation | None = None,
    models: tuple[type[Model], ...] = HISTORY_MODELS,
) -> list[TimelineEntry]:
    """Every recorded change from the start of `start` to the end of `end` (local dates),
    oldest first. With `organisation`, only records that belonged to it at any point.

    Per model two queries read the rows in the window and, for each record changed in it, its
    newest row before the window (so the first change has its "before"); then one query per
    related model labels them. Nothing before the window is read beyond that one row each."""
    since, until = _start_of(start), _start_of(end + dt.timedelta(days=1))
    entries: list[TimelineEntry] = []
    for model in models:
        history = model.history.model  # type: ignore[attr-defined]
        in_window = history.objects.filter(history_date__gte=since, history_date__lt=until)
        if organisation is not None:
            in_window = in_window.filter(history_filter(model, [organisation.pk]))
        window_rows = list(in_window.order_by("id", "history_date", "history_id"))
        if not window_rows:
            continue
        newest_before = (
            history.objects.filter(id=OuterRef("id"), history_date__lt=since)
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        context = list(
            history.objects.filter(
                id__in=in_window.values("id"), history_id=Subquery(newest_before)
            )
        )
        for row in context:
            row._context_only = True
        by_id: dict[int, list] = {}
        for row in context + window_rows:  # each record's context row comes first
            by_id.setdefault(row.id, []).append(row)
        rows = [row for object_rows in by_id.values() for row in object_rows]
        entries += _entries(model, rows)
    return sorted(entries, key=lambda e: (e.when, e.model, e.object_id))


def history_filter(model: type[Model], organisation_ids) -> Q:
    """History rows of records that belonged to one of `organisation_ids` (a list or a
    subquery) at any point: filtered in SQL, with subqueries, never lists of ids in Python."""
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
        return Q(id__in=Assignment.history.filter(post_id__in=post_ids).values("staff_member_id"))
    if model is Succession:
        return Q(predecessor_id__in=organisation_ids) | Q(successor_id__in=organisation_ids)
    if model is Programme:
        return Q(
            id__in=Programme.organisations.through.objects.filter(
                organisation_id__in=organisation_ids
            ).values("programme_id")
        )
    raise ValueError(f"No organisation filter for {model.__name__}.")


# --- the establishment as it stood -------------------------------------------------------------


@dataclass(frozen=True)
class HolderSnapshot:
    assignment_number: str
    employee_number: str
    first_name: str
    last_name: str
    work_email: str
    date_of_birth: dt.date | None
    nhs_service_start: dt.date | None
    annual_salary: Decimal | None
    category: str
    start_on: dt.date | None
    end_on: dt.date | None


@dataclass(frozen=True)
class PostSnapshot:
    post_id: int
    organisation_code: str
    organisation_name: str
    position_number: str
    title: str
    directorate: str
    band: str
    wte: Decimal
    cost_centre: str
    is_board_level: bool
    status: str
    holders: tuple[HolderSnapshot, ...]


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _moment_after(as_of: dt.date) -> dt.datetime:
    """ "As of a date" means as recorded by the end of that day (Europe/London)."""
    return _start_of(as_of + dt.timedelta(days=1))


def latest_history(
    model: type[Model], moment: dt.datetime, *, among: QuerySet | None = None
) -> QuerySet:
    """Each record's newest history row recorded before `moment`, skipping deleted records;
    `among` (a subquery of record ids) narrows the records first. Further filters on the result
    apply to those newest rows, so a post that has since moved is judged where it stood."""
    history = model.history.model  # type: ignore[attr-defined]
    newest = (
        history.objects.filter(id=OuterRef("id"), history_date__lt=moment)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = history.objects.filter(history_date__lt=moment)
    if among is not None:
        rows = rows.filter(id__in=among)
    return rows.filter(history_id=Subquery(newest)).exclude(history_type="-")


POST_SNAPSHOT_FIELDS = (
    "id",
    "organisation_id",
    "position_number",
    "title",
    "directorate",
    "band",
    "wte",
    "cost_centre",
    "is_board_level",
    "status",
)


def posts_as_of(*, as_of: dt.date, organisation_ids=None) -> QuerySet:
    """The live posts at the end of `as_of` as history rows (values), ordered by organisation
    code and position number: one query, pageable (`Paginator`) and streamable (`iterator`).
    `organisation_ids` (a list or a subquery) limits them to posts that stood in those
    organisations; None means every organisation."""
    moment = _moment_after(as_of)
    among = None
    if organisation_ids is not None:
        among = Post.history.filter(
            organisation_id__in=organisation_ids, history_date__lt=moment
        ).values("id")
    rows = latest_history(Post, moment, among=among).filter(status=Post.Status.LIVE)
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=organisation_ids)
    code = Organisation.objects.filter(pk=OuterRef("organisation_id")).values("code")[:1]
    return (
        rows.annotate(organisation_code=Subquery(code))
        .order_by("organisation_code", "position_number", "id")
        .values(*POST_SNAPSHOT_FIELDS, "organisation_code")
    )


_HOLDER_FIELDS = (
    "post_id",
    "staff_member_id",
    "assignment_number",
    "annual_salary",
    "category",
    "start_on",
    "end_on",
)
_PERSON_FIELDS = (
    "id",
    "employee_number",
    "first_name",
    "last_name",
    "work_email",
    "date_of_birth",
    "nhs_service_start",
)


def current_holders_as_of(*, as_of: dt.date, post_ids) -> QuerySet:
    """History rows of the assignments of `post_ids` (a list or a subquery) current on `as_of`,
    as recorded by its end."""
    moment = _moment_after(as_of)
    return latest_history(
        Assignment, moment, among=Assignment.history.filter(post_id__in=post_ids).values("id")
    ).filter(
        Q(start_on__isnull=True) | Q(start_on__lte=as_of),
        Q(end_on__isnull=True) | Q(end_on__gte=as_of),
        post_id__in=post_ids,
    )


def holders_as_of(*, as_of: dt.date, post_ids) -> dict[int, tuple[HolderSnapshot, ...]]:
    """The holders of `post_ids` (a list or a subquery) current on `as_of`, as recorded by its
    end, by post: two queries."""
    moment = _moment_after(as_of)
    assignments = current_holders_as_of(as_of=as_of, post_ids=post_ids)
    rows = list(assignments.order_by("assignment_number").values_list(*_HOLDER_FIELDS))
    people = {
        p[0]: p
        for p in latest_history(
            StaffMember, moment, among=assignments.values("staff_member_id")
        ).values_list(*_PERSON_FIELDS)
    }
    holders: dict[int, list[HolderSnapshot]] = {}
    for post_id, person_id, number, salary, category, start_on, end_on in rows:
        person = people.get(person_id)
        if person is None:
            continue
        holders.setdefault(post_id, []).append(
            HolderSnapshot(
                assignment_number=number,
                employee_number=person[1],
                first_name=person[2],
                last_name=person[3],
                work_email=person[4],
                date_of_birth=person[5],
                nhs_service_start=person[6],
                annual_salary=salary,
                category=category,
                start_on=start_on,
                end_on=end_on,
            )
        )
    return {post_id: tuple(items) for post_id, items in holders.items()}


def organisation_names_as_of(*, as_of: dt.date, organisation_ids) -> dict[int, tuple[str, str]]:
    """(code, name) of each organisation as recorded by the end of `as_of`: one query."""
    rows = latest_history(
        Organisation,
        _moment_after(as_of),
        among=Organisation.objects.filter(pk__in=organisation_ids).values("pk"),
    ).values_list("id", "code", "name")
    return {pk: (code, name) for pk, code, name in rows}


def post_snapshots(
    *, as_of: dt.date, post_rows: list[dict], holders: dict | None = None, names: dict | None = None
) -> list[PostSnapshot]:
    """PostSnapshots for rows of `posts_as_of` (a page or a chunk): two or three queries."""
    if holders is None:
        holders = holders_as_of(as_of=as_of, post_ids=[r["id"] for r in post_rows])
    if names is None:
        names = organisation_names_as_of(
            as_of=as_of, organisation_ids={r["organisation_id"] for r in post_rows}
        )
    snapshots = []
    for r in post_rows:
        code, name = names.get(r["organisation_id"], (r["organisation_code"] or "", ""))
        snapshots.append(
            PostSnapshot(
                post_id=r["id"],
                organisation_code=code,
                organisation_name=name,
                position_number=r["position_number"],
                title=r["title"],
                directorate=r["directorate"],
                band=r["band"],
                wte=r["wte"],
                cost_centre=r["cost_centre"],
                is_board_level=r["is_board_level"],
                status=r["status"],
                holders=holders.get(r["id"], ()),
            )
        )
    return snapshots


def establishment_as_of(
    *, as_of: dt.date, organisation: Organisation | None = None, organisation_ids=None
) -> list[PostSnapshot]:
    """The live posts, their holders and their organisation as recorded at the end of `as_of`
    (local time), read from history, so it answers for any past date and for records that
    have since moved organisation. Holders are assignments current on that date. Four queries
    whatever the size; a screen pages `posts_as_of` instead of building the whole list."""
    if organisation is not None:
        organisation_ids = [organisation.pk]
    posts = posts_as_of(as_of=as_of, organisation_ids=organisation_ids)
    rows = list(posts)
    if not rows:
        return []
    return post_snapshots(
        as_of=as_of,
        post_rows=rows,
        holders=holders_as_of(as_of=as_of, post_ids=posts.values("id")),
    )


def current_holders(posts: QuerySet[Post], *, on: dt.date | None = None) -> QuerySet[Assignment]:
    """Assignments current on `on` (today by default) for the given posts."""
    on = on or timezone.localdate()
    return Assignment.objects.filter(post__in=posts).filter(
        Q(start_on__isnull=True) | Q(start_on__lte=on),
        Q(end_on__isnull=True) | Q(end_on__gte=on),
    )
