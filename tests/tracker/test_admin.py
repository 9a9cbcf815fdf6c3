"""The Transition admin screens through real HTTP requests: who may see them, flat query counts,
saves through services with a reason, bulk approve/apply, one audit history."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tracker import roles
from tracker.models import Post

pytestmark = pytest.mark.django_db

INDEX_URLS = [
    "/admin/organisations/",
    "/admin/successions/",
    "/admin/programmes/",
    "/admin/posts/",
    "/admin/staff/",
    "/admin/assignments/",
    "/admin/planned_changes/",
]
PERSONAL_URLS = [
    "/admin/posts/",
    "/admin/staff/",
    "/admin/assignments/",
    "/admin/planned_changes/",
]


def _user(role, organisations=(), **kwargs):
    return factories.UserFactory(
        groups=[Group.objects.get(name=role)], organisations=list(organisations), **kwargs
    )


@pytest.fixture
def org():
    return factories.OrganisationFactory(code="01F")


@pytest.fixture
def hr_client(client, org):
    hr = _user(roles.HR_MANAGER, [org], username="hr")
    client.force_login(hr)
    client.user = hr
    return client


@pytest.mark.parametrize("url", INDEX_URLS)
def test_hr_manager_sees_every_transition_screen(hr_client, url):
    assert hr_client.get(url).status_code == 200


@pytest.mark.parametrize("role", [roles.UNION_REP, roles.PARTNERSHIP_APPROVER, roles.CMS_EDITOR])
@pytest.mark.parametrize("url", PERSONAL_URLS)
def test_roles_without_tracker_access_are_refused(client, org, role, url):
    factories.AssignmentFactory(post__organisation=org)
    client.force_login(_user(role, [org]))
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert b"Smith" not in response.content


@pytest.mark.parametrize("url", PERSONAL_URLS)
def test_staff_and_anonymous_users_are_sent_to_sign_in(client, org, url):
    assert client.get(url).status_code == 302
    client.force_login(_user(roles.STAFF, [org], is_staff=False))
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_auditor_reads_but_cannot_edit(client, org):
    post = factories.PostFactory(organisation=org)
    client.force_login(_user(roles.AUDITOR))
    assert client.get("/admin/posts/").status_code == 200
    assert client.get(f"/admin/posts/inspect/{post.pk}/").status_code == 200
    assert client.get(f"/admin/posts/history/{post.pk}/").status_code == 200
    assert client.get(f"/admin/posts/edit/{post.pk}/").status_code in (302, 403)
    assert client.get("/admin/transition/bulk/").status_code in (302, 403)


def test_hr_manager_cannot_open_another_organisations_records(hr_client):
    other = factories.AssignmentFactory(post__organisation=factories.OrganisationFactory())
    listing = hr_client.get("/admin/posts/")
    assert other.post.position_number.encode() not in listing.content
    for view in ("inspect", "edit", "history"):
        assert hr_client.get(f"/admin/posts/{view}/{other.post.pk}/").status_code == 404
    assert hr_client.get(f"/admin/staff/edit/{other.staff_member.pk}/").status_code == 404


@pytest.mark.parametrize("url", INDEX_URLS)
def test_list_query_count_is_flat(hr_client, org, url):
    def fill(n):
        programme = factories.ProgrammeFactory()
        programme.organisations.add(org)
        for _ in range(n):
            assignment = factories.AssignmentFactory(post__organisation=org)
            factories.PlannedChangeFactory(post=assignment.post, programme=programme)
            factories.SuccessionFactory(predecessor=org)

    counts = []
    for n in (3, 20):
        fill(n)
        with CaptureQueriesContext(connection) as queries:
            assert hr_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_edit_goes_through_the_service_with_the_reason(hr_client, org):
    post = factories.PostFactory(organisation=org, title="Analyst", band="6")
    form = {
        "organisation": org.pk,
        "position_number": post.position_number,
        "title": "Analyst",
        "directorate": post.directorate,
        "band": "7",
        "wte": "1.0000",
        "cost_centre": post.cost_centre,
        "change_reason": "Regraded after job evaluation",
    }
    response = hr_client.post(f"/admin/posts/edit/{post.pk}/", form)
    assert response.status_code == 302, response.content[-2000:]
    latest = post.history.first()
    assert latest.band == "7"
    assert (latest.history_user, latest.history_change_reason) == (
        hr_client.user,
        "Regraded after job evaluation",
    )
    # The history screen shows it, fields before and after.
    page = hr_client.get(f"/admin/posts/history/{post.pk}/").content.decode()
    assert "Regraded after job evaluation" in page
    assert "Band 6" in page and "Band 7" in page


def test_edit_without_a_reason_is_refused_and_writes_nothing(hr_client, org):
    post = factories.PostFactory(organisation=org, title="Analyst")
    form = {
        "organisation": org.pk,
        "position_number": post.position_number,
        "title": "Changed",
        "band": "7",
        "wte": "1.0000",
        "change_reason": "",
    }
    response = hr_client.post(f"/admin/posts/edit/{post.pk}/", form)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.title == "Analyst" and post.history.count() == 1


def test_saving_an_unchanged_form_writes_no_history(hr_client, org):
    post = factories.PostFactory(organisation=org)
    form = {
        "organisation": org.pk,
        "position_number": post.position_number,
        "title": post.title,
        "directorate": post.directorate,
        "band": post.band,
        "wte": "1.0000",
        "cost_centre": post.cost_centre,
        "change_reason": "just looking",
    }
    assert hr_client.post(f"/admin/posts/edit/{post.pk}/", form).status_code == 302
    assert post.history.count() == 1


def test_create_post_through_the_admin(hr_client, org):
    form = {
        "organisation": org.pk,
        "position_number": "00099",
        "title": "Lead",
        "band": "Band 8a",
        "wte": "0.8",
        "change_reason": "New post in the structure",
    }
    response = hr_client.post("/admin/posts/new/", form)
    assert response.status_code in (200, 302)
    # The band select only offers stored values; the service normalises anything else.
    form["band"] = "8a"
    assert hr_client.post("/admin/posts/new/", form).status_code == 302
    post = Post.objects.get(position_number="00099")
    assert post.history.get().history_change_reason == "New post in the structure"


class TestBulkAndActions:
    @pytest.fixture
    def drafts(self, org):
        icb = factories.OrganisationFactory(code="QYG", kind="icb")
        programme = factories.ProgrammeFactory()
        programme.organisations.add(org, icb)
        author = _user(roles.HR_MANAGER, [org, icb], username="author")
        changes = [
            factories.PlannedChangeFactory(
                programme=programme,
                post=factories.PostFactory(organisation=org),
                destination_organisation=icb,
                author=author,
            )
            for _ in range(5)
        ]
        return programme, changes, icb

    def test_author_cannot_approve_from_the_change_screen(self, client, org, drafts):
        _programme, changes, _icb = drafts
        author = changes[0].author
        client.force_login(author)
        page = client.get(f"/admin/planned_changes/inspect/{changes[0].pk}/").content.decode()
        assert ">Approve<" not in page
        response = client.post(
            f"/admin/transition/changes/{changes[0].pk}/approve/", {"reason": "mine"}, follow=True
        )
        assert "someone other than its author" in response.content.decode()
        changes[0].refresh_from_db()
        assert changes[0].status == "draft"

    def test_approve_from_the_change_screen(self, hr_client, drafts):
        change = drafts[1][0]
        hr_client.user.organisations.add(drafts[2])
        hr_client.post(f"/admin/transition/changes/{change.pk}/approve/", {"reason": "Agreed"})
        change.refresh_from_db()
        assert change.status == "approved" and change.approved_by == hr_client.user


def test_spreadsheet_export_uses_display_values(hr_client, org):
    factories.PostFactory(organisation=org, band="8a", title="Quality Lead")
    response = hr_client.get("/admin/posts/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Band 8a" in body and "Quality Lead" in body and "01F" in body


def test_establishment_as_at_a_date_screen(hr_client, org):
    assignment = factories.AssignmentFactory(post__organisation=org)
    other = factories.AssignmentFactory(post__organisation=factories.OrganisationFactory())
    today = timezone.localdate().isoformat()
    response = hr_client.get(
        "/admin/transition/as-of/",
        {"organisation": org.pk, "as_of": today, "changes_from": today},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert assignment.staff_member.employee_number in html
    assert "1 live post, 1 filled" in html
    assert "Changes recorded in the period" in html
    # Another organisation cannot be asked for: not a choice for this HR manager.
    response = hr_client.get(
        "/admin/transition/as-of/", {"organisation": other.post.organisation.pk, "as_of": today}
    )
    assert other.staff_member.employee_number not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def test_establishment_screen_shows_wte_as_people_write_it(hr_client, org):
    # SQLite sums the 4-place column to Decimal("2.40000000000000"), PostgreSQL to 2.4000;
    # the screen shows "2.4 WTE" either way, and each post's WTE (in the table and in the
    # changes listed) without trailing zeros.
    for wte in ("1.0000", "0.6000", "0.8000"):
        factories.PostFactory(organisation=org, wte=Decimal(wte))
    today = timezone.localdate().isoformat()
    response = hr_client.get(
        "/admin/transition/as-of/", {"organisation": org.pk, "as_of": today, "changes_from": today}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 live posts, 0 filled, 2.4 WTE." in html
    assert "<td>0.6</td>" in html and "<td>1</td>" in html
    assert "WTE: — → 0.6<" in html
    assert "2.40" not in html and "0.6000" not in html and "1.0000" not in html


def test_post_listing_shows_wte_as_people_write_it(hr_client, org):
    factories.PostFactory(organisation=org, wte=Decimal("0.5000"))
    html = hr_client.get("/admin/posts/").content.decode()
    assert "0.5000" not in html
    assert re.search(r">\s*0\.5\s*<", html)


@pytest.mark.parametrize("role", [roles.UNION_REP, roles.PARTNERSHIP_APPROVER, roles.CMS_EDITOR])
def test_establishment_screen_refused_to_roles_without_post_access(client, org, role):
    client.force_login(_user(role, [org]))
    assert client.get("/admin/transition/as-of/").status_code in (302, 403)


def test_deleting_a_user_from_the_admin_is_refused(client):
    admin = factories.UserFactory(is_superuser=True)
    leaver = factories.UserFactory(username="leaver")
    client.force_login(admin)
    response = client.post(f"/admin/users/delete/{leaver.pk}/", follow=True)
    assert response.status_code == 200
    assert "deactivated instead" in response.content.decode()
    assert type(leaver).objects.filter(pk=leaver.pk).exists()


def test_ending_an_assignment_through_the_admin(hr_client, org):
    assignment = factories.AssignmentFactory(post__organisation=org)
    form = {
        "assignment_number": assignment.assignment_number,
        "staff_member": assignment.staff_member.pk,
        "post": assignment.post.pk,
        "category": assignment.category,
        "annual_salary": "50000.00",
        "start_on": "2015-04-01",
        "end_on": "2026-03-31",
        "change_reason": "Resigned, last day 31 March 2026",
    }
    response = hr_client.post(f"/admin/assignments/edit/{assignment.pk}/", form)
    assert response.status_code == 302
    latest = assignment.history.first()
    assert latest.end_on == dt.date(2026, 3, 31)
    assert latest.history_change_reason == "Resigned, last day 31 March 2026"
    other = factories.AssignmentFactory()
    assert hr_client.get(f"/admin/assignments/edit/{other.pk}/").status_code == 404


def test_succession_date_corrected_through_the_admin(hr_client, org):
    succession = factories.SuccessionFactory(predecessor=org)
    hr_client.user.organisations.add(succession.successor)  # a succession needs both ends
    form = {
        "predecessor": org.pk,
        "successor": succession.successor.pk,
        "effective_on": "2022-07-01",
        "change_reason": "unchanged",
    }
    assert hr_client.post(f"/admin/successions/edit/{succession.pk}/", form).status_code == 302
    assert succession.history.count() == 1  # nothing changed, nothing written
    form.update(effective_on="2022-07-02", change_reason="Scheme date corrected")
    assert hr_client.post(f"/admin/successions/edit/{succession.pk}/", form).status_code == 302
    latest = succession.history.first()
    assert (latest.effective_on, latest.history_change_reason) == (
        dt.date(2022, 7, 2),
        "Scheme date corrected",
    )
