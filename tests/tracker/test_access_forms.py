"""Forms and choosers offer only in-scope rows; forged POSTs naming another organisation's
records are form errors (never a 500) and change nothing; list exports are safe."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.tracker.world import AWAY_MARKERS, snapshot
from tracker.models import PlannedChange, Post

pytestmark = pytest.mark.django_db

REASON = {"change_reason": "Forged on purpose"}


@pytest.fixture
def hr(client, world):
    client.force_login(world.users["hr_a"])
    return client


def _refused_in_form(response, before):
    assert response.status_code == 200  # the form again, with its error
    assert "error" in response.content.decode()
    assert snapshot() == before


class TestForgedPosts:
    def test_assignment_naming_an_away_person(self, hr, world):
        before = snapshot()
        response = hr.post(
            "/admin/assignments/new/",
            {
                "assignment_number": "F1",
                "staff_member": world.away.person.pk,
                "post": world.home.post.pk,
                "category": "permanent",
                **REASON,
            },
        )
        _refused_in_form(response, before)

    def test_assignment_naming_an_away_post(self, hr, world):
        before = snapshot()
        response = hr.post(
            "/admin/assignments/new/",
            {
                "assignment_number": "F1",
                "staff_member": world.home.person.pk,
                "post": world.away.post.pk,
                "category": "permanent",
                **REASON,
            },
        )
        _refused_in_form(response, before)

    def test_post_created_in_away(self, hr, world):
        before = snapshot()
        response = hr.post(
            "/admin/posts/new/",
            {
                "organisation": world.away.org.pk,
                "position_number": "F-1",
                "title": "Forged",
                "band": "6",
                "wte": "1",
                **REASON,
            },
        )
        _refused_in_form(response, before)

    @pytest.mark.parametrize("field", ["post", "destination_organisation"])
    def test_change_naming_an_away_post_or_destination(self, hr, world, field):
        programme = factories.ProgrammeFactory(slug="second")
        programme.organisations.add(world.home.org)
        before = snapshot()
        data = {
            "programme": programme.pk,
            "post": world.home.post.pk,
            "action": "transfer_unchanged",
            "destination_organisation": world.home.icb.pk,
            "destination_position_number": "",
            "effective_on": "2027-04-01",
            **REASON,
        }
        data[field] = world.away.post.pk if field == "post" else world.away.org.pk
        _refused_in_form(hr.post("/admin/planned_changes/new/", data), before)

    def test_moving_a_home_post_into_away(self, hr, world):
        post = world.home.post
        before = snapshot()
        response = hr.post(
            f"/admin/posts/edit/{post.pk}/",
            {
                "organisation": world.away.org.pk,
                "position_number": post.position_number,
                "title": post.title,
                "directorate": post.directorate,
                "band": post.band,
                "wte": str(post.wte),
                "cost_centre": post.cost_centre,
                **REASON,
            },
        )
        _refused_in_form(response, before)

    @pytest.mark.parametrize(
        "url",
        [
            "/admin/posts/edit/{away_post}/",
            "/admin/posts/delete/{away_post}/",
            "/admin/transition/changes/{away_change}/approve/",
            "/admin/transition/changes/{away_change}/cancel/",
        ],
    )
    def test_posting_to_an_away_record_is_404(self, hr, world, url):
        before = snapshot()
        url = url.format(away_post=world.away.post.pk, away_change=world.away.change.pk)
        response = hr.post(url, {"title": "Forged", "reason": "Forged", **REASON})
        assert response.status_code == 404
        assert snapshot() == before


class TestChoosers:
    # (chooser, the world attribute, a search term, text each side's row shows). The search
    # term is echoed back ("No results for ..."), so leaks are checked on the row text.
    CHOOSERS = [
        ("organisation_chooser", "org", "Homefield CCG", "Awayvale CCG"),
        ("post_chooser", "post", "Homefield Analyst", "Awayvale Analyst"),
        ("staff_member_chooser", "person", "Harbourview", "Zanzibarova"),
    ]
    ROW_TEXT = {
        "organisation_chooser": ("(01A)", "(02B)"),
        "post_chooser": ("01A-0001", "02B-0001"),
        "staff_member_chooser": ("EHOME001", "EAWAY001"),
    }

    @pytest.mark.parametrize(("name", "attr", "home_name", "away_name"), CHOOSERS)
    def test_hr_chooses_only_in_scope_rows(self, hr, world, name, attr, home_name, away_name):
        home_row, away_row = self.ROW_TEXT[name]
        page = hr.get(f"/admin/{name}/").content.decode()
        assert home_name in page and away_name not in page and away_row not in page
        results = hr.get(f"/admin/{name}/results/", {"q": away_name.split()[0]})
        assert results.status_code == 200 and away_row not in results.content.decode()
        found = hr.get(f"/admin/{name}/results/", {"q": home_name.split()[0]}).content.decode()
        assert home_row in found
        assert hr.get(f"/admin/{name}/chosen/{getattr(world.away, attr).pk}/").status_code == 404
        chosen = hr.get(f"/admin/{name}/chosen/{getattr(world.home, attr).pk}/")
        assert chosen.status_code == 200 and home_row in chosen.content.decode()

    @pytest.mark.parametrize("username", ["rep", "auditor", "approver"])
    @pytest.mark.parametrize(("name", "attr", "home_name", "away_name"), CHOOSERS)
    def test_roles_that_change_nothing_choose_nothing(
        self, client, world, username, name, attr, home_name, away_name
    ):
        client.force_login(world.users[username])
        page = client.get(f"/admin/{name}/").content.decode()
        assert home_name not in page and away_name not in page

    def test_staff_and_anonymous_cannot_open_a_chooser(self, client, world):
        assert "/login/" in client.get("/admin/post_chooser/")["Location"]
        client.force_login(world.users["staff"])
        assert "/login/" in client.get("/admin/post_chooser/")["Location"]

    def test_chooser_is_paged_and_its_queries_flat(self, hr, world):
        counts = []
        for n in (3, 30):
            for _ in range(n):
                factories.PostFactory(organisation=world.home.org)
            with CaptureQueriesContext(connection) as queries:
                page = hr.get("/admin/post_chooser/").content.decode()
            counts.append(len(queries))
        assert counts[0] == counts[1], counts
        assert page.count("Commissioning Manager") == 20  # one page of 20, of 34 posts

    def test_forms_use_choosers_not_selects(self, hr, world):
        page = hr.get("/admin/assignments/new/").content.decode()
        assert "Choose a staff member" in page and "Choose a post" in page
        for marker in AWAY_MARKERS:
            assert marker not in page


def test_staff_member_form_has_pension_return_date(hr, world):
    assert 'name="pension_return_date"' in hr.get("/admin/staff/new/").content.decode()
    person = world.home.person
    response = hr.post(
        f"/admin/staff/edit/{person.pk}/",
        {
            "employee_number": person.employee_number,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "work_email": person.work_email,
            "date_of_birth": "1975-03-10",
            "nhs_service_start": "2008-09-01",
            "pension_return_date": "2021-06-01",
            "change_reason": "Returned after drawing pension",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.pension_return_date == dt.date(2021, 6, 1)


class TestExports:
    def test_changes_without_a_destination_export(self, hr, world):
        factories.PlannedChangeFactory(
            programme=world.home.programme,
            post=factories.PostFactory(organisation=world.home.org, title="Board Closer"),
            action=PlannedChange.Action.CLOSED,
            destination_organisation=None,
            author=world.users["admin"],
        )
        for kind in ("csv", "xlsx"):
            response = hr.get(f"/admin/planned_changes/?export={kind}")
            assert response.status_code == 200
        csv_text = b"".join(hr.get("/admin/planned_changes/?export=csv").streaming_content)
        row = next(line for line in csv_text.decode().splitlines() if "Board Closer" in line)
        assert ",Closed,," in row  # action, then an empty destination code

    FORMULAS = [
        '=HYPERLINK("http://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
    ]

    @pytest.mark.parametrize("title", FORMULAS)
    def test_formula_cells_are_written_as_text(self, hr, world, title):
        Post.objects.filter(pk=world.home.post.pk).update(title=title)
        csv_text = b"".join(hr.get("/admin/posts/?export=csv").streaming_content).decode()
        assert f"'{title}" in csv_text.replace('""', '"')
        body = hr.get("/admin/posts/?export=xlsx")
        content = b"".join(body.streaming_content) if body.streaming else body.content
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert titles == [f"'{title}"]


FORM_NAMES = {
    "organisations": "org",
    "successions": "succession",
    "programmes": "programme",
    "posts": "post",
    "staff": "person",
    "assignments": "assignment",
    "planned_changes": "change",
}


@pytest.mark.parametrize("name", list(FORM_NAMES))
def test_add_and_edit_forms_name_nothing_of_away(hr, world, name):
    """Selects, choosers and filters on every add and edit form: Home's HR manager sees no
    name, code or number of Away's records."""
    record = getattr(world.home, FORM_NAMES[name])
    for url in (f"/admin/{name}/new/", f"/admin/{name}/edit/{record.pk}/"):
        page = hr.get(url)
        assert page.status_code == 200, url
        # The page's CSRF token is 64 random letters and digits: it held "QB2" once by chance.
        text = re.sub(r"\b[A-Za-z0-9]{64}\b", "", page.content.decode())
        for marker in (*AWAY_MARKERS, "02B", "QB2"):
            assert marker not in text, (url, marker)
