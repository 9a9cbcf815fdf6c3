"""The Establishment sheet's checks across cells of one row (imports/engine/checks.py), through
`parse_workbook`: each expected message written out by hand from the rule it states."""

from __future__ import annotations

from imports.engine.parse import parse_workbook
from imports.readers import open_workbook
from tests.imports.conftest import ESTABLISHMENT_HEADER, person_row, vacant_row, xlsx_bytes


def _problems(*rows) -> list[str]:
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *rows]})
    return [str(p) for p in parse_workbook(open_workbook(data, file_name="x.xlsx")).problems]


def test_a_vacant_post_with_every_person_column_blank_passes():
    assert _problems(vacant_row(position="V1")) == []


def test_a_row_without_an_assignment_names_the_first_person_column_filled():
    # Employee Number (J) blank, Last Name (K) filled: Last Name is the first filled.
    row = vacant_row(position="V1", **{"Last Name": "Smith", "Annual Salary": 30000})
    assert _problems(row) == [
        "Establishment!I2: Assignment Number is blank but the row names a person (Last Name is "
        "filled); a vacant post leaves all person columns blank"
    ]


def test_each_blank_name_of_an_assignment_is_reported_at_its_cell():
    row = person_row(employee="", **{"Last Name": "", "First Name": ""})
    assert _problems(row) == [
        "Establishment!J2: Employee Number is blank; every assignment needs one",
        "Establishment!K2: Last Name is blank; every assignment needs one",
        "Establishment!L2: First Name is blank; every assignment needs one",
    ]


def test_nhs_service_must_start_on_or_after_the_sixteenth_birthday():
    # Born 10/03/1975: 16 on 10/03/1991. A start the day before is refused; on the day, not.
    early = person_row(**{"NHS Start Date": "09/03/1991"})
    on_the_day = person_row(
        position="P2", assignment="A2", employee="E2", **{"NHS Start Date": "10/03/1991"}
    )
    assert _problems(early, on_the_day) == [
        "Establishment!O2: NHS start date 09/03/1991 is before the person's 16th birthday "
        "(10/03/1991)"
    ]
