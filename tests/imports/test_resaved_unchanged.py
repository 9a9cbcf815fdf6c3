"""A re-saved copy of a file that changed nothing (other bytes, so the SHA-256 shortcut cannot
apply; same sheets' content) is recognised without planning it again, while the tracker has not
changed since; once it has, the file is compared row by row again."""

from __future__ import annotations

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
from tracker import services
from tracker.models import Assignment, Post, StaffMember

pytestmark = pytest.mark.django_db

ORGS = [
    ORGANISATIONS_HEADER,
    ["QNQ", "Frimley ICB", "ICB", "South East", None, None, "Y", None, None],
]
POSTS = [ESTABLISHMENT_HEADER, person_row(), vacant_row()]


def _history():
    return [m.history.count() for m in (Post, StaffMember, Assignment)]


def test_a_resaved_unchanged_file_skips_planning_until_the_tracker_changes(run_import):
    first = run_import(xlsx_bytes({"Organisations": ORGS, "Establishment": POSTS}))
    assert first.code == 0, first.text
    history = _history()
    assert history == [2, 1, 1]

    # The Establishment sheet alone, with a sheet this import ignores: other bytes, same content.
    resaved = xlsx_bytes({"Establishment": POSTS, "Notes": [["checked by HR"]]})
    outcome = run_import(resaved)
    assert outcome.code == 0, outcome.text
    assert "Establishment: 0 created, 0 updated, 2 unchanged" in outcome.out
    earlier = ImportRun.objects.order_by("pk").first()
    assert f"same content as import #{earlier.pk}" in outcome.out
    assert _history() == history

    # Someone changes a post in the admin: the same file is compared again and restores it.
    post = Post.objects.get(position_number="00099999")
    services.post_update(
        post=post,
        acting_user=factories.UserFactory(is_superuser=True),
        reason="Retitled",
        title="Other",
    )
    again = run_import(xlsx_bytes({"Establishment": POSTS, "Notes": [["second copy"]]}))
    assert again.code == 0, again.text
    assert "same content" not in again.out
    assert "Establishment: 0 created, 1 updated, 1 unchanged" in again.out
    post.refresh_from_db()
    assert post.title == "Commissioning Manager"


def test_a_changed_cell_is_never_taken_for_unchanged(run_import):
    assert run_import(xlsx_bytes({"Organisations": ORGS, "Establishment": POSTS})).code == 0
    edited = [ESTABLISHMENT_HEADER, person_row(Band="8b"), vacant_row()]
    outcome = run_import(xlsx_bytes({"Establishment": edited, "Notes": [["x"]]}))
    assert outcome.code == 0, outcome.text
    assert "Establishment: 0 created, 1 updated, 1 unchanged" in outcome.out
    assert Post.objects.get(position_number="00012345").band == "8b"


def test_a_preview_that_would_change_things_vouches_for_nothing(run_import):
    factories.OrganisationFactory(code="QNQ")
    assert run_import(xlsx_bytes({"Establishment": POSTS}), "--dry-run").code == 0
    outcome = run_import(xlsx_bytes({"Establishment": POSTS, "Notes": [["x"]]}))
    assert outcome.code == 0, outcome.text
    assert "Establishment: 2 created" in outcome.out


TWO_ORGS = [
    *ORGS,
    ["QRV", "North West London ICB", "ICB", "London", None, None, "Y", None, None],
]


def test_a_recognised_file_converts_no_cell_and_names_the_organisations_its_rows_name(
    run_import, monkeypatch
):
    """The Establishment rows name only QNQ (in lower case and padded: codes are read as the
    import reads them); the first file's Organisations sheet also named QRV. The re-saved copy
    is visible to QNQ's HR colleagues and not QRV's."""
    rows = [ESTABLISHMENT_HEADER, person_row(org=" qnq "), vacant_row()]
    assert run_import(xlsx_bytes({"Organisations": TWO_ORGS, "Establishment": rows})).code == 0
    first = ImportRun.objects.get()
    assert set(first.organisations.values_list("code", flat=True)) == {"QNQ", "QRV"}

    import imports.engine.run as engine_run

    def parse_refused(*args, **kwargs):
        raise AssertionError("a recognised file must not be converted cell by cell")

    monkeypatch.setattr(engine_run, "parse_workbook", parse_refused)
    outcome = run_import(xlsx_bytes({"Establishment": rows, "Notes": [["re-saved"]]}))
    assert outcome.code == 0, outcome.text
    assert "Establishment: 0 created, 0 updated, 2 unchanged" in outcome.out
    resaved = ImportRun.objects.latest("pk")
    assert resaved.outcome == ImportRun.Outcome.APPLIED
    assert resaved.reason  # every run still says why
    assert set(resaved.organisations.values_list("code", flat=True)) == {"QNQ"}
    assert resaved.content_digests == {"establishment": first.content_digests["establishment"]}
    assert "Sheet 'Notes' is not one this import reads; it was ignored." in resaved.notices


def test_no_earlier_import_means_no_extra_pass(run_import, monkeypatch):
    """A first import reads the file once: the content-only pass runs only when an earlier
    import could vouch for the file."""
    import imports.engine.seen as engine_seen

    calls = []
    real = engine_seen.content_digests
    monkeypatch.setattr(engine_seen, "content_digests", lambda wb: calls.append(wb) or real(wb))
    assert run_import(xlsx_bytes({"Organisations": ORGS, "Establishment": POSTS})).code == 0
    assert calls == []
    # With the tracker changed since, no earlier import vouches: still no extra pass.
    services.post_update(
        post=Post.objects.get(position_number="00099999"),
        acting_user=factories.UserFactory(is_superuser=True),
        reason="Retitled",
        title="Other",
    )
    assert run_import(xlsx_bytes({"Establishment": POSTS, "Notes": [["x"]]})).code == 0
    assert calls == []
