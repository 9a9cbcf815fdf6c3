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


# --- streaming, scope, bounds ------------------------------------------------------------------


def _lines(path, sheet="Audit") -> list[dict]:
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


def _at(model, day: dt.date, **filters) -> None:
    """Back-date history rows (services always record now)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    model.history.filter(**filters).update(history_date=moment)


@pytest.fixture
def dated_history():
    """Two organisations' posts created on 10 Jan 2024; QNQ's regraded 7 -> 8a on 10 Feb."""
    from tracker.audit import audited_save, system_user

    a = factories.PostFactory(organisation__code="QNQ", position_number="A1", band="7")
    b = factories.PostFactory(organisation__code="RXX", position_number="B1", band="7")
    for model in (Post,):
        _at(model, dt.date(2024, 1, 10))
    from tracker.models import Organisation

    _at(Organisation, dt.date(2024, 1, 10))
    a.band = "8a"
    audited_save(a, acting_user=system_user(), reason="Regraded by panel", changed=["band"])
    _at(Post, dt.date(2024, 2, 10), id=a.pk, history_type="~")
    return a, b


def test_audit_command_honours_organisation_since_and_until(dated_history, tmp_path):
    path = tmp_path / "audit.xlsx"
    assert "1 rows" in _export("audit", str(path), "--organisation", "QNQ", "--since", "2024-02-01")
    (line,) = _lines(path)
    assert (line["Field"], line["Before"], line["After"]) == ("band", "7", "8a")
    assert line["Why"] == "Regraded by panel" and line["Record"] == "A1 Commissioning Manager"

    _export("audit", str(path), "--until", "2024-01-31")
    lines = _lines(path)
    assert {(ln["Record Type"], ln["Change"]) for ln in lines} == {
        ("Organisation", "Created"),
        ("Post", "Created"),
    }
    assert len(lines) == 4  # two organisations, two posts; the regrade is after --until

    _export("audit", str(path), "--organisation", "RXX")
    assert [ln["Record"] for ln in _lines(path) if ln["Record Type"] == "Post"] == [
        "B1 Commissioning Manager"
    ]
    with pytest.raises(CommandError, match="--since must be on or before --until"):
        _export("audit", str(path), "--since", "2024-03-01", "--until", "2024-01-01")


def test_audit_continues_on_further_sheets_past_the_row_limit(dated_history, tmp_path):
    from imports.exports import export_audit

    path = tmp_path / "audit.xlsx"
    with open(path, "wb") as stream:
        rows = export_audit(stream, max_rows=3)  # a header and two rows per sheet
    assert rows == 5  # 2 organisations + 2 posts created + 1 band change
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Audit", "Audit (2)", "Audit (3)", "About"]
    assert [book[s].max_row for s in book.sheetnames[:3]] == [3, 3, 2]
    assert all(book[s]["A1"].value == "When" for s in book.sheetnames[:3])
    whens = [
        r[0] for s in book.sheetnames[:3] for r in book[s].iter_rows(min_row=2, values_only=True)
    ]
    assert whens == sorted(whens)


def test_csv_export_from_the_command_is_formula_safe(tmp_path):
    factories.AssignmentFactory(
        post__organisation__code="QNQ", staff_member__last_name="=cmd|' /C calc'!A0"
    )
    path = tmp_path / "establishment.csv"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "1 rows" in _export("establishment", str(path), "--as-of", tomorrow)
    text = path.read_text(encoding="utf-8-sig")
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Organisation Code"
    assert rows[1][rows[0].index("Last Name")] == "'=cmd|' /C calc'!A0"
    with pytest.raises(CommandError, match="several sheets"):
        _export("consultation", str(tmp_path / "c.csv"))


def test_cases_command_filters_by_status_and_never_exports_special_category_data(tmp_path):
    employer = factories.OrganisationFactory(code="QOP")
    at_risk = factories.CaseFactory(
        employer=employer,
        requested_representation=True,
        union_name="GMB",
        has_statutory_redeployment_priority=True,
    )
    factories.CaseFactory(employer=employer, status="protected")
    path = tmp_path / "cases.xlsx"
    assert "2 rows" in _export("cases", str(path), "--organisation", "QOP")
    assert "1 rows" in _export("cases", str(path), "--status", "at_risk")
    (row,) = _lines(path, "Cases")
    assert row["Case"] == at_risk.pk and row["Status"] == "At risk"
    header = " ".join(row).lower()
    assert "union" not in header and "priority" not in header and "represent" not in header
    assert "GMB" not in " ".join(str(v) for v in row.values())
    with pytest.raises(CommandError, match="--status"):
        _export("cases", str(path), "--status", "nope")


def test_transfer_schedule_made_for_hr_holds_only_their_organisations(tmp_path):
    from imports.exports import export_transfer_schedule

    mine = factories.OrganisationFactory(code="01A")
    theirs = factories.OrganisationFactory(code="02B")
    icb = factories.OrganisationFactory(code="QOP")
    programme = factories.ProgrammeFactory(slug="p")
    for org, name in ((mine, "Mine"), (theirs, "Theirs")):
        a = factories.AssignmentFactory(post__organisation=org, staff_member__last_name=name)
        factories.PlannedChangeFactory(
            programme=programme, post=a.post, destination_organisation=icb
        )
    hr = factories.UserFactory(organisations=[mine])
    buffer = io.BytesIO()
    assert export_transfer_schedule(buffer, programme=programme, user=hr) == 1
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    names = [r[14] for r in book["Transfer schedule"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Mine"]


def _grow(n: int, *, org, icb, programme) -> None:
    for _ in range(n):
        a = factories.AssignmentFactory(post__organisation=org)
        factories.PlannedChangeFactory(
            programme=programme, post=a.post, destination_organisation=icb
        )
        factories.CaseFactory(employer=org, post=a.post, staff_member=a.staff_member)
        factories.CollectiveConsultationFactory(employer=org, establishment=a.assignment_number)


def _queries_per_kind(tmp_path, programme) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from imports import exports

    calls = {
        "establishment": lambda s: exports.export_establishment(s, as_of=dt.date(2099, 1, 1)),
        "transfer-schedule": lambda s: exports.export_transfer_schedule(s, programme=programme),
        "at-risk": lambda s: exports.export_at_risk(s),
        "consultation": lambda s: exports.export_consultation(s),
        "audit": lambda s: exports.export_audit(s),
        "cases": lambda s: exports.export_cases(s),
    }
    counts = {}
    for kind, call in calls.items():
        with CaptureQueriesContext(connection) as queries, open(tmp_path / "x.xlsx", "wb") as s:
            call(s)
        counts[kind] = len(queries)
    return counts


def test_every_export_makes_the_same_queries_at_two_sizes(tmp_path):
    org = factories.OrganisationFactory(code="QNQ")
    icb = factories.OrganisationFactory(code="QOP")
    programme = factories.ProgrammeFactory(slug="p")
    _grow(2, org=org, icb=icb, programme=programme)
    small = _queries_per_kind(tmp_path, programme)
    _grow(8, org=org, icb=icb, programme=programme)
    large = _queries_per_kind(tmp_path, programme)
    assert large == small
    # Hand-counted bounds: establishment 4 (posts, names, and per chunk of 2,000 posts holders
    # and their people); schedule 3 (changes, organisations, and per chunk of 2,000 changes their
    # assignments); at-risk and cases 1; consultation 4 + the figures; audit 7 tables + users.
    assert small["establishment"] <= 4 and small["transfer-schedule"] <= 3
    assert small["at-risk"] == 1 and small["cases"] == 1
    assert small["audit"] <= 8
    assert small["consultation"] <= 8
