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

from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
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


def _related_labels(model: type[Model], rows: list) -> dict[tuple[type, Any], str]:
    """Readable names for every foreign key value in `rows`, one query per related model."""
    labels: dict[tuple[type, Any], str] = {}
    for field in _tracked_fields(model):
        if not field.is_relation:
            continue
        ids = {getattr(r, field.attname) for r in rows} - {None}
        if not ids:
            continue
        related = field.related_model
        if related is Organisation:
            pairs = related.objects.filter(pk__in=ids).values_list("pk", "code")
        elif related is User:
            pairs = [
                (u.pk, u.get_full_name() or u.get_username())
                for u in related.objects.filter(pk__in=ids)
            ]
        else:
            pairs = [(o.pk, str(o)) for o in related._default_manager.filter(pk__in=ids)]
        labels.update({((related, pk)): label for pk, label in pairs})
    return labels


def _entries(model: type[Model], history_rows: list) -> list[TimelineEntry]:
    """Turn history rows (ordered oldest first, grouped by object) into timeline entries,
    each compared with the row before it for the same object."""
    fields = _tracked_fields(model)
    labels = _related_labels(model, history_rows)
    users = {
        u.pk: (u.get_full_name() or u.get_username())
        for u in User.objects.filter(pk__in={r.history_user_id for r in history_rows} - {None})
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
        if before is not None and row.history_type == "~" and not changes:
            continue  # a write that changed nothing (e.g. an m2m snapshot) is not news
        entries.append(
            TimelineEntry(
                when=row.history_date,
                who=users.get(row.history_user_id, "unknown"),
                why=row.history_change_reason or "",
                kind=_KINDS.get(row.history_type, row.history_type),
                record=str(row.instance) if hasattr(row, "instance") else str(row.id),
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


def changes_between(
    *,
    start: dt.date,
    end: dt.date,
    organisation: Organisation | None = None,
    models: tuple[type[Model], ...] = (Organisation, Post, StaffMember, Assignment, PlannedChange),
) -> list[TimelineEntry]:
    """Every recorded change from the start of `start` to the end of `end` (local dates),
    oldest first. With `organisation`, only records that belonged to it at any point."""
    since, until = _start_of(start), _start_of(end + dt.timedelta(days=1))
    post_ids = None
    if organisation is not None:
        post_ids = set(
            Post.history.filter(organisation_id=organisation.pk).values_list("id", flat=True)
        )
    entries: list[TimelineEntry] = []
    for model in models:
        rows = model.history.filter(history_date__lt=until)  # type: ignore[attr-defined]
        if organisation is not None:
            rows = rows.filter(_organisation_filter(model, organisation, post_ids))
        rows = list(rows.order_by("id", "history_date", "history_id"))
        # Earlier rows are read so the first change in the window has its "before".
        entries += [e for e in _entries(model, rows) if e.when >= since]
    return sorted(entries, key=lambda e: e.when)


def _organisation_filter(model, organisation, post_ids) -> Q:
    if model is Organisation:
        return Q(id=organisation.pk)
    if model is Post:
        return Q(id__in=post_ids)
    if model is Assignment or model is PlannedChange:
        return Q(post_id__in=post_ids)
    if model is StaffMember:
        return Q(id__in=Assignment.history.filter(post_id__in=post_ids).values("staff_member_id"))
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


def _latest_rows(model: type[Model], moment: dt.datetime, **filters) -> QuerySet:
    """Each object's newest history row recorded before `moment`, skipping deleted ones."""
    ranked = model.history.filter(  # type: ignore[attr-defined]
        history_date__lt=moment, **filters
    ).annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("id")],
            order_by=[F("history_date").desc(), F("history_id").desc()],
        )
    )
    return ranked.filter(rank=1).exclude(history_type="-")


def establishment_as_of(
    *, as_of: dt.date, organisation: Organisation | None = None
) -> list[PostSnapshot]:
    """The live posts, their holders and their organisation as recorded at the end of `as_of`
    (local time), read from history, so it answers for any past date and for records that
    have since moved organisation. Holders are assignments current on that date."""
    moment = _start_of(as_of + dt.timedelta(days=1))
    posts = [
        p
        for p in _latest_rows(Post, moment)
        if p.status == Post.Status.LIVE
        and (organisation is None or p.organisation_id == organisation.pk)
    ]
    post_ids = {p.id for p in posts}
    assignments = [
        a
        for a in _latest_rows(Assignment, moment)
        if a.post_id in post_ids
        and (a.start_on is None or a.start_on <= as_of)
        and (a.end_on is None or a.end_on >= as_of)
    ]
    staff = {
        s.id: s
        for s in _latest_rows(StaffMember, moment, id__in={a.staff_member_id for a in assignments})
    }
    organisations = {
        o.id: o
        for o in _latest_rows(Organisation, moment, id__in={p.organisation_id for p in posts})
    }
    holders: dict[int, list[HolderSnapshot]] = {}
    for a in sorted(assignments, key=lambda a: a.assignment_number):
        person = staff.get(a.staff_member_id)
        if person is None:
            continue
        holders.setdefault(a.post_id, []).append(
            HolderSnapshot(
                assignment_number=a.assignment_number,
                employee_number=person.employee_number,
                first_name=person.first_name,
                last_name=person.last_name,
                work_email=person.work_email,
                date_of_birth=person.date_of_birth,
                nhs_service_start=person.nhs_service_start,
                annual_salary=a.annual_salary,
                category=a.category,
                start_on=a.start_on,
                end_on=a.end_on,
            )
        )
    snapshots = []
    for p in posts:
        org = organisations.get(p.organisation_id)
        snapshots.append(
            PostSnapshot(
                post_id=p.id,
                organisation_code=org.code if org else "",
                organisation_name=org.name if org else "",
                position_number=p.position_number,
                title=p.title,
                directorate=p.directorate,
                band=p.band,
                wte=p.wte,
                cost_centre=p.cost_centre,
                is_board_level=p.is_board_level,
                status=p.status,
                holders=tuple(holders.get(p.id, ())),
            )
        )
    return sorted(snapshots, key=lambda s: (s.organisation_code, s.position_number))


def current_holders(posts: QuerySet[Post], *, on: dt.date | None = None) -> QuerySet[Assignment]:
    """Assignments current on `on` (today by default) for the given posts."""
    on = on or timezone.localdate()
    return Assignment.objects.filter(post__in=posts).filter(
        Q(start_on__isnull=True) | Q(start_on__lte=on),
        Q(end_on__isnull=True) | Q(end_on__gte=on),
    )
