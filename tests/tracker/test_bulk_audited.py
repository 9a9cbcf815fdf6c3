"""tracker.audit.bulk_update_audited and copy_to_history: the bulk approve and apply of a whole
organisation's changes write what django-simple-history's own bulk helper would, in a number of
statements that does not grow with the rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from tests import factories
from tracker import services
from tracker.audit import GROUPS_LIMIT, MissingAuditContext, bulk_update_audited, copy_to_history
from tracker.models import Organisation, PlannedChange, Post

pytestmark = pytest.mark.django_db

# What a history row holds apart from its own key.
_OWN = {"history_id"}


def _history_values(model, post_ids):
    """Each record's one "changed" history row, as a dict without the history row's own id, in
    the order of `post_ids`."""
    rows = []
    for pk in post_ids:
        row = model.history.get(id=pk, history_type="~")
        rows.append(
            {
                f.attname: getattr(row, f.attname)
                for f in row._meta.concrete_fields
                if f.attname not in _OWN
            }
        )
    return rows


@pytest.fixture
def hr():
    return factories.UserFactory(username="hr", is_superuser=True)


@pytest.mark.parametrize("renumbered", [False, True], ids=["one-destination", "each-renumbered"])
def test_writes_what_simple_historys_bulk_update_writes(hr, renumbered):
    """Two like sets of posts moved alike, one through simple-history's
    `bulk_update_with_history`, one through `bulk_update_audited`: the rows and their history
    rows agree field by field (bar the post's own id and position number, which differ between
    the sets). Renumbering each post gives more than GROUPS_LIMIT sets of values."""
    icb = factories.OrganisationFactory(code="QYG", kind=Organisation.Kind.ICB)
    count = GROUPS_LIMIT + 5
    when = timezone.now() - dt.timedelta(hours=1)
    sets = {}
    for name, write in (("theirs", bulk_update_with_history), ("ours", bulk_update_audited)):
        ccg = factories.OrganisationFactory()
        made = [
            factories.PostFactory(organisation=ccg, position_number=f"{name}-{n}", title="Analyst")
            for n in range(count)
        ]
        # Read back, as the services do (a factory's instance carries its own who and why,
        # which simple-history would prefer to the ones given).
        posts = list(Post.objects.filter(pk__in=[p.pk for p in made]).order_by("pk"))
        fields = ["organisation"]
        for n, post in enumerate(posts):
            post.organisation = icb
            if renumbered:
                post.position_number = f"{name}-QYG-{n}"
                fields = ["organisation", "position_number"]
        if write is bulk_update_with_history:
            write(
                posts,
                Post,
                fields,
                default_user=hr,
                default_change_reason="Move",
                default_date=when,
            )
        else:
            write(posts, Post, fields, acting_user=hr, reason="Move", when=when)
        sets[name] = [p.pk for p in posts]

    theirs = _history_values(Post, sets["theirs"])
    ours = _history_values(Post, sets["ours"])
    for a, b in zip(theirs, ours, strict=True):
        for differs in ("id", "position_number"):
            assert a.pop(differs) != b.pop(differs)
        assert a == b
    assert all(row["history_type"] == "~" for row in ours)
    assert all(row["history_user_id"] == hr.pk for row in ours)
    assert all(row["history_date"] == when for row in ours)
    assert all(row["organisation_id"] == icb.pk for row in ours)
    moved = Post.objects.filter(pk__in=sets["ours"]).order_by("pk")
    assert all(p.organisation_id == icb.pk for p in moved)
    if renumbered:
        assert [p.position_number for p in moved] == [f"ours-QYG-{n}" for n in range(count)]


def test_bulk_approval_and_apply_make_as_many_queries_for_150_changes_as_for_5(hr):
    """Django's bulk_update and simple-history's bulk_history_create each cut 150 rows into
    several statements on SQLite; the grouped UPDATE and the copied history do not."""
    author = factories.UserFactory(is_superuser=True)
    icb = factories.OrganisationFactory(code="QYG", kind=Organisation.Kind.ICB)
    approve, apply = [], []
    for n in (5, 150):
        programme, ccg = factories.ProgrammeFactory(), factories.OrganisationFactory()
        changes = factories.held_post_transfers(
            n, programme=programme, source=ccg, destination=icb, author=author
        )
        with CaptureQueriesContext(connection) as queries:
            services.planned_changes_approve(changes=changes, acting_user=hr, reason="Board")
        approve.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            services.programme_apply_changes(
                programme=programme, organisation=ccg, acting_user=hr, reason="Scheme"
            )
        apply.append(len(queries))
        assert (
            PlannedChange.history.filter(
                id__in=[c.pk for c in changes], status=PlannedChange.Status.APPLIED
            ).count()
            == n
        )
        assert (
            Post.objects.filter(pk__in=[c.post_id for c in changes], organisation=icb).count() == n
        )
    assert approve[0] == approve[1], approve
    assert apply[0] == apply[1], apply


def test_the_stamps_of_a_bulk_approval_are_on_the_change_and_its_history(hr):
    author = factories.UserFactory(is_superuser=True)
    icb = factories.OrganisationFactory(code="QYG", kind=Organisation.Kind.ICB)
    programme, ccg = factories.ProgrammeFactory(), factories.OrganisationFactory()
    changes = factories.held_post_transfers(
        3, programme=programme, source=ccg, destination=icb, author=author
    )
    services.planned_changes_approve(changes=changes, acting_user=hr, reason="Board, 3 March")
    for change in changes:
        change.refresh_from_db()
        row = change.history.order_by("-history_date", "-history_id").first()
        assert (change.status, change.approved_by_id) == (PlannedChange.Status.APPROVED, hr.pk)
        assert (row.status, row.approved_by_id, row.approved_at) == (
            PlannedChange.Status.APPROVED,
            hr.pk,
            change.approved_at,
        )
        assert (row.history_user_id, row.history_change_reason, row.history_type) == (
            hr.pk,
            "Board, 3 March",
            "~",
        )
        assert row.history_date == change.approved_at


@pytest.mark.parametrize("user_id, reason", [(None, "Move"), ("hr", "  ")])
def test_no_history_is_copied_without_who_and_why(hr, user_id, reason):
    post = factories.PostFactory()
    before = post.history.count()
    with pytest.raises(MissingAuditContext):
        copy_to_history(
            Post,
            [post.pk],
            "~",
            user_id=hr.pk if user_id else None,
            reason=reason,
            when=timezone.now(),
        )
    assert post.history.count() == before


@pytest.mark.parametrize("who, reason", [(None, "Move"), ("hr", " ")])
def test_a_bulk_update_without_who_or_why_writes_nothing(hr, who, reason):
    post = factories.PostFactory()
    title = post.title
    post.title = "Renamed"
    with pytest.raises(MissingAuditContext):
        bulk_update_audited([post], Post, ["title"], acting_user=hr if who else None, reason=reason)
    post.refresh_from_db()
    assert post.title == title and post.history.count() == 1
