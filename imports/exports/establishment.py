"""The establishment as it stood at the end of a day: one row per holder, one per vacant post.
Its columns are the import's, so the file re-imports cleanly.

Posts stream from one query (`tracker.selectors.posts_as_of`) and the organisations' names are
one more; holders are read alongside, two queries per chunk of `chunk_size` posts
(`tracker.selectors.with_holders_as_of`), so memory is bounded by the chunk, not the
organisation, and the export makes 2 + 2 * ceil(posts / chunk_size) queries.
"""

from __future__ import annotations

import datetime as dt

from imports.exports.scope import organisation_ids
from imports.exports.writer import Col, new_book
from tracker.bands import Band
from tracker.models import Assignment, Organisation, User
from tracker.selectors import (
    HOLDER_CHUNK,
    organisation_names_as_of,
    posts_as_of,
    with_holders_as_of,
)

COLUMNS = [
    Col("Organisation Code", 10),
    Col("Position Number", 14),
    Col("Position Title", 32),
    Col("Directorate", 22),
    Col("Band", 8),
    Col("WTE", 8, "wte"),
    Col("Cost Centre", 12),
    Col("Board Level", 8),
    Col("Status", 10),
    Col("Assignment Number", 16),
    Col("Employee Number", 14),
    Col("Last Name", 18),
    Col("First Name", 16),
    Col("Work Email", 30),
    Col("Date of Birth", 12, "date"),
    Col("NHS Start Date", 12, "date"),
    Col("Annual Salary", 13, "money"),
    Col("Assignment Category", 14),
    Col("Assignment Start Date", 12, "date"),
    Col("Assignment End Date", 12, "date"),
]
CATEGORY_LABELS = dict(Assignment.Category.choices)
BAND_TEXT = {
    b.value: ("ESM " + b.value[3:] if b.value.startswith("ESM") else b.value) for b in Band
}


def export_establishment(
    stream,
    *,
    as_of: dt.date,
    organisation: Organisation | None = None,
    user: User | None = None,
    fmt: str = "xlsx",
    progress=None,
    chunk_size: int = HOLDER_CHUNK,
) -> int:
    ids = organisation_ids(user, organisation)
    posts = posts_as_of(as_of=as_of, organisation_ids=ids)
    names = organisation_names_as_of(as_of=as_of, organisation_ids=posts.values("organisation_id"))
    book = new_book(stream, fmt, progress=progress)
    sheet = book.sheet("Establishment", COLUMNS)
    streamed = posts.iterator(chunk_size=chunk_size)
    for post, held in with_holders_as_of(streamed, as_of=as_of, chunk_size=chunk_size):
        code = names.get(post["organisation_id"], (post["organisation_code"], ""))[0]
        base = [
            code,
            post["position_number"],
            post["title"],
            post["directorate"],
            BAND_TEXT.get(post["band"], post["band"]),
            post["wte"],
            post["cost_centre"],
            "Y" if post["is_board_level"] else "N",
            post["status"],
        ]
        if not held:
            sheet.append(base + [None] * 11)
        for h in held:
            sheet.append(
                [
                    *base,
                    h.assignment_number,
                    h.employee_number,
                    h.last_name,
                    h.first_name,
                    h.work_email,
                    h.date_of_birth,
                    h.nhs_service_start,
                    h.annual_salary,
                    CATEGORY_LABELS.get(h.category, h.category),
                    h.start_on,
                    h.end_on,
                ]
            )
    sheet.finish()
    book.about(
        f"Establishment as at {as_of:%d/%m/%Y}" + (f", {organisation}" if organisation else "")
    )
    book.save()
    return sheet.rows
