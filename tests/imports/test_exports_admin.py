"""The Exports screens: per role and scope, what each may export, and that a file never holds a
name from outside the requester's organisations. Exports run as background tasks (immediately
in tests) and are written through the storage API; the download re-checks the requester."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from employment.models import CaseViewLog
from imports.exports.models import ExportRun
from tests import factories
from tracker import roles

pytestmark = pytest.mark.django_db

IN_NAME, OUT_NAME = "Inscopeperson", "Outscopeperson"
KINDS = ("establishment", "transfer-schedule", "at-risk", "consultation", "audit", "cases")


@pytest.fixture
def world(db):
    inside = factories.OrganisationFactory(code="QNQ", name="Inside CCG")
    outside = factories.OrganisationFactory(code="RXX", name="Outside CCG")
    icb = factories.OrganisationFactory(code="QYG", name="New ICB", kind="icb")
    programme = factories.ProgrammeFactory(slug="merger", name="Merger")
    programme.organisations.add(inside, outside, icb)
    people = {}
    for org, last in ((inside, IN_NAME), (outside, OUT_NAME)):
        assignment = factories.AssignmentFactory(
            post__organisation=org, staff_member__last_name=last
        )
        factories.PlannedChangeFactory(
            programme=programme, post=assignment.post, destination_organisation=icb
        )
        factories.CaseFactory(
            employer=org,
            post=assignment.post,
            staff_member=assignment.staff_member,
            requested_representation=True,
            union_name="UNISON",
            has_statutory_redeployment_priority=True,
        )
        factories.CollectiveConsultationFactory(employer=org, establishment=f"{last} site")
        people[org.code] = assignment.staff_member
    return {"inside": inside, "outside": outside, "icb": icb, "programme": programme}


def _user(role: str | None, *organisations, **extra):
    groups = [Group.objects.get(name=role)] if role else []
    return factories.UserFactory(groups=groups, organisations=list(organisations), **extra)


def _params(kind: str, world) -> dict:
    data = {f"{kind}-fmt": "xlsx"}
    if kind == "establishment":
        data[f"{kind}-as_of"] = "2099-01-01"
    if kind == "transfer-schedule":
        data[f"{kind}-programme"] = world["programme"].pk
    return data


def _export(client, kind: str, world, **extra):
    return client.post(reverse("exports:start", args=[kind]), {**_params(kind, world), **extra})


def _text_of(response) -> str:
    data = b"".join(response.streaming_content)
    if data[:2] != b"PK":
        return data.decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(
        str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r
    )


def _download(client, run: ExportRun):
    return client.get(reverse("exports:download", args=[run.pk]))


@pytest.mark.parametrize("kind", KINDS)
def test_hr_exports_hold_only_their_organisations(client, world, kind):
    hr = _user(roles.HR_MANAGER, world["inside"])
    client.force_login(hr)
    response = _export(client, kind, world)
    assert response.status_code == 302
    run = ExportRun.objects.get()
    assert response["Location"] == reverse("exports:run", args=[run.pk])
    assert run.status == ExportRun.Status.DONE, run.message
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert reverse("exports:download", args=[run.pk]) in page.content.decode()
    text = _text_of(_download(client, run))
    assert OUT_NAME not in text and "RXX" not in text
    if kind != "consultation":
        assert IN_NAME in text
    assert "UNISON" not in text
    assert "priority" not in text.lower()


def test_hr_cannot_ask_for_another_organisation(client, world):
    client.force_login(_user(roles.HR_MANAGER, world["inside"]))
    response = _export(client, "at-risk", world, **{"at-risk-organisation": world["outside"].pk})
    assert response.status_code == 400  # not a choice the form offers
    assert ExportRun.objects.count() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_auditor_exports_everything_and_named_cases_are_logged(client, world, kind):
    auditor = _user(roles.AUDITOR)
    client.force_login(auditor)
    assert _export(client, kind, world).status_code == 302
    run = ExportRun.objects.get()
    text = _text_of(_download(client, run))
    if kind != "consultation":
        assert IN_NAME in text or "QNQ" in text
    if kind in ("establishment", "transfer-schedule", "at-risk", "cases"):
        assert OUT_NAME in text
    # One log entry per export, naming every case in the file (two here).
    entries = CaseViewLog.objects.filter(user=auditor, screen="export")
    if kind in ("at-risk", "cases"):
        (entry,) = entries
        assert entry.cases.count() == 2
    else:
        assert not entries.exists()


def test_union_rep_exports_only_represented_cases_and_consultations(client, world):
    rep = _user(roles.UNION_REP, world["inside"], union="UNISON")
    client.force_login(rep)
    for kind in ("establishment", "transfer-schedule", "audit"):
        assert _export(client, kind, world).status_code == 404
    assert _export(client, "at-risk", world).status_code == 302
    text = _text_of(_download(client, ExportRun.objects.get(kind="at-risk")))
    assert IN_NAME in text and OUT_NAME not in text and "UNISON" not in text
    (entry,) = CaseViewLog.objects.filter(user=rep, screen="export")
    assert entry.cases.count() == 1
    assert _export(client, "consultation", world).status_code == 302
    text = _text_of(_download(client, ExportRun.objects.get(kind="consultation")))
    assert f"{IN_NAME} site" in text and f"{OUT_NAME} site" not in text


@pytest.mark.parametrize("role", [roles.STAFF, roles.CMS_EDITOR, roles.PARTNERSHIP_APPROVER])
def test_roles_without_exports_see_none(client, world, role):
    client.force_login(_user(role))
    assert client.get(reverse("exports:index")).status_code in (302, 403, 404)
    for kind in KINDS:
        assert _export(client, kind, world).status_code in (302, 403, 404)
    assert ExportRun.objects.count() == 0


def test_download_is_the_requesters_only_and_only_while_they_may_see_it(client, world):
    hr = _user(roles.HR_MANAGER, world["inside"])
    client.force_login(hr)
    _export(client, "cases", world, **{"cases-organisation": world["inside"].pk})
    run = ExportRun.objects.get()
    assert _download(client, run).status_code == 200

    colleague = _user(roles.HR_MANAGER, world["inside"])
    client.force_login(colleague)
    assert _download(client, run).status_code == 404
    assert client.get(reverse("exports:run", args=[run.pk])).status_code == 404

    client.force_login(hr)
    hr.organisations.remove(world["inside"])  # moved off the organisation since
    assert _download(client, run).status_code == 404


def test_audit_as_csv_is_formula_safe(client, world):
    factories.PostFactory(organisation=world["inside"], title="=HYPERLINK(1)")
    client.force_login(_user(roles.AUDITOR))
    _export(
        client, "audit", world, **{"audit-fmt": "csv", "audit-organisation": world["inside"].pk}
    )
    response = _download(client, ExportRun.objects.get())
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_text_of(response))))
    assert rows[0][:3] == ["When", "Who", "Why"]
    records = [r[4] for r in rows[1:]]
    assert any(r.endswith("=HYPERLINK(1)") for r in records)
    assert not any(r.startswith(("=", "+", "-", "@")) for r in records)


def test_index_lists_the_kinds_a_role_may_make(client, world):
    client.force_login(_user(roles.HR_MANAGER, world["inside"]))
    page = client.get(reverse("exports:index")).content.decode()
    for label in ("Establishment as at a date", "Transfer schedule", "Audit trail", "Case list"):
        assert label in page
    assert "Outside CCG" not in page  # no out-of-scope organisation on offer
