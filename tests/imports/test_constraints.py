"""Every named constraint of the tracker models is tied to the import check that reports it as
`Sheet!CELL: message` before the database would refuse the row, or to the reason an import
cannot write a row that breaks it. A new constraint fails `test_every_constraint_is_tied` until
it is added here with its check."""

from __future__ import annotations

import pytest
from django.apps import apps

from tests import factories
from tests.imports.conftest import (
    CHANGES_HEADER,
    ESTABLISHMENT_HEADER,
    ORGANISATIONS_HEADER,
    person_row,
    vacant_row,
    xlsx_bytes,
)
from tracker.models import Assignment, Organisation, PlannedChange, Post, StaffMember, Succession

pytestmark = pytest.mark.django_db

DATES = ["Assignment Start Date", "Assignment End Date"]


def org(code="15N", opened="2022-07-01", closed=None, successors=None, date=None):
    return [
        code,
        f"Organisation {code}",
        "ICB",
        "North West",
        opened,
        closed,
        "Y",
        successors,
        date,
    ]


def change(position="00123", action="Transfer unchanged", destination="QOP"):
    return ["ccg-to-icb", "01A", position, action, destination, "", "2022-07-01", "Lift and shift"]


def _with(row, column, value):
    row = list(row)
    row[ESTABLISHMENT_HEADER.index(column)] = value
    return row


# constraint -> (sheets of the workbook that would break it, the problem the import reports)
REPORTED = {
    "organisation_code_is_ods": (
        {"Organisations": [ORGANISATIONS_HEADER, org(code="QNQQ")]},
        "Organisations!A2: 'QNQQ' is not an ODS code",
    ),
    "organisation_closes_after_opening": (
        {"Organisations": [ORGANISATIONS_HEADER, org(closed="2020-01-01")]},
        "Organisations!F2: closed 01/01/2020 before it opened",
    ),
    "succession_unique_pair": (
        {
            "Organisations": [
                ORGANISATIONS_HEADER,
                org(successors="QOP", date="2026-04-01"),
                org(successors="QOP", date="2026-04-01"),
            ]
        },
        "Organisations!A3: organisation 15N appears again (first at row 2)",
    ),
    "succession_not_to_itself": (
        {"Organisations": [ORGANISATIONS_HEADER, org(successors="15N", date="2026-04-01")]},
        "Organisations!H2: 15N cannot be its own successor",
    ),
    "post_unique_position_per_org": (
        {"Establishment": [ESTABLISHMENT_HEADER, vacant_row(), vacant_row()]},
        "Establishment!B3: position number 00099999 for QNQ appears again (first at row 2)",
    ),
    "post_wte_between_0_and_1": (
        {"Establishment": [ESTABLISHMENT_HEADER, vacant_row(WTE=0)]},
        "Establishment!F2: WTE 0 is outside (0, 1]",
    ),
    "staff_service_starts_after_birth": (
        {
            "Establishment": [
                ESTABLISHMENT_HEADER,
                _with(
                    _with(person_row(), "Date of Birth", "2000-01-01"),
                    "NHS Start Date",
                    "1999-06-01",
                ),
            ]
        },
        "Establishment!O2: NHS start date 01/06/1999 is before the person's 16th birthday",
    ),
    "assignment_ends_after_start": (
        {
            "Establishment": [
                [*ESTABLISHMENT_HEADER, *DATES],
                [*person_row(), "2020-01-01", "2019-12-31"],
            ]
        },
        "Establishment!S2: assignment ends 31/12/2019 before it starts",
    ),
    "assignment_salary_positive": (
        {"Establishment": [ESTABLISHMENT_HEADER, _with(person_row(), "Annual Salary", -1)]},
        "Establishment!P2: Annual Salary -1 is not positive",
    ),
    "change_transfer_has_destination": (
        {"Changes": [CHANGES_HEADER, change(destination="")]},
        "Changes!E2: Destination Organisation Code is blank; a transfer needs a destination",
    ),
    "change_one_live_per_post_per_programme": (
        {"Changes": [CHANGES_HEADER, change(), change(action="Closed", destination="")]},
        "Changes!C3: post 00123 of 01A already has a change in this programme at row 2",
    ),
}

# constraint -> why no import can write a row that breaks it (each tested below)
CANNOT_ARISE = {
    "post_closed_on_iff_closed": "imports never set a post's status or closing date (Status is "
    "an export-only column); closing is a planned change",
    "change_not_approved_by_author": "imports write and edit drafts only, never an approver",
    "change_approved_has_approver": "imports write and edit drafts only",
    "change_applied_has_applier": "imports write and edit drafts only",
    "user_access_change_has_reason": "imports never change a user's role or scope (only "
    "tracker.services.user_access_update does, with a reason)",
}


@pytest.fixture
def tracker(db):
    factories.OrganisationFactory(code="QNQ")
    ccg = factories.OrganisationFactory(code="01A")
    factories.OrganisationFactory(code="QOP")
    factories.ProgrammeFactory(slug="ccg-to-icb", name="CCG to ICB transfer, 1 July 2022")
    return factories.PostFactory(organisation=ccg, position_number="00123")


def _snapshot():
    models = (Organisation, Succession, Post, StaffMember, Assignment, PlannedChange)
    return [(m.objects.count(), m.history.count()) for m in models]


def test_every_constraint_is_tied():
    named = {
        constraint.name
        for model in apps.get_app_config("tracker").get_models()
        for constraint in model._meta.constraints
    }
    assert named == set(REPORTED) | set(CANNOT_ARISE)
    assert not set(REPORTED) & set(CANNOT_ARISE)


@pytest.mark.parametrize("constraint", sorted(REPORTED))
def test_the_import_reports_it_at_its_cell_and_writes_nothing(run_import, tracker, constraint):
    sheets, problem = REPORTED[constraint]
    before = _snapshot()
    outcome = run_import(xlsx_bytes(sheets))
    assert outcome.code == 1, outcome.text
    assert problem in outcome.out
    assert _snapshot() == before


def test_an_imported_status_column_never_closes_a_post(run_import, tracker):
    header = [*ESTABLISHMENT_HEADER, "Status"]
    outcome = run_import(xlsx_bytes({"Establishment": [header, [*vacant_row(), "Closed"]]}))
    assert outcome.code == 0, outcome.text
    post = Post.objects.get(position_number="00099999")
    assert (post.status, post.closed_on) == (Post.Status.LIVE, None)


def test_imported_changes_are_drafts_and_approved_ones_are_not_edited(run_import, tracker):
    hr = factories.UserFactory(username="hr")
    assert run_import(xlsx_bytes({"Changes": [CHANGES_HEADER, change()]}), "--user", "hr").code == 0
    imported = PlannedChange.objects.get()
    assert (imported.status, imported.author, imported.approved_by, imported.applied_by) == (
        PlannedChange.Status.DRAFT,
        hr,
        None,
        None,
    )
    PlannedChange.objects.filter(pk=imported.pk).update(
        status=PlannedChange.Status.APPROVED,
        approved_by=factories.UserFactory(),
        approved_at=imported.created_at,
    )
    before = _snapshot()
    edited = run_import(
        xlsx_bytes({"Changes": [CHANGES_HEADER, change(action="Closed", destination="")]})
    )
    assert edited.code == 1
    assert "an import only edits drafts" in edited.out
    assert _snapshot() == before
