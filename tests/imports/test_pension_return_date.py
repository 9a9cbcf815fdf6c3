"""The optional Pension Return Date column (alias "Retire and Return Date") of the Establishment
sheet: read into StaffMember.pension_return_date with history, and checked against the person's
birth and NHS start dates before anything is written."""

from __future__ import annotations

import datetime as dt

import pytest

from imports.models import ImportRun
from tests import factories
from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, xlsx_bytes
from tracker.models import StaffMember


@pytest.fixture
def qnq(db):
    return factories.OrganisationFactory(code="QNQ")


def book(header_name: str, value: object, **over) -> bytes:
    return xlsx_bytes(
        {"Establishment": [[*ESTABLISHMENT_HEADER, header_name], [*person_row(**over), value]]}
    )


@pytest.mark.parametrize(
    "header", ["Pension Return Date", "Retire and Return Date", "retire-and-return DATE"]
)
def test_the_column_and_its_alias_set_the_date_with_history(run_import, qnq, header):
    outcome = run_import(book(header, "01/04/2019"))
    assert outcome.code == 0, outcome.text
    person = StaffMember.objects.get()
    assert person.pension_return_date == dt.date(2019, 4, 1)
    created = person.history.get()
    assert created.pension_return_date == dt.date(2019, 4, 1)
    assert created.history_change_reason == ImportRun.objects.get().reason


def test_changing_only_the_date_updates_the_person_and_says_so(run_import, qnq):
    assert run_import(book("Pension Return Date", "2019-04-01")).code == 0
    outcome = run_import(book("Pension Return Date", "2020-06-15"))
    assert outcome.code == 0, outcome.text
    assert "staff +0 ~1" in outcome.out
    person = StaffMember.objects.get()
    assert person.pension_return_date == dt.date(2020, 6, 15)
    changed = person.history.get(history_type="~")
    assert changed.pension_return_date == dt.date(2020, 6, 15)
    # The same file again: nothing changes and no history is written.
    assert run_import(book("Pension Return Date", "2020-06-15")).code == 0
    assert person.history.count() == 2


def test_a_file_without_the_column_keeps_the_recorded_date(run_import, qnq):
    assert run_import(book("Pension Return Date", "2019-04-01")).code == 0
    outcome = run_import(xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, person_row()]}))
    assert outcome.code == 0, outcome.text
    assert StaffMember.objects.get().pension_return_date == dt.date(2019, 4, 1)
    assert StaffMember.history.count() == 1


# person_row: born 10/03/1975, NHS start 2008-09-01; the extra column is R (the 18th).
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2019", "Establishment!R2: '31/02/2019' is not a real date"),
        ("soon", "Establishment!R2: 'soon' is not a date"),
        (
            "2008-09-01",
            "Establishment!R2: Pension Return Date 01/09/2008 is not after the NHS start date "
            "01/09/2008",
        ),
        (
            "1999-01-01",
            "Establishment!R2: Pension Return Date 01/01/1999 is not after the NHS start date "
            "01/09/2008",
        ),
        (
            "1970-01-01",
            "Establishment!R2: Pension Return Date 01/01/1970 is not after the date of birth "
            "10/03/1975",
        ),
    ],
)
def test_bad_dates_are_refused_at_their_cell_and_nothing_is_written(
    run_import, qnq, value, message
):
    outcome = run_import(book("Pension Return Date", value))
    assert outcome.code == 1
    assert message in outcome.out
    assert StaffMember.objects.count() == 0 and StaffMember.history.count() == 0


def test_the_recorded_start_date_counts_when_the_file_has_no_start_column(run_import, qnq):
    assert run_import(xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, person_row()]})).code == 0
    header = [h for h in ESTABLISHMENT_HEADER if h != "NHS Start Date"]
    row = [
        v for h, v in zip(ESTABLISHMENT_HEADER, person_row(), strict=True) if h != "NHS Start Date"
    ]
    outcome = run_import(
        xlsx_bytes({"Establishment": [[*header, "Pension Return Date"], [*row, "2000-01-01"]]})
    )
    assert outcome.code == 1
    assert (
        "Establishment!Q2: Pension Return Date 01/01/2000 is not after the NHS start date "
        "01/09/2008" in outcome.out
    )
    assert StaffMember.objects.get().pension_return_date is None


def test_a_vacant_row_may_not_carry_a_pension_date(run_import, qnq):
    row = person_row()
    for at in range(8, len(ESTABLISHMENT_HEADER)):
        row[at] = None
    outcome = run_import(
        xlsx_bytes(
            {
                "Establishment": [
                    [*ESTABLISHMENT_HEADER, "Pension Return Date"],
                    [*row, "2019-04-01"],
                ]
            }
        )
    )
    assert outcome.code == 1
    assert "Establishment!I2: Assignment Number is blank but the row names a person" in outcome.out
