"""Exports: styled, formula-safe, and the establishment export re-imports cleanly."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests import factories
from tests.imports.builders import write_xlsx
from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, vacant_row
from tracker.models import Assignment, Post, StaffMember

pytestmark = pytest.mark.django_db


def _export(*args) -> str:
    out = io.StringIO()
    call_command("export_workbook", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(run_import, tmp_path):
    factories.OrganisationFactory(code="QNQ")
    rows = [
        ESTABLISHMENT_HEADER,
        person_row(position="000123", **{"Last Name": '=HYPERLINK("http://evil")'}),
        person_row(
            position="000124",
            assignment="A2",
            employee="E2",
            **{"First Name": "+Sam", "Directorate": "-Ops"},
        ),
        vacant_row(position="000125"),
    ]
    # Written as text cells (openpyxl would store "=..." as a formula).
    path = tmp_path / "hostile-text.xlsx"
    write_xlsx(path, {"Establishment": rows})
    outcome = run_import(path.read_bytes())
    assert outcome.code == 0, outcome.text


def test_establishment_export_is_styled_safe_and_reimports_cleanly(imported, run_import, tmp_path):
    path = tmp_path / "establishment.xlsx"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "3 rows" in _export("establishment", str(path), "--as-of", tomorrow)
    book = openpyxl.load_workbook(path)
    sheet = book["Establishment"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet["A1"].font.bold
    header = [c.value for c in sheet[1]]
    rows = {
        r[1]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert set(rows) == {"000123", "000124", "000125"}  # leading zeros kept
    assert rows["000123"]["Last Name"] == '\'=HYPERLINK("http://evil")'
    assert rows["000124"]["First Name"] == "'+Sam"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    salary_cell = next(c for c in sheet[2] if header[c.column - 1] == "Annual Salary")
    assert "£" in salary_cell.number_format
    dob_cell = next(c for c in sheet[2] if header[c.column - 1] == "Date of Birth")
    assert isinstance(dob_cell.value, dt.datetime) and dob_cell.number_format == "DD/MM/YYYY"

    counts = [(m.objects.count(), m.history.count()) for m in (Post, StaffMember, Assignment)]
    again = run_import(path.read_bytes())
    assert again.code == 0, again.text
    assert "Establishment: 0 created, 0 updated, 3 unchanged" in again.out
    assert [
        (m.objects.count(), m.history.count()) for m in (Post, StaffMember, Assignment)
    ] == counts
    assert StaffMember.objects.get(employee_number="E0001").last_name == '=HYPERLINK("http://evil")'


def test_edited_export_updates_exactly_the_edited_row(imported, run_import, tmp_path):
    path = tmp_path / "establishment.xlsx"
    _export(
        "establishment",
        str(path),
        "--as-of",
        (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
    )
    book = openpyxl.load_workbook(path)
    sheet = book["Establishment"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "000124":
            row[header.index("Annual Salary")].value = 60123.45
    book.save(path)
    outcome = run_import(path.read_bytes(), name="edited-export.xlsx")
    assert outcome.code == 0, outcome.text
    assert "Establishment: 0 created, 1 updated, 2 unchanged" in outcome.out
    assert Assignment.objects.get(assignment_number="A2").annual_salary == Decimal("60123.45")
    assert Assignment.history.filter(history_type="~").count() == 1
    assert Post.history.filter(history_type="~").count() == 0


def test_transfer_schedule(tmp_path):
    ccg = factories.OrganisationFactory(code="01A", name="Old CCG")
    icb = factories.OrganisationFactory(code="QOP", name="New ICB")
    programme = factories.ProgrammeFactory(slug="ccg-icb", name="CCG to ICB")
    assignment = factories.AssignmentFactory(post__organisation=ccg, post__position_number="0077")
    factories.PlannedChangeFactory(
        programme=programme, post=assignment.post, destination_organisation=icb
    )
    factories.PlannedChangeFactory(
        programme=programme,
        post__organisation=ccg,
        post__position_number="0078",
        destination_organisation=icb,
    )
    path = tmp_path / "schedule.xlsx"
    assert "2 rows" in _export("transfer-schedule", str(path), "--programme", "ccg-icb")
    sheet = openpyxl.load_workbook(path)["Transfer schedule"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    person = next(r for r in rows if r["Position Number"] == "0077")
    assert (person["From Organisation Code"], person["To Organisation Code"]) == ("01A", "QOP")
    assert person["Employee Number"] == assignment.staff_member.employee_number
    assert person["Continuity of Service Date"].date() == assignment.staff_member.nhs_service_start
    assert person["Effective Date"].date() == dt.date(2022, 7, 1)
    vacant = next(r for r in rows if r["Position Number"] == "0078")
    assert vacant["Last Name"] == "(vacant)"


def test_audit_export_lists_who_when_why_before_after(imported, run_import, tmp_path):
    rows = [
        ESTABLISHMENT_HEADER,
        person_row(position="000123", Band="8b", **{"Last Name": '=HYPERLINK("http://evil")'}),
    ]
    write_xlsx(tmp_path / "regrade.xlsx", {"Establishment": rows})
    outcome = run_import(path=tmp_path / "regrade.xlsx")
    assert outcome.code == 0, outcome.text
    path = tmp_path / "audit.xlsx"
    _export("audit", str(path))
    sheet = openpyxl.load_workbook(path)["Audit"]
    header = [c.value for c in sheet[1]]
    lines = [
        dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    change = next(line for line in lines if line["Field"] == "band")
    assert (change["Before"], change["After"]) == ("8a", "8b")
    assert change["Who"] == "system"
    assert change["Why"].endswith("regrade.xlsx")
    assert change["Record"].startswith("000123")
    assert isinstance(change["When"], dt.datetime)
    assert all(not str(line["Record"] or "").startswith("=") for line in lines)


def test_template_has_drop_downs_and_instructions_and_imports_empty(run_import, tmp_path):
    path = tmp_path / "template.xlsx"
    _export("template", str(path))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Instructions"
    sheet = book["Establishment"]
    formulas = {str(dv.sqref)[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    header = [c.value for c in sheet[1]]
    band = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("Band")]
    category = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("Assignment Category")]
    assert "8a" in formulas[band] and "VSM" in formulas[band]
    assert "Fixed Term" in formulas[category]
    action = book["Changes"].data_validations.dataValidation[0].formula1
    assert "Transfer unchanged" in action and "Out of scope" in action
    outcome = run_import(path.read_bytes())
    assert outcome.code == 0, outcome.text


def test_at_risk_export_names_cases_but_never_union_membership(tmp_path):
    employer = factories.OrganisationFactory(code="QOP")
    case = factories.CaseFactory(
        employer=employer, requested_representation=True, union_name="UNISON"
    )
    factories.CaseFactory(employer=employer, status="protected")
    factories.CaseFactory()  # another employer
    path = tmp_path / "at-risk.xlsx"
    assert "1 rows" in _export("at-risk", str(path), "--organisation", "QOP")
    book = openpyxl.load_workbook(path)
    sheet = book["At risk"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0]["Employee Number"] == case.staff_member.employee_number
    assert rows[0]["Status"] == "At risk"
    text = " ".join(
        str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r
    )
    assert "UNISON" not in text and "union" not in text.lower()


def test_consultation_export_has_figures_disclosures_and_meetings(tmp_path):
    consultation = factories.ConsultationDisclosureFactory().consultation
    factories.ConsultationMeetingFactory(consultation=consultation)
    path = tmp_path / "consultation.xlsx"
    assert "1 rows" in _export("consultation", str(path))
    book = openpyxl.load_workbook(path)
    header = [c.value for c in book["Consultation"][1]]
    row = dict(
        zip(header, next(book["Consultation"].iter_rows(min_row=2, values_only=True)), strict=True)
    )
    assert row["Employer Code"] == consultation.employer.code
    assert row["Proposed Dismissals"] == 0
    assert "Reasons for the proposals" not in row["Disclosures Missing"]
    assert "Proposed method of selection" in row["Disclosures Missing"]
    disclosure = list(book["Disclosures"].iter_rows(min_row=2, values_only=True))
    assert disclosure[0][2] == "Reasons for the proposals"
    assert len(list(book["Meetings"].iter_rows(min_row=2, values_only=True))) == 1


def test_unknown_programme(tmp_path):
    with pytest.raises(CommandError, match="no programme 'nope'"):
        _export("transfer-schedule", str(tmp_path / "x.xlsx"), "--programme", "nope")
