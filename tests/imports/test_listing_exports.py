"""The admin lists' export buttons (`imports.exports.listing`): a short list downloads at once in
a number of queries that does not grow with its rows; a long one runs in the background with
the list's filters, holding only what the list shows its requester, and is downloaded only by
them while they may still see it."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imports.exports import access, listing
from imports.exports.models import ExportRun
from tests import factories
from tracker import roles
from tracker.models import PlannedChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    inside = factories.OrganisationFactory(code="QNQ", name="Inside CCG")
    outside = factories.OrganisationFactory(code="RXX", name="Outside CCG")
    icb = factories.OrganisationFactory(code="QYG", name="New ICB", kind="icb")
    other_icb = factories.OrganisationFactory(code="QOQ", name="Other ICB", kind="icb")
    programme = factories.ProgrammeFactory(slug="merger", name="Merger")
    programme.organisations.add(inside, outside, icb, other_icb)
    return {
        "inside": inside,
        "outside": outside,
        "icb": icb,
        "other_icb": other_icb,
        "programme": programme,
    }


def _user(role, *organisations, **extra):
    return factories.UserFactory(
        groups=[Group.objects.get(name=role)], organisations=list(organisations), **extra
    )


def _changes(world, n: int, *, organisation=None, status="draft", title="Post"):
    """`n` changes, each drafted by its own author and (if approved) approved by another."""
    made = []
    for i in range(n):
        author = factories.UserFactory(username=f"author-{title}-{i}")
        extra = {}
        if status != "draft":
            extra = {
                "approved_by": factories.UserFactory(username=f"approver-{title}-{i}"),
                "approved_at": timezone.now(),
            }
        made.append(
            factories.PlannedChangeFactory(
                programme=world["programme"],
                post=factories.PostFactory(
                    organisation=organisation or world["inside"], title=f"{title} {i}"
                ),
                # Outside's posts go to the other ICB: neither end is the requester's.
                destination_organisation=world["other_icb" if organisation else "icb"],
                author=author,
                status=status,
                **extra,
            )
        )
    return made


def _rows(content: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_short_list_downloads_at_once_in_queries_that_do_not_grow(client, world, fmt):
    hr = _user(roles.HR_MANAGER, world["inside"], world["icb"])
    client.force_login(hr)
    url = f"/admin/planned_changes/?export={fmt}"
    _changes(world, 3, status="approved", title="First")
    few = _queries(client, url)
    # Ten times as many changes, each with its own author and approver (read once per row,
    # 20,008 queries for 20,000 changes, before the export read them in its query).
    _changes(world, 27, status="approved", title="More")
    assert _queries(client, url) == few


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_short_list_holds_the_columns_and_rows_the_list_shows(client, world, fmt):
    hr = _user(roles.HR_MANAGER, world["inside"], world["icb"])
    client.force_login(hr)
    (change,) = _changes(world, 1, status="approved", title="Shown")
    _changes(world, 1, organisation=world["outside"], title="Hidden")
    response = client.get(f"/admin/planned_changes/?export={fmt}")
    today = timezone.localdate().isoformat()
    assert f'filename="planned-changes-{today}.{fmt}"' in response["Content-Disposition"]
    rows = _rows(b"".join(response.streaming_content), fmt)
    assert rows[0][:3] == ["Programme", "Organisation code", "Position number"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Position title"] == "Shown 0"
    assert row["Author"] == "author-Shown-0"
    assert row["Approved by"] == "approver-Shown-0"
    assert row["Destination code"] == "QYG"
    effective = row["Effective on"]
    if fmt == "csv":
        assert effective == change.effective_on.isoformat()
    else:
        assert effective.date() == change.effective_on  # a date cell, not text


@pytest.fixture
def short_inline(monkeypatch):
    """Lists of more than two rows count as long, so a test needs only a handful."""
    monkeypatch.setattr(listing, "INLINE_ROWS", 2)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_long_list_runs_in_the_background_with_its_filters_and_scope(
    client, world, short_inline, fmt
):
    hr = _user(roles.HR_MANAGER, world["inside"], world["icb"])
    client.force_login(hr)
    _changes(world, 3, status="approved", title="Wanted")
    _changes(world, 2, status="draft", title="Draft")
    _changes(world, 3, organisation=world["outside"], status="approved", title="Outside")
    response = client.get(f"/admin/planned_changes/?status=approved&export={fmt}")
    run = ExportRun.objects.get(user=hr)
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:run", args=[run.pk])
    (message,) = get_messages(response.wsgi_request)
    assert "3 rows are being written in the background" in str(message)
    assert (run.kind, run.status, run.rows_done, run.fmt) == ("listing", "done", 3, fmt)
    assert run.file_name.startswith("planned-changes-") and run.file_name.endswith(f".{fmt}")
    page = client.get(reverse("exports:run", args=[run.pk])).content.decode()
    assert "Planned changes list export" in page
    assert "The list as filtered: Status: Approved." in page
    download = client.get(reverse("exports:download", args=[run.pk]))
    rows = _rows(b"".join(download.streaming_content), fmt)
    titles = sorted(dict(zip(rows[0], row, strict=True))["Position title"] for row in rows[1:])
    assert titles == ["Wanted 0", "Wanted 1", "Wanted 2"]


def test_only_the_requester_downloads_and_only_while_they_cover_its_organisations(
    client, world, short_inline
):
    hr = _user(roles.HR_MANAGER, world["inside"], world["icb"])
    client.force_login(hr)
    _changes(world, 3)
    client.get("/admin/planned_changes/?export=csv")
    run = ExportRun.objects.get(user=hr)
    page = client.get(reverse("exports:run", args=[run.pk])).content.decode()
    assert "The whole list, as you see it." in page
    url = reverse("exports:download", args=[run.pk])
    assert client.get(url).status_code == 200

    colleague = _user(roles.HR_MANAGER, world["inside"], world["icb"])
    client.force_login(colleague)
    assert client.get(url).status_code == 404

    hr.organisations.remove(world["inside"])
    client.force_login(hr)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "name"),
    [
        (roles.STAFF, "posts"),  # staff have no admin lists
        (roles.CMS_EDITOR, "planned_changes"),
        (roles.HR_MANAGER, "no_such_list"),
    ],
)
def test_a_list_the_user_may_not_open_is_not_exported(world, role, name):
    user = _user(role, world["inside"])
    params = {"listing": name, "query": "", "organisations": [world["inside"].pk]}
    with pytest.raises(access.NotAllowed):
        access.resolve(user, listing.KIND, params)


def test_a_crafted_run_writes_nothing_for_a_user_without_the_list(world):
    from imports.exports.tasks import export_run

    editor = _user(roles.CMS_EDITOR, world["inside"])
    _changes(world, 2)
    run = ExportRun.objects.create(
        kind=listing.KIND,
        params={"listing": "planned_changes", "query": "", "organisations": None},
        fmt="csv",
        user=editor,
    )
    assert export_run(run.pk) == ExportRun.Status.FAILED
    run.refresh_from_db()
    assert run.message.startswith("Not allowed") and not run.file
    assert PlannedChange.objects.count() == 2


def test_a_user_who_may_not_enter_the_admin_exports_no_list(world):
    """Viewing posts is not enough: the lists are in the admin, and so are their exports."""
    from django.contrib.auth.models import Permission

    user = factories.UserFactory(organisations=[world["inside"]])
    user.user_permissions.add(Permission.objects.get(codename="view_post"))
    params = {"listing": "posts", "query": "", "organisations": [world["inside"].pk]}
    with pytest.raises(access.NotAllowed):
        access.resolve(user, listing.KIND, params)
    admin = Permission.objects.get(codename="access_admin")
    user.user_permissions.add(admin)
    user = type(user).objects.get(pk=user.pk)  # permissions are cached on the instance
    assert "view" in access.resolve(user, listing.KIND, params)


def test_a_searched_list_says_so_on_its_export_page(client, world, short_inline):
    hr = _user(roles.HR_MANAGER, world["inside"], world["icb"])
    client.force_login(hr)
    _changes(world, 3, title="Wanted")
    _changes(world, 2, title="Other")
    client.get(
        f"/admin/planned_changes/?q=Wanted&post__organisation={world['inside'].pk}&export=csv"
    )
    run = ExportRun.objects.get(user=hr)
    assert run.rows_done == 3
    page = client.get(reverse("exports:run", args=[run.pk])).content.decode()
    # As the list's filter names it.
    assert f"Post organisation: {world['inside']}; Search: Wanted." in page


@pytest.mark.parametrize("filtered", [True, False])
def test_a_workbook_says_which_list_whose_view_and_what_it_was_filtered_to(client, world, filtered):
    """A file passed on without its page still says what it holds: an About sheet names the
    list, whose view of it, and its filters and search (or that it had none)."""
    hr = _user(roles.HR_MANAGER, world["inside"], world["icb"], first_name="Asha", last_name="Rao")
    client.force_login(hr)
    _changes(world, 2, title="Wanted")
    query = f"q=Wanted&post__organisation={world['inside'].pk}&" if filtered else ""
    response = client.get(f"/admin/planned_changes/?{query}export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Planned changes", "About"]
    lines = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert lines[0] == "Planned changes: the list as Asha Rao saw it"
    if filtered:
        assert lines[1] == f"Filtered to: Post organisation: {world['inside']}; Search: Wanted"
    else:
        assert lines[1] == "Not filtered or searched"
    assert lines[2].startswith("Exported ")
