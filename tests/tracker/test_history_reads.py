"""History reads in SQL: the as-of establishment, changes between dates and the as-of screen
make the same number of queries at two data sizes, and the screen is paged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tracker import roles, services
from tracker.selectors import changes_between, establishment_as_of

pytestmark = pytest.mark.django_db
AS_OF_URL = "/admin/transition/as-of/"


@pytest.fixture
def world():
    hr = factories.UserFactory(is_superuser=True)
    approver = factories.UserFactory(is_superuser=True)
    ccg = factories.OrganisationFactory(code="01F", name="NHS Halton CCG")
    icb = factories.OrganisationFactory(code="QYG", name="NHS C&M ICB", kind="icb")
    elsewhere = factories.OrganisationFactory(code="02A")
    return {"hr": hr, "approver": approver, "ccg": ccg, "icb": icb, "elsewhere": elsewhere}


def _grow(world, n: int) -> None:
    """n filled posts in the CCG, each with a planned change approved and applied today, and
    one post elsewhere (never read)."""
    programme = factories.ProgrammeFactory()
    changes = []
    for _ in range(n):
        a = factories.AssignmentFactory(post__organisation=world["ccg"])
        changes.append(
            factories.PlannedChangeFactory(
                programme=programme,
                post=a.post,
                destination_organisation=world["icb"],
                author=world["hr"],
            )
        )
        factories.AssignmentFactory(post__organisation=world["elsewhere"])
    services.planned_changes_approve(changes=changes, acting_user=world["approver"], reason="OK")


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_history_reads_make_the_same_queries_at_two_sizes(world):
    today = timezone.localdate()

    def reads():
        return (
            _count(lambda: establishment_as_of(as_of=today, organisation=world["ccg"])),
            _count(lambda: changes_between(start=today, end=today, organisation=world["ccg"])),
        )

    _grow(world, 2)
    small = reads()
    assert len(establishment_as_of(as_of=today, organisation=world["ccg"])) == 2
    _grow(world, 6)
    assert reads() == small
    assert small[0] <= 4  # posts, holders, their people, organisation names
    snapshot = establishment_as_of(as_of=today, organisation=world["ccg"])
    assert len(snapshot) == 8 and all(len(p.holders) == 1 for p in snapshot)
    entries = changes_between(start=today, end=today, organisation=world["ccg"])
    approvals = [e for e in entries if e.model == "planned change" and e.kind == "Changed"]
    assert len(approvals) == 8
    assert approvals[0].record.startswith("Transfer unchanged: ")
    assert approvals[0].record.endswith("(Approved)")


def test_changes_between_reads_the_row_before_the_window_as_before(world):
    post = factories.PostFactory(organisation=world["ccg"], band="7")
    long_ago = timezone.make_aware(dt.datetime(2024, 1, 10, 12))
    post.history.update(history_date=long_ago)
    services.post_update(post=post, band="8a", acting_user=world["hr"], reason="Regrade")
    today = timezone.localdate()
    (entry,) = [e for e in changes_between(start=today, end=today) if e.model == "post"]
    band = next(c for c in entry.changes if c.field == "band")
    assert (entry.kind, band.before, band.after) == ("Changed", "Band 7", "Band 8a")
    assert entry.why == "Regrade"


@pytest.fixture
def hr_client(client, world):
    user = factories.UserFactory(
        groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[world["ccg"]]
    )
    client.force_login(user)
    return client


def test_as_of_screen_is_paged_with_flat_queries(hr_client, world, monkeypatch):
    from tracker import admin_views

    monkeypatch.setattr(admin_views, "AS_OF_PAGE_SIZE", 3)
    monkeypatch.setattr(admin_views, "CHANGES_PAGE_SIZE", 3)
    today = timezone.localdate().isoformat()
    query = {"organisation": world["ccg"].pk, "as_of": today, "changes_from": today}

    def view(**extra):
        with CaptureQueriesContext(connection) as queries:
            response = hr_client.get(AS_OF_URL, {**query, **extra})
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    _grow(world, 4)
    html, small = view()
    assert "4 live posts, 4 filled" in html and "Showing 1 to 3." in html
    assert "Page 1 of 2" in html
    _grow(world, 3)
    html, large = view(p="3")
    assert "7 live posts, 7 filled" in html and "Showing 7 to 7." in html
    assert large == small
    numbers = sorted(
        factories.PostFactory._meta.model.objects.filter(organisation=world["ccg"]).values_list(
            "position_number", flat=True
        )
    )
    posts_table = html.split("Changes recorded in the period")[0]
    assert numbers[6] in posts_table and numbers[0] not in posts_table
    assert "Page 1 of " in html.split("Changes recorded in the period")[1]  # changes paged too


def test_a_page_of_changes_reads_only_its_rows_and_each_row_before(world):
    """One post regraded three times today (7 -> 8a -> 8b -> 8c): each change, on whatever page
    it falls, compares with the grade before it, including the one on the previous page; and a
    page costs the same queries however many changes the window holds."""
    from django.core.paginator import Paginator

    from tracker.selectors import ChangeLog

    post = factories.PostFactory(organisation=world["ccg"], band="7")
    post.history.update(history_date=timezone.make_aware(dt.datetime(2024, 1, 10, 12)))
    for band in ("8a", "8b", "8c"):
        services.post_update(post=post, band=band, acting_user=world["hr"], reason=f"To {band}")
    today = timezone.localdate()

    def bands(entries):
        return [
            (c.before, c.after)
            for e in entries
            if e.model == "post"
            for c in e.changes
            if c.field == "band"
        ]

    log = ChangeLog(start=today, end=today, organisation=world["ccg"])
    assert len(log) == 4  # the three regrades, and the CCG itself created today
    pages = Paginator(log, 1)
    seen = [bands(pages.page(n).object_list) for n in pages.page_range]
    assert [b for b in seen if b] == [
        [("Band 7", "Band 8a")],
        [("Band 8a", "Band 8b")],
        [("Band 8b", "Band 8c")],
    ]
    assert [e.why for e in log[:] if e.model == "post"] == ["To 8a", "To 8b", "To 8c"]

    def first_page_queries():
        with CaptureQueriesContext(connection) as queries:
            page = Paginator(ChangeLog(start=today, end=today, organisation=world["ccg"]), 2)
            list(page.page(1).object_list)
        return len(queries)

    small = first_page_queries()
    _grow(world, 6)  # 6 more posts, people and approved changes in the window
    assert first_page_queries() <= small + 3  # the page now holds other record types' rows
    # ...and a page of the grown window still reads only its own rows: not one query per row.
    with CaptureQueriesContext(connection) as queries:
        everything = ChangeLog(start=today, end=today, organisation=world["ccg"])[:]
    assert len(everything) > 20
    assert len(queries) <= 5 + 3 * 5 + 5  # keys per model, rows + befores per model, labels


def test_as_of_screen_counts_each_post_with_a_current_holder_once(hr_client, world):
    """Five live posts in the CCG on the day: a vacant one; one held; one shared by two current
    holders; one whose holder left the day before; one whose holder starts the day after.
    Filled on the day: the held one and the shared one, so 2 (the shared post once)."""
    today = timezone.localdate()
    ccg = world["ccg"]
    factories.PostFactory(organisation=ccg, wte=1)
    factories.AssignmentFactory(post__organisation=ccg, post__wte=1)
    shared = factories.PostFactory(organisation=ccg, wte=1)
    factories.AssignmentFactory(post=shared)
    factories.AssignmentFactory(post=shared)
    factories.AssignmentFactory(
        post__organisation=ccg,
        post__wte=1,
        start_on=today - dt.timedelta(days=400),
        end_on=today - dt.timedelta(days=1),
    )
    factories.AssignmentFactory(
        post__organisation=ccg, post__wte=1, start_on=today + dt.timedelta(days=1)
    )
    html = hr_client.get(AS_OF_URL, {"organisation": ccg.pk, "as_of": today.isoformat()})
    assert "5 live posts, 2 filled, 5 WTE." in html.content.decode()


def test_a_change_log_holds_every_record_ever_in_the_organisation_in_order(world):
    """Which records an organisation's change log holds, and in what order, worked out by hand:
    its posts (one since moved away), the people who held them (one has since left), changes
    of posts elsewhere bound for it, and itself; not another organisation's records. Rows at
    the same moment come by record type (assignment, organisation, planned change, post, staff
    member), then record, then row; read a page at a time they are the same rows in the same
    order."""
    from django.core.paginator import Paginator

    from tracker.models import Assignment, Organisation, PlannedChange, Post, StaffMember
    from tracker.selectors import ChangeLog

    ccg, elsewhere = world["ccg"], world["elsewhere"]
    stays = factories.AssignmentFactory(post__organisation=ccg)
    moved = factories.AssignmentFactory(post__organisation=ccg)
    Post.objects.filter(pk=moved.post_id).update(organisation=elsewhere)
    moved.post.refresh_from_db()
    moved.post.save()  # a history row naming the other organisation
    inbound = factories.PlannedChangeFactory(
        post=factories.PostFactory(organisation=elsewhere), destination_organisation=ccg
    )
    factories.AssignmentFactory(post__organisation=elsewhere)  # never in the CCG's log
    noon = timezone.make_aware(dt.datetime(2024, 3, 1, 12))
    for model in (Organisation, Post, StaffMember, Assignment, PlannedChange):
        model.history.update(history_date=noon)  # every row at one moment: the order is by type

    def rows(model, *records):
        return sorted(
            (model._meta.verbose_name, h.id, h.history_id)
            for h in model.history.filter(id__in=[r.pk for r in records])
        )

    expected = (
        rows(Assignment, stays, moved)
        + rows(Organisation, ccg)
        + rows(PlannedChange, inbound)
        + rows(Post, stays.post, moved.post)
        + rows(StaffMember, stays.staff_member, moved.staff_member)
    )
    assert len(expected) == 2 + 1 + 1 + 3 + 2  # the moved post has two rows

    day = noon.date()
    log = ChangeLog(start=day, end=day, organisation=ccg)
    assert len(log) == len(expected)
    whole = [(e.model, e.object_id) for e in log[:]]
    assert whole == [(model, object_id) for model, object_id, _ in expected]
    pages = Paginator(ChangeLog(start=day, end=day, organisation=ccg), 4)
    paged = [(e.model, e.object_id) for n in pages.page_range for e in pages.page(n).object_list]
    assert paged == whole
    # The screen's way: each page read with its count in one query. 9 rows: pages of 4, 4, 1.
    read_pages = [ChangeLog(start=day, end=day, organisation=ccg).get_page(n, 4) for n in "123"]
    assert [(e.model, e.object_id) for p in read_pages for e in p.object_list] == whole
    assert [(p.number, p.paginator.count, p.paginator.num_pages) for p in read_pages] == [
        (1, 9, 3), (2, 9, 3), (3, 9, 3)
    ]
    # As Paginator.get_page: not a number gives the first page, past the end the last.
    for asked, number in (
        ("x", 1), (None, 1), ("0", 1), ("-2", 1), ("1.5", 1), ("4", 3), ("99", 3),
        ("9" * 30, 3),  # far past any OFFSET the database takes: still the last page
    ):
        page = ChangeLog(start=day, end=day, organisation=ccg).get_page(asked, 4)
        assert page.number == number, asked
        assert [(e.model, e.object_id) for e in page.object_list] == whole[
            (number - 1) * 4 : number * 4
        ], asked
    assert ChangeLog(start=day - dt.timedelta(days=2), end=day - dt.timedelta(days=1),
                     organisation=ccg)[:] == []
    # An empty window's page is one query: its empty read says the count is 0.
    empty = ChangeLog(start=day - dt.timedelta(days=2), end=day - dt.timedelta(days=1),
                      organisation=ccg)
    with CaptureQueriesContext(connection) as queries:
        page = empty.get_page("1", 4)
        assert (list(page.object_list), page.paginator.count) == ([], 0)
    assert len(queries) == 1


def test_a_page_of_changes_reads_the_window_once(world):
    """`ChangeLog.get_page` counts the window in the query that reads the page: one query
    fewer than a Paginator, which counts first and then reads the page's rows."""
    from django.core.paginator import Paginator

    from tracker.selectors import ChangeLog

    _grow(world, 3)
    today = timezone.localdate()

    def queries(read) -> tuple[int, list]:
        log = ChangeLog(start=today, end=today, organisation=world["ccg"])
        with CaptureQueriesContext(connection) as captured:
            page = read(log)
            rows = [(e.model, e.object_id, e.when) for e in page.object_list]
        return len(captured), rows, page.paginator.count

    by_paginator = queries(lambda log: Paginator(log, 5).get_page(2))
    by_get_page = queries(lambda log: log.get_page(2, 5))
    assert by_get_page[0] == by_paginator[0] - 1
    assert by_get_page[1:] == by_paginator[1:]
