"""A tracker record's Usage page, the "Used N times" of its edit page and its delete page count
and list what refers to it from the relations themselves (tracker/usage.py), so records written
in bulk (an import, a bulk approval) are there too, and only what the user may see is listed or
counted.

The expected rows are worked out by hand from tests/tracker/world.py: Home's organisation 01A
is referred to by its post "01A-0001 Homefield Analyst", its succession to QA1 and its
programme "Homefield merger", and (as one of their organisations) by the user accounts hr_a,
rep and staff; each test adds posts written in bulk, named BULK000 upwards."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from wagtail.models import ReferenceIndex

from imports.engine.history import BulkWriter
from tests import factories
from tests.imports.conftest import post_rows
from tracker.models import Organisation, Post

pytestmark = pytest.mark.django_db

HOME_POST = "01A-0001 Homefield Analyst"
PROGRAMME = "Homefield merger"
SUCCESSION = "01A → QA1 on 01 Jul 2022"


def _bulk_posts(organisation, count: int, user) -> list[str]:
    """`count` posts written in bulk, as an import writes them (no model saves): their names."""
    writer = BulkWriter(user_id=user.pk, reason="Loaded for the usage tests")
    positions = [f"BULK{n:03d}" for n in range(count)]
    writer.insert(Post, post_rows(writer, organisation, *positions))
    return [f"{position} Analyst" for position in positions]


def _rows(response) -> list[str]:
    """The names in the usage table's first column."""
    assert response.status_code == 200
    cells = re.findall(r'<td class="title">(.*?)</td>', response.content.decode(), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def _usage(world) -> str:
    return f"/admin/organisations/usage/{world.home.org.pk}/"


#: What each role may see refer to Home's organisation, besides the bulk-written posts (which
#: the roles that may view posts see too).
SEEN = {
    "hr_a": ({HOME_POST, PROGRAMME, SUCCESSION}, True),
    "auditor": ({HOME_POST, PROGRAMME, SUCCESSION}, True),
    # A rep views organisations and programmes only: no post, no succession.
    "rep": ({PROGRAMME}, False),
    # An administrator sees every referrer, the user accounts whose organisation it is too.
    "admin": ({HOME_POST, PROGRAMME, SUCCESSION, "hr_a", "rep", "staff"}, True),
}


@pytest.mark.parametrize("role", list(SEEN))
def test_the_usage_page_lists_what_refers_to_the_record_as_the_role_may_see_it(client, world, role):
    bulk = _bulk_posts(world.home.org, 3, world.users["auditor"])
    client.force_login(world.users[role])
    rows = _rows(client.get(_usage(world)))
    expected, sees_posts = SEEN[role]
    assert sorted(rows) == sorted(expected | (set(bulk) if sees_posts else set()))


def test_the_usage_page_of_another_side_is_not_found(client, world):
    client.force_login(world.users["hr_b"])
    assert client.get(_usage(world)).status_code == 404


def test_the_list_is_paged_across_relations(client, world):
    """25 bulk posts + Home's post, the programme and the succession: 28 rows, 20 a page."""
    bulk = _bulk_posts(world.home.org, 25, world.users["auditor"])
    client.force_login(world.users["hr_a"])
    first = _rows(client.get(_usage(world)))
    second = _rows(client.get(_usage(world) + "?p=2"))
    assert len(first) == 20 and len(second) == 8
    assert sorted(first + second) == sorted([*bulk, HOME_POST, PROGRAMME, SUCCESSION])


@pytest.mark.parametrize("role", ["hr_a", "admin"])
def test_the_usage_page_asks_as_many_queries_whatever_the_number_of_referrers(client, world, role):
    """25 posts or 85: the first page is posts either way, and costs the same queries."""
    client.force_login(world.users[role])
    _bulk_posts(world.home.org, 25, world.users["auditor"])
    with CaptureQueriesContext(connection) as few:
        assert len(_rows(client.get(_usage(world)))) == 20
    writer = BulkWriter(user_id=world.users["auditor"].pk, reason="More for the usage tests")
    writer.insert(Post, post_rows(writer, world.home.org, *[f"MORE{n:03d}" for n in range(60)]))
    with CaptureQueriesContext(connection) as many:
        assert len(_rows(client.get(_usage(world)))) == 20
    assert len(many) == len(few)


@pytest.mark.parametrize(("role", "count"), [("hr_a", 6), ("admin", 9)])
def test_the_edit_page_counts_what_the_usage_page_lists(client, world, role, count):
    """hr_a: Home's post, 3 bulk posts, the programme, the succession (6); an administrator
    also the three user accounts (9)."""
    _bulk_posts(world.home.org, 3, world.users["auditor"])
    client.force_login(world.users[role])
    page = client.get(f"/admin/organisations/edit/{world.home.org.pk}/").content.decode()
    assert f"Used {count} times" in page


def test_a_record_only_bulk_written_rows_refer_to_cannot_be_deleted(client, world):
    """A new organisation whose only referrers are two posts written in bulk: the delete page
    counts them and says they prevent deletion, and a POST is refused (Wagtail's index knew of
    neither post: it offered the deletion, and the database's PROTECT answered with a 500)."""
    organisation = factories.OrganisationFactory(code="ZZ9", name="Zedland CCG")
    _bulk_posts(organisation, 2, world.users["auditor"])
    client.force_login(world.users["admin"])
    url = f"/admin/organisations/delete/{organisation.pk}/"
    page = client.get(url).content.decode()
    assert "This organisation is referenced 2 times" in page
    assert "prevent it from being deleted" in page
    # The delete page links to the Usage page, which then says what each row would do.
    described = client.get(f"/admin/organisations/usage/{organisation.pk}/?describe_on_delete=1")
    assert described.content.decode().count("Prevents deletion") == 2
    refused = client.post(url)  # Wagtail's refusal: back to the dashboard with a message
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_tracker_records_are_not_in_wagtails_reference_index(world):
    """The world was made with saves: none of them queued index rows from or to a tracker
    record (the index would be incomplete for them, and each save a task)."""
    tracker = Q(base_content_type__app_label="tracker") | Q(to_content_type__app_label="tracker")
    assert not ReferenceIndex.objects.filter(tracker).exists()


@pytest.mark.parametrize(("role", "sees_the_case"), [("hr_a", False), ("admin", True)])
def test_a_case_is_listed_to_administrators_only(client, world, role, sees_the_case):
    """Home's post is held by its assignment, planned to change, and Sam Harbourview's case is
    on it: a case says whose job is at risk, and the usage page is no way round the case
    screens' own rules, so only an administrator sees it there."""
    factories.CaseFactory(
        staff_member=world.home.person, employer=world.home.org, post=world.home.post
    )
    client.force_login(world.users[role])
    rows = _rows(client.get(f"/admin/posts/usage/{world.home.post.pk}/"))
    expected = {"EHOME001-1", str(world.home.change)}
    if sees_the_case:
        expected.add("Sam Harbourview: At risk")
    assert sorted(rows) == sorted(expected)


def test_every_tracker_record_links_to_its_own_inspect_page(client, world):
    from django.urls import reverse

    from tracker.admin_views import INSPECT_URL_NAMES

    client.force_login(world.users["admin"])
    for model, name in INSPECT_URL_NAMES.items():
        record = world.home.record(model)
        page = client.get(reverse(name, args=[record.pk]))
        assert page.status_code == 200 and str(record) in page.content.decode(), name


def test_a_page_past_the_end_shows_the_last(client, world):
    """The scale benchmark asks for the last page this way."""
    bulk = _bulk_posts(world.home.org, 25, world.users["auditor"])
    client.force_login(world.users["hr_a"])
    last = _rows(client.get(_usage(world), {"p": 10**6}))
    assert len(last) == 8 and set(last) <= {*bulk, HOME_POST, PROGRAMME, SUCCESSION}


def test_whether_a_deletion_is_protected_is_asked_of_every_row(world):
    """hr_b sees nothing that refers to Home's organisation, but its post still protects it:
    the delete page asks of every row (user None), whoever is deleting."""
    from tracker.admin_views import SCOPED_MODELS
    from tracker.usage import Usage

    seen_by_hr_b = Usage(world.home.org, world.users["hr_b"], SCOPED_MODELS)
    assert seen_by_hr_b.count() == 0 and not seen_by_hr_b.is_protected
    every_row = Usage(world.home.org, None, SCOPED_MODELS)
    # Home's post, its programme, its succession and three user accounts (hr_a, rep, staff).
    assert every_row.is_protected and every_row.count() == 6
