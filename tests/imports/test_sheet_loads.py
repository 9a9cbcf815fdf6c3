"""An import that first reads a file's content (to see whether an earlier import vouches for it)
and then converts it reads each sheet twice; `Workbook.kept_loaded` has python-calamine load
each sheet from the file once for both (imports/readers/workbook.py, imports/engine/run.py),
and lets it go when the block ends."""

from __future__ import annotations

import pytest
import python_calamine

from imports.engine.run import workbook_import
from imports.readers import open_workbook
from tests import factories
from tests.imports.conftest import (
    ESTABLISHMENT_HEADER,
    ORGANISATIONS_HEADER,
    person_row,
    xlsx_bytes,
)
from tracker.models import Assignment


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The name of every sheet python-calamine loads from a file, in order."""
    seen: list[str] = []
    real = python_calamine.CalamineWorkbook

    class Counting:
        @staticmethod
        def from_filelike(handle):
            book = real.from_filelike(handle)

            class Book:
                def get_sheet_by_name(self, name):
                    seen.append(name)
                    return book.get_sheet_by_name(name)

                def close(self):
                    book.close()

            return Book()

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Counting)
    return seen


def _rows(n: int, salary: int = 55000):
    return [
        person_row(
            position=f"P{i}", assignment=f"A{i}", employee=f"E{i}", **{"Annual Salary": salary}
        )
        for i in range(n)
    ]


def test_a_sheet_read_twice_in_the_block_is_loaded_once(loads):
    data = xlsx_bytes({"Establishment": [ESTABLISHMENT_HEADER, *_rows(3)]})
    workbook = open_workbook(data, file_name="three.xlsx")
    (sheet,) = workbook.sheets
    with workbook.kept_loaded():
        first = list(workbook.rows(sheet))
        second = list(workbook.rows(sheet))
    assert first == second and len(first) == 4  # the header and three rows, both times
    assert loads == ["Establishment"]
    list(workbook.rows(sheet))  # after the block: loaded again, nothing kept
    assert loads == ["Establishment", "Establishment"]


@pytest.mark.django_db
def test_an_update_import_after_an_earlier_one_loads_each_sheet_once(loads, system_user):
    factories.OrganisationFactory(code="QNQ")
    organisations = [
        ORGANISATIONS_HEADER,
        ["QNQ", "NHS Q", "ICB", "London", None, None, "Y", None, None],
    ]
    first = xlsx_bytes(
        {"Organisations": organisations, "Establishment": [ESTABLISHMENT_HEADER, *_rows(3)]}
    )
    assert workbook_import(data=first, file_name="first.xlsx", acting_user=system_user).ok
    loads.clear()
    # Every salary changed: the earlier import cannot vouch for it, so its content is read (to
    # find that out) and then converted and planned.
    changed = xlsx_bytes(
        {"Organisations": organisations, "Establishment": [ESTABLISHMENT_HEADER, *_rows(3, 56000)]}
    )
    result = workbook_import(data=changed, file_name="changed.xlsx", acting_user=system_user)
    assert result.ok, result.problems
    assert result.reused_from is None
    assert sorted(loads) == ["Establishment", "Organisations"]
    assert set(Assignment.objects.values_list("annual_salary", flat=True)) == {56000}
