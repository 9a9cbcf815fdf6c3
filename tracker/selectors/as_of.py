"""The establishment as it stood on a date, from the same history rows (`establishment_as_of`,
`posts_as_of`, `holders_as_of`, `with_holders_as_of`), filtered by organisation in SQL."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tracker.models import (
    Assignment,
    Organisation,
    Post,
    StaffMember,
)
from tracker.selectors.history import start_of_day
from tracker.sql import in_chunks


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


def _moment_after(as_of: dt.date) -> dt.datetime:
    """ "As of a date" means as recorded by the end of that day (Europe/London)."""
    return start_of_day(as_of + dt.timedelta(days=1))


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


def current_on(day: dt.date) -> Q:
    """An assignment (or one of its history rows) current on `day`: started by then, or with no
    start date, and not ended before it."""
    return (Q(start_on__isnull=True) | Q(start_on__lte=day)) & (
        Q(end_on__isnull=True) | Q(end_on__gte=day)
    )


def current_holders_as_of(*, as_of: dt.date, post_ids) -> QuerySet:
    """History rows of the assignments of `post_ids` (a list or a subquery) current on `as_of`,
    as recorded by its end."""
    moment = _moment_after(as_of)
    return latest_history(
        Assignment, moment, among=Assignment.history.filter(post_id__in=post_ids).values("id")
    ).filter(current_on(as_of), post_id__in=post_ids)


def held_as_of(*, as_of: dt.date) -> Exists:
    """Whether the post of the outer row (a post or one of its history rows: its `id`) had a
    holder current on `as_of`, as recorded by its end: the condition `current_holders_as_of`
    applies, one post at a time. Counting filled posts with it (`Count(..., filter=...)`) reads
    each post's own assignments by index, where counting the distinct posts of
    `current_holders_as_of` first gathered every assignment of the organisation."""
    moment = _moment_after(as_of)
    return Exists(
        latest_history(Assignment, moment).filter(current_on(as_of), post_id=OuterRef("id"))
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


HOLDER_CHUNK = 2000


def with_holders_as_of(
    post_rows: Iterable[dict], *, as_of: dt.date, chunk_size: int = HOLDER_CHUNK
) -> Iterator[tuple[dict, tuple[HolderSnapshot, ...]]]:
    """Each row of `post_rows` (rows of `posts_as_of`, best streamed with `.iterator()`) with
    its holders on `as_of`, in the rows' order. Holders are read for `chunk_size` posts at a
    time, so memory is bounded by the chunk, not the organisation: two queries (`holders_as_of`)
    per chunk of `chunk_size` posts."""
    return in_chunks(
        post_rows,
        chunk_size=chunk_size,
        key=operator.itemgetter("id"),
        lookup=lambda post_ids: holders_as_of(as_of=as_of, post_ids=post_ids),
        missing=(),
    )


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
    return Assignment.objects.filter(post__in=posts).filter(current_on(on))
