"""The Changes sheet: draft planned changes authored by the importing user, never approved."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.imports.conftest import CHANGES_HEADER, xlsx_bytes
from tracker.models import PlannedChange, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(db):
    ccg = factories.OrganisationFactory(code="01A")
    icb = factories.OrganisationFactory(code="QOP")
    programme = factories.ProgrammeFactory(
        slug="ccg-to-icb", name="CCG to ICB transfer, 1 July 2022"
    )
    post = factories.PostFactory(organisation=ccg, position_number="00123")
    hr = factories.UserFactory(username="hr")
    return ccg, icb, programme, post, hr


def test_creates_draft_changes_and_new_posts(run_import, setting):
    _ccg, icb, _programme, post, hr = setting
    rows = [
        CHANGES_HEADER,
        [
            "ccg-to-icb",
            "01A",
            "00123",
            "Transfer unchanged",
            "QOP",
            "",
            "01/07/2022",
            "Lift and shift",
        ],
        [
            "CCG to ICB transfer, 1 July 2022",
            "QOP",
            "00900",
            "New",
            "",
            "",
            "2022-07-01",
            "New role",
        ],
    ]
    outcome = run_import(xlsx_bytes({"Changes": rows}), "--user", "hr")
    assert outcome.code == 0, outcome.text
    assert "Changes: 2 created, 0 updated, 0 unchanged" in outcome.out
    change = PlannedChange.objects.get(post=post)
    assert change.status == PlannedChange.Status.DRAFT
    assert change.author == hr and change.approved_by is None
    assert change.destination_organisation == icb
    assert change.effective_on == dt.date(2022, 7, 1)
    new_post = Post.objects.get(position_number="00900")
    assert new_post.status == Post.Status.PROPOSED
    assert new_post.organisation == icb
    assert PlannedChange.objects.get(post=new_post).action == PlannedChange.Action.NEW
    assert set(PlannedChange.history.values_list("history_user", flat=True)) == {hr.pk}
    # and again: nothing
    again = run_import(xlsx_bytes({"Changes": rows, "Notes": [["x"]]}), "--user", "hr")
    assert "Changes: 0 created, 0 updated, 2 unchanged" in again.out


def test_row_problems(run_import, setting):
    rows = [
        CHANGES_HEADER,
        ["no-such-programme", "01A", "00123", "Transfer unchanged", "QOP", "", "01/07/2022", ""],
        ["ccg-to-icb", "01A", "00123", "Transfer unchanged", "", "", "01/07/2022", ""],
        ["ccg-to-icb", "01A", "99999", "Closed", "", "", "01/07/2022", ""],
        ["ccg-to-icb", "01A", "00123", "Sideways", "QOP", "", "01/07/2022", ""],
        ["ccg-to-icb", "01A", "00123", "Closed", "", "", "30/02/2022", ""],
        ["ccg-to-icb", "01A", "00123", "Transfer changed", "ZZZ", "", "01/07/2022", ""],
    ]
    outcome = run_import(xlsx_bytes({"Changes": rows}))
    assert outcome.code == 1
    out = outcome.out
    assert "Changes!A2: unknown programme 'no-such-programme'" in out
    assert (
        "Changes!E3: Destination Organisation Code is blank; a transfer needs a destination" in out
    )
    assert "Changes!C4: no post 99999 in 01A" in out
    assert "Changes!D5: 'Sideways' is not an action" in out
    assert "Changes!G6: '30/02/2022' is not a real date" in out
    assert "Changes!E7: unknown organisation code 'ZZZ'" in out
    assert PlannedChange.objects.count() == 0


def test_approved_change_is_not_edited_by_import(run_import, setting):
    _ccg, icb, programme, post, _hr = setting
    approver = factories.UserFactory()
    factories.PlannedChangeFactory(
        programme=programme,
        post=post,
        destination_organisation=icb,
        status=PlannedChange.Status.APPROVED,
        approved_by=approver,
        approved_at=dt.datetime(2022, 5, 1, tzinfo=dt.UTC),
    )
    rows = [CHANGES_HEADER, ["ccg-to-icb", "01A", "00123", "Closed", "", "", "01/07/2022", ""]]
    outcome = run_import(xlsx_bytes({"Changes": rows}))
    assert outcome.code == 1
    assert "already approved; an import only edits drafts" in outcome.out


def test_editing_a_draft_makes_the_importer_its_author(run_import, setting):
    _ccg, icb, programme, post, hr = setting
    change = factories.PlannedChangeFactory(
        programme=programme, post=post, destination_organisation=icb
    )
    rows = [
        CHANGES_HEADER,
        ["ccg-to-icb", "01A", "00123", "Transfer changed", "QOP", "", "01/07/2022", "Regraded"],
    ]
    outcome = run_import(xlsx_bytes({"Changes": rows}), "--user", "hr")
    assert outcome.code == 0, outcome.text
    assert "Changes: 0 created, 1 updated, 0 unchanged" in outcome.out
    change.refresh_from_db()
    assert (change.action, change.reason, change.author) == ("transfer_changed", "Regraded", hr)
    assert change.status == PlannedChange.Status.DRAFT
