"""The establishment and transfer-schedule exports read holders a chunk at a time: the rows and
the people on them are the same whatever the chunk size, and the queries are a constant plus a
constant per chunk (the chunk size is made tiny here so the data spans several chunks)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from imports.exports import export_establishment, export_transfer_schedule
from tests import factories
from tracker.models import Post

pytestmark = pytest.mark.django_db

EFFECTIVE = dt.date(2022, 7, 1)


def _csv_rows(call) -> tuple[list[dict], int]:
    buffer = io.BytesIO()
    with CaptureQueriesContext(connection) as queries:
        written = call(buffer)
    text = buffer.getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert written == len(rows)
    return rows, len(queries)


@pytest.fixture
def establishment():
    """Nine posts in two organisations; by position, QAA: 0001 held (Ann), 0002 vacant, 0003
    held twice (Cat as A003a, Bob as A003b), 0004 held until 2020 (vacant now), 0005 held
    (Dan), 0006 held only from 2099 (vacant now), 0007 held (Eve); QBB: 0001 held (Fay),
    0002 vacant."""
    qaa = factories.OrganisationFactory(code="QAA")
    qbb = factories.OrganisationFactory(code="QBB")

    def held(org, position, number, name, **dates):
        factories.AssignmentFactory(
            post__organisation=org,
            post__position_number=position,
            assignment_number=number,
            staff_member__last_name=name,
            **dates,
        )

    # Created out of order, so the export's order is not the order of the primary keys.
    held(qbb, "0001", "B001", "Fay")
    held(qaa, "0007", "A007", "Eve")
    factories.PostFactory(organisation=qaa, position_number="0002")
    held(qaa, "0001", "A001", "Ann")
    held(qaa, "0003", "A003b", "Bob")
    post = Post.objects.get(organisation=qaa, position_number="0003")
    factories.AssignmentFactory(post=post, assignment_number="A003a", staff_member__last_name="Cat")
    held(qaa, "0004", "A004", "Gus", end_on=dt.date(2020, 1, 1))
    held(qaa, "0005", "A005", "Dan")
    held(qaa, "0006", "A006", "Hal", start_on=dt.date(2099, 6, 1))
    factories.PostFactory(organisation=qbb, position_number="0002")
    return {"QAA": qaa, "QBB": qbb}


ESTABLISHMENT_ROWS = [
    ("QAA", "0001", "A001", "Ann"),
    ("QAA", "0002", "", ""),
    ("QAA", "0003", "A003a", "Cat"),
    ("QAA", "0003", "A003b", "Bob"),
    ("QAA", "0004", "", ""),
    ("QAA", "0005", "A005", "Dan"),
    ("QAA", "0006", "", ""),
    ("QAA", "0007", "A007", "Eve"),
    ("QBB", "0001", "B001", "Fay"),
    ("QBB", "0002", "", ""),
]


def _establishment(rows: list[dict]) -> list[tuple]:
    return [
        (r["Organisation Code"], r["Position Number"], r["Assignment Number"], r["Last Name"])
        for r in rows
    ]


@pytest.mark.parametrize(
    ("chunk_size", "chunks"),
    # Nine posts: in chunks of 1, 2, 3 and 4 posts, and all in one.
    [(1, 9), (2, 5), (3, 3), (4, 3), (2000, 1)],
)
def test_establishment_rows_and_holders_whatever_the_chunk(establishment, chunk_size, chunks):
    today = timezone.localdate()
    rows, queries = _csv_rows(
        lambda s: export_establishment(s, as_of=today, fmt="csv", chunk_size=chunk_size)
    )
    assert _establishment(rows) == ESTABLISHMENT_ROWS
    # Posts and organisation names once; holders and their people once per chunk.
    assert queries == 2 + 2 * chunks


def test_establishment_for_one_organisation_in_chunks(establishment):
    today = timezone.localdate()
    rows, _ = _csv_rows(
        lambda s: export_establishment(
            s, as_of=today, organisation=establishment["QBB"], fmt="csv", chunk_size=1
        )
    )
    assert _establishment(rows) == [r for r in ESTABLISHMENT_ROWS if r[0] == "QBB"]


def test_establishment_made_for_hr_in_chunks_holds_only_their_organisation(establishment):
    today = timezone.localdate()
    hr = factories.UserFactory(organisations=[establishment["QBB"]])
    rows, _ = _csv_rows(
        lambda s: export_establishment(s, as_of=today, user=hr, fmt="csv", chunk_size=1)
    )
    assert _establishment(rows) == [("QBB", "0001", "B001", "Fay"), ("QBB", "0002", "", "")]
    nobody = factories.UserFactory(organisations=[])
    rows, _ = _csv_rows(
        lambda s: export_establishment(s, as_of=today, user=nobody, fmt="csv", chunk_size=1)
    )
    assert rows == []
    # Asked for an organisation they do not cover, they get nothing from it.
    rows, _ = _csv_rows(
        lambda s: export_establishment(
            s, as_of=today, user=hr, organisation=establishment["QAA"], fmt="csv", chunk_size=1
        )
    )
    assert rows == []


@pytest.fixture
def schedule():
    """Five transfers from 01A to QOP effective 1 July 2022, by position: 0001 held (Ann),
    0002 vacant, 0003 held twice (Cat as S3a, Bob as S3b), 0004 held until 30 June and from
    1 August only (vacant on the day), 0005 held (Dan); and one from 02B, in another
    programme."""
    ccg = factories.OrganisationFactory(code="01A", name="Old CCG")
    other = factories.OrganisationFactory(code="02B", name="Other CCG")
    icb = factories.OrganisationFactory(code="QOP", name="New ICB")
    programme = factories.ProgrammeFactory(slug="ccg-icb", name="CCG to ICB")
    elsewhere = factories.ProgrammeFactory(slug="elsewhere")
    posts = {}
    for position in ("0005", "0003", "0001", "0004", "0002"):  # not in the export's order
        posts[position] = factories.PostFactory(organisation=ccg, position_number=position)
        factories.PlannedChangeFactory(
            programme=programme,
            post=posts[position],
            destination_organisation=icb,
            effective_on=EFFECTIVE,
        )
    for position, number, name, dates in (
        ("0001", "S1", "Ann", {}),
        ("0003", "S3b", "Bob", {}),
        ("0003", "S3a", "Cat", {}),
        ("0004", "S4a", "Gus", {"end_on": dt.date(2022, 6, 30)}),
        ("0004", "S4b", "Hal", {"start_on": dt.date(2022, 8, 1)}),
        ("0005", "S5", "Dan", {}),
    ):
        factories.AssignmentFactory(
            post=posts[position],
            assignment_number=number,
            staff_member__last_name=name,
            **dates,
        )
    a = factories.AssignmentFactory(post__organisation=other, staff_member__last_name="Ivy")
    factories.PlannedChangeFactory(programme=elsewhere, post=a.post, destination_organisation=icb)
    return {"programme": programme, "01A": ccg, "02B": other}


SCHEDULE_ROWS = [
    ("01A", "QOP", "0001", "S1", "Ann"),
    ("01A", "QOP", "0002", "", "(vacant)"),
    ("01A", "QOP", "0003", "S3a", "Cat"),
    ("01A", "QOP", "0003", "S3b", "Bob"),
    ("01A", "QOP", "0004", "", "(vacant)"),
    ("01A", "QOP", "0005", "S5", "Dan"),
]


def _schedule(rows: list[dict]) -> list[tuple]:
    return [
        (
            r["From Organisation Code"],
            r["To Organisation Code"],
            r["Position Number"],
            r["Assignment Number"],
            r["Last Name"],
        )
        for r in rows
    ]


@pytest.mark.parametrize(
    ("chunk_size", "chunks"),
    # Five changes: in chunks of 1, 2 and 3 changes, and all in one.
    [(1, 5), (2, 3), (3, 2), (2000, 1)],
)
def test_transfer_schedule_rows_and_holders_whatever_the_chunk(schedule, chunk_size, chunks):
    rows, queries = _csv_rows(
        lambda s: export_transfer_schedule(
            s, programme=schedule["programme"], fmt="csv", chunk_size=chunk_size
        )
    )
    assert _schedule(rows) == SCHEDULE_ROWS
    assert {r["Effective Date"] for r in rows} == {"2022-07-01"}
    # Changes and organisations once; the changes' assignments once per chunk.
    assert queries == 2 + chunks


def test_transfer_schedule_made_for_hr_in_chunks_holds_only_their_organisation(schedule):
    theirs = factories.UserFactory(organisations=[schedule["02B"]])
    rows, _ = _csv_rows(
        lambda s: export_transfer_schedule(
            s, programme=schedule["programme"], user=theirs, fmt="csv", chunk_size=1
        )
    )
    assert rows == []
    mine = factories.UserFactory(organisations=[schedule["01A"]])
    rows, _ = _csv_rows(
        lambda s: export_transfer_schedule(
            s, programme=schedule["programme"], user=mine, fmt="csv", chunk_size=1
        )
    )
    assert _schedule(rows) == SCHEDULE_ROWS
