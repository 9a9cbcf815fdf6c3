"""A programme's transfer schedule: every transferring post and person, from and to
organisation, effective date and the continuity-of-service date that travels with the person.

The changes stream from one query (with where an applied change's post stood before it, as a
subquery on the post's history) and the organisations are one more; the assignments of the
changes' posts are read alongside, one query per chunk of `chunk_size` changes, so memory is
bounded by the chunk, not the programme, and the export makes 2 + ceil(changes / chunk_size)
queries. Made for a user, it holds only changes from or to the organisations that user covers.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator

from django.db.models import OuterRef, Subquery

from imports.exports.establishment import BAND_TEXT
from imports.exports.scope import organisation_ids
from imports.exports.writer import Col, new_book
from tracker.models import Assignment, Organisation, PlannedChange, Post, Programme, User
from tracker.selectors import HOLDER_CHUNK, scoped
from tracker.sql import in_chunks

COLUMNS = [
    Col("Programme", 28),
    Col("Action", 18),
    Col("Change Status", 12),
    Col("From Organisation Code", 10),
    Col("From Organisation", 28),
    Col("To Organisation Code", 10),
    Col("To Organisation", 28),
    Col("Position Number", 14),
    Col("Position Title", 30),
    Col("Band", 8),
    Col("WTE", 8, "wte"),
    Col("Destination Position Number", 14),
    Col("Assignment Number", 16),
    Col("Employee Number", 14),
    Col("Last Name", 18),
    Col("First Name", 16),
    Col("Annual Salary", 13, "money"),
    Col("Effective Date", 12, "date"),
    Col("Continuity of Service Date", 14, "date"),
]
_ACTIONS = dict(PlannedChange.Action.choices)
_STATUSES = dict(PlannedChange.Status.choices)
_HOLDER_FIELDS = (
    "post_id",
    "start_on",
    "end_on",
    "assignment_number",
    "staff_member__employee_number",
    "staff_member__last_name",
    "staff_member__first_name",
    "annual_salary",
    "staff_member__nhs_service_start",
)


def schedule_changes(programme: Programme, *, user: User | None = None, organisation=None):
    changes = PlannedChange.objects.all() if user is None else scoped(PlannedChange, user)
    changes = changes.filter(programme=programme, action__in=PlannedChange.TRANSFERS).exclude(
        status=PlannedChange.Status.CANCELLED
    )
    if organisation is not None:
        ids = organisation_ids(user, organisation)
        changes = changes.filter(post__organisation__in=ids) | changes.filter(
            destination_organisation__in=ids
        )
    # After an applied transfer the post sits in its destination: where it stood before is the
    # newest history row of the post in another organisation.
    before = (
        Post.history.filter(id=OuterRef("post_id"))
        .exclude(organisation_id=OuterRef("destination_organisation_id"))
        .order_by("-history_date", "-history_id")
        .values("organisation_id")[:1]
    )
    return changes.annotate(origin_before=Subquery(before)).order_by(
        "post__organisation__code", "post__position_number", "pk"
    )


def export_transfer_schedule(
    stream,
    *,
    programme: Programme,
    user: User | None = None,
    organisation: Organisation | None = None,
    fmt: str = "xlsx",
    progress=None,
    chunk_size: int = HOLDER_CHUNK,
) -> int:
    changes = schedule_changes(programme, user=user, organisation=organisation)
    organisations, names = {}, {}
    for pk, code, name in Organisation.objects.values_list("pk", "code", "name"):
        organisations[pk], names[pk] = code, name
    book = new_book(stream, fmt, progress=progress)
    sheet = book.sheet("Transfer schedule", COLUMNS)
    rows = changes.values_list(
        "action",
        "status",
        "post_id",
        "post__organisation_id",
        "destination_organisation_id",
        "origin_before",
        "post__position_number",
        "post__title",
        "post__band",
        "post__wte",
        "destination_position_number",
        "effective_on",
    )
    for (
        action,
        status,
        _post_id,
        post_org,
        destination,
        origin_before,
        number,
        title,
        band,
        wte,
        destination_number,
        effective_on,
    ), held in _with_assignments(rows.iterator(chunk_size=chunk_size), chunk_size=chunk_size):
        origin = post_org
        if status == PlannedChange.Status.APPLIED and post_org == destination and origin_before:
            origin = origin_before
        base = [
            programme.name,
            _ACTIONS.get(action, action),
            _STATUSES.get(status, status),
            organisations.get(origin, ""),
            names.get(origin, ""),
            organisations.get(destination, ""),
            names.get(destination, ""),
            number,
            title,
            BAND_TEXT.get(band, band),
            wte,
            destination_number,
        ]
        current = [
            h
            for h in held
            if (h[2] is None or h[2] >= effective_on) and (h[1] is None or h[1] <= effective_on)
        ]
        if not current:
            sheet.append([*base, None, None, "(vacant)", None, None, effective_on, None])
        for h in current:
            sheet.append([*base, h[3], h[4], h[5], h[6], h[7], effective_on, h[8]])
    sheet.finish()
    book.about(f"Transfer schedule: {programme.name}")
    book.save()
    return sheet.rows


def _with_assignments(
    rows: Iterable[tuple], *, chunk_size: int
) -> Iterator[tuple[tuple, list[tuple]]]:
    """Each change row (its post id third) with every assignment of its post, ordered by
    assignment number: one query per chunk of `chunk_size` changes."""

    def assignments(post_ids: list[int]) -> dict[int, list[tuple]]:
        by_post: dict[int, list[tuple]] = {}
        for holder in (
            Assignment.objects.filter(post__in=set(post_ids))
            .order_by("assignment_number")
            .values_list(*_HOLDER_FIELDS)
        ):
            by_post.setdefault(holder[0], []).append(holder)
        return by_post

    return in_chunks(
        rows, chunk_size=chunk_size, key=operator.itemgetter(2), lookup=assignments, missing=[]
    )
