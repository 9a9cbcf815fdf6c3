"""`import_workbook`: exit codes, per-sheet summaries, all-or-nothing, history, idempotence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from imports.models import ImportRun
from tests import factories
from tests.imports.conftest import (
    ESTABLISHMENT_HEADER,
    ORGANISATIONS_HEADER,
    person_row,
    vacant_row,
    xlsx_bytes,
)
from tracker.models import Assignment, Organisation, Post, StaffMember, Succession

pytestmark = pytest.mark.django_db

COL = {name: index for index, name in enumerate(ESTABLISHMENT_HEADER)}


def _snapshot():
    models = (Organisation, Succession, Post, StaffMember, Assignment)
    return [(m.objects.count(), m.history.count()) for m in models]


def _set(row, column, value):
    row = list(row)
    row[COL[column]] = value
    return row


@pytest.fixture
def qnq(db):
    return factories.OrganisationFactory(code="QNQ")


def test_imports_posts_people_and_assignments(run_import, qnq):
    hr = factories.UserFactory(username="hr.manager")
    data = xlsx_bytes(
        {
            "Establishment": [
                ESTABLISHMENT_HEADER,
                person_row(),
                person_row(
                    position="00000077", assignment="A0002", employee="E0002", **{"Work Email": ""}
                ),
                vacant_row(),
            ]
        }
    )
    outcome = run_import(data, "--user", "hr.manager", name="establishment.xlsx")
    assert outcome.code == 0, outcome.text
    assert "Establishment: 3 created, 0 updated, 0 unchanged" in outcome.out

    post = Post.objects.get(position_number="00012345")
    assert post.organisation == qnq
    assert post.band == "8a"
    assert post.wte == Decimal("1.0000")
    assert Post.objects.filter(position_number="00000077").exists()  # leading zeros kept
    person = StaffMember.objects.get(employee_number="E0001")
    assert person.date_of_birth == dt.date(1975, 3, 10)
    assert person.nhs_service_start == dt.date(2008, 9, 1)
    assignment = Assignment.objects.get(assignment_number="A0001")
    assert assignment.post == post and assignment.staff_member == person
    assert assignment.annual_salary == Decimal("55000.00")
    assert assignment.category == Assignment.Category.PERMANENT

    run = ImportRun.objects.get()
    assert run.outcome == ImportRun.Outcome.APPLIED
    assert run.user == hr
    assert len(run.sha256) == 64
    assert run.counts == {"Establishment": {"created": 3, "updated": 0, "unchanged": 0}}
    history = post.history.get()
    assert history.history_user == hr
    assert history.history_change_reason == f"Import #{run.pk}: establishment.xlsx"
    assert history.history_type == "+"
    for model in (StaffMember, Assignment):
        assert set(model.history.values_list("history_change_reason", flat=True)) == {run.reason}
        assert set(model.history.values_list("history_user", flat=True)) == {hr.pk}


def test_history_names_the_system_user_without_user_option(run_import, qnq):
    outcome = run_import(xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]}))
    assert outcome.code == 0
    assert Post.history.get().history_user.username == "system"


def test_unknown_user_is_a_one_line_error(run_import, qnq):
    outcome = run_import(xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER]}), "--user", "nobody")
    assert outcome.code == 2
    assert "no user 'nobody'" in outcome.err


def test_one_bad_row_writes_nothing(run_import, qnq):
    before = _snapshot()
    rows = [ESTABLISHMENT_HEADER]
    for n in range(50):
        rows.append(person_row(position=f"{n:08d}", assignment=f"A{n}", employee=f"E{n}"))
    rows.append(
        _set(person_row(position="99999999", assignment="A99", employee="E99"), "Band", "Band 12")
    )
    outcome = run_import(xlsx_bytes({"Establishment": rows}))
    assert outcome.code == 1
    assert "Establishment!E52: 'Band 12' is not a band" in outcome.out
    assert "nothing was written" in outcome.err
    assert _snapshot() == before
    assert ImportRun.objects.get().outcome == ImportRun.Outcome.REJECTED


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Band", "Band 12", "E2: 'Band 12' is not a band"),
        ("WTE", 0, "F2: WTE 0 is outside (0, 1]"),
        ("WTE", 1.2, "F2: WTE 1.2 is outside (0, 1]"),
        ("WTE", "full", "F2: WTE 'full' is not a number"),
        ("Annual Salary", -5, "P2: Annual Salary -5 is not positive"),
        ("Annual Salary", 0, "P2: Annual Salary 0 is not positive"),
        ("Date of Birth", "31/02/1980", "N2: '31/02/1980' is not a real date"),
        ("Date of Birth", "next tuesday", "N2: 'next tuesday' is not a date"),
        ("Date of Birth", "01/01/2999", "N2: date of birth 01/01/2999 is in the future"),
        ("NHS Start Date", "2999-01-01", "O2: NHS start date 01/01/2999 is in the future"),
        (
            "NHS Start Date",
            "1990-01-01",
            "O2: NHS start date 01/01/1990 is before the person's 16th birthday (10/03/1991)",
        ),
        ("Work Email", "alex at nhs", "M2: 'alex at nhs' is not an email address"),
        ("Organisation Code", "ZZZ", "A2: unknown organisation code 'ZZZ'"),
        ("Organisation Code", "not a code", "A2: 'NOT A CODE' is not an ODS code"),
        ("Position Number", "", "B2: Position Number is blank"),
        ("Assignment Category", "Zero hours", "Q2: 'Zero hours' is not an assignment category"),
        ("Board Level", "maybe", "H2: 'maybe' is not Y or N"),
        ("Last Name", "", "K2: Last Name is blank; every assignment needs one"),
    ],
)
def test_row_problems_name_the_cell(run_import, qnq, column, value, message):
    outcome = run_import(
        xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, _set(person_row(), column, value)]})
    )
    assert outcome.code == 1, outcome.text
    assert f"Establishment!{message}" in outcome.out
    assert Post.objects.count() == 0


def test_duplicates_within_the_file(run_import, qnq):
    rows = [
        ESTABLISHMENT_HEADER,
        vacant_row(position="001"),
        vacant_row(position="001"),
        person_row(position="002", assignment="A1", employee="E1"),
        person_row(position="003", assignment="A1", employee="E2"),
    ]
    outcome = run_import(xlsx_bytes({"Establishment": rows}))
    assert outcome.code == 1
    assert (
        "Establishment!B3: position number 001 for QNQ appears again (first at row 2)"
        in outcome.out
    )
    assert "Establishment!I5: assignment number A1 appears again (first at row 4)" in outcome.out


def test_shared_post_on_two_rows_is_one_post_with_two_holders(run_import, qnq):
    rows = [
        ESTABLISHMENT_HEADER,
        person_row(position="001", assignment="A1", employee="E1", WTE=1),
        person_row(position="001", assignment="A2", employee="E2", WTE=1),
    ]
    outcome = run_import(xlsx_bytes({"Establishment": rows}))
    assert outcome.code == 0, outcome.text
    assert Post.objects.get().assignments.count() == 2


def test_numbers_claimed_by_another_organisation(run_import, qnq):
    other = factories.OrganisationFactory(code="RXX")
    factories.AssignmentFactory(
        assignment_number="A7",
        post__organisation=other,
        post__position_number="555",
        staff_member__employee_number="E7",
    )
    rows = [
        ESTABLISHMENT_HEADER,
        vacant_row(position="555"),
        person_row(position="556", assignment="A7", employee="E7"),
    ]
    outcome = run_import(xlsx_bytes({"Establishment": rows}))
    assert outcome.code == 1
    assert (
        "Establishment!B2: position number 555 already belongs to organisation RXX" in outcome.out
    )
    assert (
        "Establishment!I3: assignment number A7 already belongs to organisation RXX" in outcome.out
    )


def test_header_aliases_sheet_names_title_rows_and_blank_rows(run_import, qnq):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ESTABLISHMENT (ESR)"  # no match: punctuation matters only when it is all
    sheet = book.create_sheet(" establishment ")
    sheet.append(["ESR extract, March 2026"])
    sheet.merge_cells("A1:D1")
    sheet.append(
        [
            "Org Code",
            "Post Number",
            "Job Title",
            "Pay Band",
            "FTE",
            "Surname",
            "Forename",
            "Assignment Number",
            "Employee Number",
            "Basic Salary",
            "Contract Type",
            "Notes",
        ]
    )
    sheet.append(
        [
            "qnq",
            "0042",
            "Analyst",
            "AfC 6",
            0.6,
            "Jones",
            "Sam",
            "00A1",
            "007",
            "£32,000.50",
            "Fixed-term",
            "x",
        ]
    )
    sheet.append([None] * 12)
    sheet.append(["QNQ", "0043", "Analyst", "band 5", "1", None, None, None, None, None, None, "y"])
    for _ in range(5):
        sheet.append([None, None])
    hidden = book.create_sheet("Changes")
    hidden.sheet_state = "hidden"
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    outcome = run_import(buffer.getvalue())
    assert outcome.code == 0, outcome.text
    assert "Establishment: 2 created" in outcome.out
    assert outcome.out.count("ignored unknown column(s) 'Notes' (L2)") == 1
    assert "Sheet 'Changes' is hidden" in outcome.out
    assert "Sheet 'ESTABLISHMENT (ESR)' is not one this import reads" in outcome.out
    post = Post.objects.get(position_number="0042")
    assert (post.band, post.wte) == ("6", Decimal("0.6000"))
    assignment = Assignment.objects.get(assignment_number="00A1")
    assert assignment.staff_member.employee_number == "007"
    assert assignment.annual_salary == Decimal("32000.50")
    assert assignment.category == Assignment.Category.FIXED_TERM


def test_missing_required_column(run_import, qnq):
    header = [h for h in ESTABLISHMENT_HEADER if h != "Band"]
    outcome = run_import(xlsx_bytes({"Establishment": [header, vacant_row()[:4]]}))
    assert outcome.code == 1
    assert (
        "Establishment!A1: missing column 'Band' (also accepted: Pay Band, Grade, AfC Band)"
        in outcome.out
    )


def test_reimporting_the_same_file_changes_nothing(run_import, qnq):
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, person_row(), vacant_row()]})
    assert run_import(data).code == 0
    before = _snapshot()
    outcome = run_import(data)
    assert outcome.code == 0
    assert "Establishment: 0 created, 0 updated, 2 unchanged" in outcome.out
    assert _snapshot() == before


def test_reimporting_same_rows_in_different_bytes_compares_every_row(run_import, qnq):
    rows = [ESTABLISHMENT_HEADER, person_row(), vacant_row()]
    assert run_import(xlsx_bytes({"Establishment": rows})).code == 0
    before = _snapshot()
    outcome = run_import(xlsx_bytes({"Establishment": rows, "Notes": [["resaved"]]}))
    assert outcome.code == 0
    assert "Establishment: 0 created, 0 updated, 2 unchanged" in outcome.out
    assert "identical" not in outcome.out
    assert _snapshot() == before


def test_identical_file_after_a_tracker_change_is_compared_again(run_import, qnq):
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, vacant_row()]})
    assert run_import(data).code == 0
    post = Post.objects.get()
    post.title = "Renamed in the admin"
    post._history_user = factories.UserFactory()
    post._change_reason = "edited"
    post.save()
    outcome = run_import(data)
    assert "Establishment: 0 created, 1 updated, 0 unchanged" in outcome.out
    post.refresh_from_db()
    assert post.title == "Commissioning Manager"


def test_edited_file_updates_exactly_the_edited_rows(run_import, qnq):
    rows = [ESTABLISHMENT_HEADER] + [
        person_row(position=f"{n:03d}", assignment=f"A{n}", employee=f"E{n}") for n in range(10)
    ]
    assert run_import(xlsx_bytes({"Establishment": rows})).code == 0
    rows[3] = _set(rows[3], "Band", "8b")
    rows[5] = _set(rows[5], "Annual Salary", 61000)
    rows[7] = _set(rows[7], "Last Name", "Smith-Jones")
    outcome = run_import(xlsx_bytes({"Establishment": rows}), "-v", "2", name="edited.xlsx")
    assert outcome.code == 0, outcome.text
    assert "Establishment: 0 created, 3 updated, 7 unchanged" in outcome.out
    assert "Band: '8a' -> '8b'" in outcome.out
    run = ImportRun.objects.latest("pk")
    assert list(
        Post.history.filter(history_type="~").values_list(
            "position_number", "history_change_reason"
        )
    ) == [("002", f"Import #{run.pk}: edited.xlsx")]
    assert list(
        Assignment.history.filter(history_type="~").values_list("assignment_number", flat=True)
    ) == ["A4"]
    assert list(
        StaffMember.history.filter(history_type="~").values_list("employee_number", flat=True)
    ) == ["E6"]
    assert Assignment.objects.get(assignment_number="A4").annual_salary == Decimal("61000.00")


def test_dry_run_writes_nothing(run_import, qnq):
    before = _snapshot()
    outcome = run_import(
        xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, person_row()]}), "--dry-run"
    )
    assert outcome.code == 0
    assert "Establishment: 1 created" in outcome.out
    assert "Dry run" in outcome.out
    assert _snapshot() == before
    assert ImportRun.objects.get().outcome == ImportRun.Outcome.PREVIEWED


def test_errors_out_workbook(run_import, qnq, tmp_path):
    rows = [
        ESTABLISHMENT_HEADER,
        person_row(position="001", assignment="A1", employee="E1"),
        _set(person_row(position="002", assignment="A2", employee="E2"), "WTE", 3),
        _set(
            person_row(position="003", assignment="A3", employee="E3"), "Organisation Code", "ZZZ"
        ),
    ]
    out_path = tmp_path / "rejected.xlsx"
    outcome = run_import(xlsx_bytes({"Establishment": rows}), "--errors-out", str(out_path))
    assert outcome.code == 1
    book = openpyxl.load_workbook(out_path)
    sheet = book["Establishment"]
    values = list(sheet.values)
    assert values[0][:3] == ("Reason", "Row", "Organisation Code")
    assert [v[1] for v in values[1:]] == [3, 4]
    assert "F3: WTE 3 is outside (0, 1]" in values[1][0]
    assert "unknown organisation code 'ZZZ'" in values[2][0]
    assert values[1][2 + COL["Position Number"]] == "002"
    assert "Problems" in book.sheetnames


def test_organisations_sheet(run_import):
    factories.OrganisationFactory(code="QOP", kind=Organisation.Kind.ICB)
    rows = [
        ORGANISATIONS_HEADER,
        [
            "01A",
            "Old CCG",
            "Clinical Commissioning Group",
            "North West",
            "2013-04-01",
            "30/06/2022",
            "Y",
            "QOP, 02B",
            "01/07/2022",
        ],
        [
            "02B",
            "New Sub-ICB",
            "Sub-ICB location",
            "North West",
            "2022-07-01",
            None,
            "n",
            None,
            None,
        ],
        ["03C", "Bad", "Hospital", None, None, None, "Y", "03C", None],
        ["04D", "Dangling", "Trust", None, None, None, "Y", "XYZ", "01/07/2022"],
    ]
    outcome = run_import(xlsx_bytes({"Organisations": rows}))
    assert outcome.code == 1
    assert "Organisations!C4: 'Hospital' is not an organisation type" in outcome.out
    assert "Organisations!H4: 03C cannot be its own successor" in outcome.out
    assert "Organisations!I4: Succession Date is blank but Successors are given" in outcome.out
    assert "Organisations!H5: successor 'XYZ' does not exist" in outcome.out
    outcome = run_import(xlsx_bytes({"Organisations": rows[:3]}))
    assert outcome.code == 0, outcome.text
    old = Organisation.objects.get(code="01A")
    assert old.kind == Organisation.Kind.CCG
    assert old.closed_on == dt.date(2022, 6, 30)
    assert not Organisation.objects.get(code="02B").is_legal_employer
    assert set(old.successors.values_list("code", flat=True)) == {"QOP", "02B"}
    assert Succession.objects.filter(effective_on=dt.date(2022, 7, 1)).count() == 2
    again = run_import(xlsx_bytes({"Organisations": rows[:3]}))
    assert "Organisations: 0 created, 0 updated, 2 unchanged" in again.out


def test_establishment_may_use_organisations_defined_in_the_same_file(run_import):
    data = xlsx_bytes(
        {
            "Organisations": [
                ORGANISATIONS_HEADER,
                ["QNQ", "An ICB", "ICB", None, None, None, "Y", None, None],
            ],
            "Establishment": [ESTABLISHMENT_HEADER, person_row()],
        }
    )
    outcome = run_import(data)
    assert outcome.code == 0, outcome.text
    assert Post.objects.get().organisation.code == "QNQ"


def test_a_database_error_while_writing_leaves_nothing_and_says_so(run_import, qnq, monkeypatch):
    from django.db import IntegrityError

    from imports.engine import run as engine_run

    real = engine_run.write_plan

    def fail_half_way(plan, writer):
        real(plan, writer)  # everything is written, then the last statement fails
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(engine_run, "write_plan", fail_half_way)
    before = _snapshot()
    outcome = run_import(xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, person_row()]}))
    assert outcome.code == 2
    assert "the tracker changed while this import was being written" in outcome.err
    assert _snapshot() == before
    assert ImportRun.objects.get().outcome == ImportRun.Outcome.FAILED


def test_update_history_records_the_whole_record(run_import, qnq):
    """Updates are planned from the compared fields only; the history row still holds every
    field of the record (those the file does not carry are read back before writing)."""
    rows = [ESTABLISHMENT_HEADER, person_row()]
    assert run_import(xlsx_bytes({"Establishment": rows})).code == 0
    rows[1] = _set(rows[1], "Band", "8b")
    rows[1] = _set(rows[1], "Annual Salary", 61000)
    assert run_import(xlsx_bytes({"Establishment": rows})).code == 0
    post, assignment = Post.objects.get(), Assignment.objects.get()
    post_history = Post.history.get(history_type="~")
    assert (post_history.band, post_history.organisation_id, post_history.status) == (
        "8b",
        post.organisation_id,
        post.status,
    )
    assignment_history = Assignment.history.get(history_type="~")
    assert (
        assignment_history.annual_salary,
        assignment_history.post_id,
        assignment_history.staff_member_id,
    ) == (Decimal("61000.00"), post.pk, assignment.staff_member_id)
