"""The Workbooks screens: upload -> preview -> confirm -> applied, history, exports, access."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportRun
from tests import factories
from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, vacant_row, xlsx_bytes
from tracker import roles
from tracker.models import Assignment, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def qnq(db):
    return factories.OrganisationFactory(code="QNQ")


@pytest.fixture
def hr(client, qnq):
    user = factories.UserFactory(
        username="hr", groups=[Group.objects.get(name=roles.HR_MANAGER)], organisations=[qnq]
    )
    client.force_login(user)
    return user


def _upload(client, data: bytes, name="establishment.xlsx"):
    return client.post(
        reverse("imports:upload"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_upload_preview_confirm_apply(client, hr, qnq):
    factories.PostFactory(organisation=qnq, position_number="00099999", title="Old title")
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, person_row(), vacant_row()]})
    response = _upload(client, data)
    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert run.outcome == ImportRun.Outcome.PREVIEWED and run.dry_run
    assert run.source == ImportRun.Source.ADMIN
    page = response.content.decode()
    assert "Rows to create" in page
    assert "Old title" in page and "Commissioning Manager" in page  # old and new values
    assert "Confirm and import" in page
    assert Post.objects.count() == 1 and Assignment.objects.count() == 0  # nothing yet

    response = client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.APPLIED and not run.dry_run
    assert run.counts == {"Establishment": {"created": 1, "updated": 1, "unchanged": 0}}
    assert Assignment.objects.count() == 1
    post = Post.objects.get(position_number="00099999")
    assert post.title == "Commissioning Manager"
    latest = post.history.first()
    assert latest.history_user == hr
    assert latest.history_change_reason == f"Import #{run.pk}: establishment.xlsx"
    assert run.progress_total > 0 and run.progress_done == run.progress_total

    history = client.get(reverse("imports:history")).content.decode()
    assert f"Import #{run.pk}: establishment.xlsx" in history
    assert "Applied" in history


def test_status_endpoint_reports_progress(client, hr):
    run = ImportRun.objects.create(
        file_name="big.xlsx",
        sha256="0" * 64,
        user=hr,
        outcome=ImportRun.Outcome.RUNNING,
        stage=ImportRun.Stage.READING,
        phase="reading rows",
        progress_done=25_000,
        progress_total=100_000,
    )
    status = client.get(reverse("imports:run_status", args=[run.pk])).json()
    assert status == {
        "outcome": "running",
        "finished": False,
        "stalled": False,
        "stage": "reading",
        "stage_label": "Reading",
        "phase": "reading rows",
        "done": 25_000,
        "total": 100_000,
        "percent": 25,
    }
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert 'id="import-bar"' in page and 'value="25"' in page


def test_invalid_rows_are_listed_and_nothing_can_be_confirmed(client, hr):
    row = person_row()
    row[ESTABLISHMENT_HEADER.index("WTE")] = 2
    response = _upload(client, xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, row]}))
    page = response.content.decode()
    assert "Establishment!F2: WTE 2 is outside (0, 1]" in page
    assert "Confirm and import" not in page
    run = ImportRun.objects.get()
    assert run.outcome == ImportRun.Outcome.REJECTED
    assert client.post(reverse("imports:confirm", args=[run.pk])).status_code == 302
    assert Post.objects.count() == 0


def test_broken_file_gets_one_clear_line(client, hr):
    response = _upload(client, b"Organisation Code,Position Number\nQNQ,1\n", name="posts.xlsx")
    assert response.status_code == 200
    assert "this is a text or CSV file" in response.content.decode()
    assert ImportRun.objects.get().outcome == ImportRun.Outcome.FAILED


def test_hr_manager_only_touches_their_organisations(client, hr):
    factories.OrganisationFactory(code="RXX")
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row(org="RXX")]})
    page = _upload(client, data).content.decode()
    assert "Establishment!A2: you are not assigned to organisation RXX" in page


@pytest.mark.parametrize("role", [roles.UNION_REP, roles.AUDITOR, roles.STAFF, roles.CMS_EDITOR])
@pytest.mark.parametrize("url_name", ["imports:upload", "imports:exports", "imports:template"])
def test_other_roles_are_refused(client, role, url_name):
    user = factories.UserFactory(groups=[Group.objects.get(name=role)])
    client.force_login(user)
    response = client.get(reverse(url_name))
    # Wagtail turns PermissionDenied into a redirect to the dashboard (with a message) for
    # people who may use the admin, and to the login page for those who may not.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert (
            response["Location"] == reverse("wagtailadmin_home") or "login" in response["Location"]
        )
    assert ImportRun.objects.count() == 0


def test_others_cannot_open_someone_elses_run(client, hr, qnq):
    run = ImportRun.objects.create(
        file_name="x.xlsx", sha256="0" * 64, user=factories.UserFactory()
    )
    assert client.get(reverse("imports:run", args=[run.pk])).status_code == 404


def test_menu_is_shown_to_hr_managers(client, hr):
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Workbooks" in page and reverse("imports:upload") in page


def test_exports_and_template_download(client, hr, qnq):
    factories.PostFactory(organisation=qnq, position_number="0001")
    response = client.get(
        reverse("imports:exports"),
        {"kind": "establishment", "as_of": "2099-01-01", "organisation": qnq.pk},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    template = client.get(reverse("imports:template"))
    assert template.status_code == 200
    refused = client.get(reverse("imports:exports"), {"kind": "audit"})  # superusers only
    assert refused.status_code in (302, 403)
    assert "Content-Disposition" not in refused


def test_at_risk_download_is_limited_to_the_users_organisations(client, hr, qnq):
    factories.CaseFactory(employer=qnq)
    other = factories.OrganisationFactory(code="RXX")
    response = client.get(reverse("imports:exports"), {"kind": "at-risk", "organisation": "QNQ"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    refused = client.get(
        reverse("imports:exports"), {"kind": "at-risk", "organisation": other.code}
    )
    assert "Content-Disposition" not in refused


def test_union_rep_cannot_upload(client):
    rep = factories.UserFactory(groups=[Group.objects.get(name=roles.UNION_REP)])
    client.force_login(rep)
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("x.xlsx", data)})
    assert response.status_code in (302, 403)
    assert ImportRun.objects.count() == 0
    assert Post.objects.count() == 0
