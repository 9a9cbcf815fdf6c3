"""Bulk approve and apply (`tracker.admin_bulk`): review first, then confirm; one honest
summary; nothing to do is a warning; a review writes nothing."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages

from tests import factories
from tracker import roles
from tracker.models import PlannedChange, Post

pytestmark = pytest.mark.django_db

URL = "/admin/transition/bulk/"


def _user(role, organisations=(), **kwargs):
    return factories.UserFactory(
        groups=[Group.objects.get(name=role)], organisations=list(organisations), **kwargs
    )


@pytest.fixture
def world():
    ccg = factories.OrganisationFactory(code="01F", name="NHS Halton CCG")
    icb = factories.OrganisationFactory(code="QYG", kind="icb", name="Cheshire and Merseyside ICB")
    programme = factories.ProgrammeFactory(name="CCG to ICB")
    programme.organisations.add(ccg, icb)
    author = _user(roles.HR_MANAGER, [ccg, icb], username="author")
    hr = _user(roles.HR_MANAGER, [ccg, icb], username="hr")
    posts = [factories.PostFactory(organisation=ccg, title=f"Post {n}") for n in range(5)]
    for n, post in enumerate(posts[:3]):
        factories.AssignmentFactory(
            post=post, staff_member=factories.StaffMemberFactory(first_name=f"Holder{n}")
        )
    changes = [
        factories.PlannedChangeFactory(
            programme=programme,
            post=post,
            destination_organisation=icb,
            author=author,
            action=PlannedChange.Action.CLOSED
            if n == 4
            else PlannedChange.Action.TRANSFER_UNCHANGED,
        )
        for n, post in enumerate(posts)
    ]
    return {"ccg": ccg, "icb": icb, "programme": programme, "hr": hr, "changes": changes}


def _form(world, action, reason="Transition board 14 June", **extra):
    return {
        "programme": world["programme"].pk,
        "organisation": world["ccg"].pk,
        "action": action,
        "reason": reason,
        **extra,
    }


def _approve_all(world):
    PlannedChange.objects.update(
        status="approved",
        approved_by=world["hr"],
        approved_at=dt.datetime(2022, 6, 1, tzinfo=dt.UTC),
    )


def _messages(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_review_shows_what_will_happen_and_writes_nothing(client, world):
    client.force_login(world["hr"])
    response = client.post(URL, _form(world, "approve"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Review: approve 5 draft changes" in page
    assert "Holder0" in page and "Vacant" in page
    review = response.context["review"]
    assert review.by_action == [("Closed", 1), ("Transfer unchanged", 4)]
    assert not review.blockers
    assert PlannedChange.objects.filter(status="draft").count() == 5
    assert all(c.history.count() == 1 for c in PlannedChange.objects.all())


def test_confirm_approves_then_apply_reviews_and_moves_people(client, world):
    client.force_login(world["hr"])
    review = client.post(URL, _form(world, "approve")).context["review"]
    response = client.post(URL, _form(world, "approve", confirm=review.fingerprint))
    assert response.status_code == 302
    assert _messages(response) == [
        ("success", "Approved 5 changes for NHS Halton CCG (01F) (1 closed, 4 transfer unchanged).")
    ]
    assert PlannedChange.objects.filter(status="approved").count() == 5

    review = client.post(URL, _form(world, "apply", reason="Scheme effective")).context["review"]
    assert review.people == 3
    assert Post.objects.filter(organisation=world["icb"]).count() == 0
    response = client.post(
        URL, _form(world, "apply", reason="Scheme effective", confirm=review.fingerprint)
    )
    assert response.status_code == 302
    assert _messages(response) == [
        (
            "success",
            "Applied 5 changes for NHS Halton CCG (01F) (1 closed, 4 transfer unchanged); "
            "3 people moved with their posts, their service dates unchanged.",
        )
    ]
    assert Post.objects.filter(organisation=world["icb"]).count() == 4
    row = Post.history.filter(organisation_id=world["icb"].pk).first()
    assert (row.history_user, row.history_change_reason) == (world["hr"], "Scheme effective")


def test_nothing_to_do_is_a_warning_not_a_success(client, world):
    client.force_login(world["hr"])
    response = client.post(URL, _form(world, "apply"))
    assert response.status_code == 200
    assert _messages(response) == [
        (
            "warning",
            "Nothing to apply: NHS Halton CCG (01F) has no approved changes in CCG to ICB "
            "(its other changes: Draft: 5).",
        )
    ]


def test_a_stale_confirmation_is_refused_and_reviewed_again(client, world):
    client.force_login(world["hr"])
    review = client.post(URL, _form(world, "approve")).context["review"]
    extra = factories.PlannedChangeFactory(
        programme=world["programme"],
        post=factories.PostFactory(organisation=world["ccg"]),
        destination_organisation=world["icb"],
        author=world["changes"][0].author,
    )
    response = client.post(URL, _form(world, "approve", confirm=review.fingerprint))
    assert response.status_code == 200
    assert "changed since you reviewed them" in _messages(response)[0][1]
    assert PlannedChange.objects.filter(status="approved").count() == 0
    assert response.context["review"].count == 6
    assert extra.status == "draft"


def test_a_blocked_apply_lists_every_problem_offers_no_confirm_and_applies_nothing(client, world):
    client.force_login(world["hr"])
    _approve_all(world)
    PlannedChange.objects.filter(pk=world["changes"][0].pk).update(effective_on=dt.date(2099, 1, 1))
    response = client.post(URL, _form(world, "apply"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be applied before then" in page
    assert 'name="confirm"' not in page
    # Even a forged confirmation applies nothing.
    forged = client.post(URL, _form(world, "apply", confirm=response.context["review"].fingerprint))
    assert forged.status_code == 200
    assert "cannot be applied before then" in forged.content.decode()
    assert not Post.objects.filter(organisation=world["icb"]).exists()


@pytest.mark.parametrize("role", [roles.UNION_REP, roles.AUDITOR, roles.STAFF, roles.CMS_EDITOR])
def test_only_hr_may_use_it(client, world, role):
    client.force_login(_user(role, [world["ccg"]]))
    assert client.post(URL, _form(world, "approve")).status_code in (302, 403)
    assert PlannedChange.objects.filter(status="draft").count() == 5


def _snapshot():
    """Every change and post as stored, and how many history rows each table holds."""
    return (
        list(PlannedChange.objects.order_by("pk").values()),
        list(Post.objects.order_by("pk").values()),
        PlannedChange.history.count(),
        Post.history.count(),
    )


def test_reviewing_an_apply_writes_nothing(client, world):
    client.force_login(world["hr"])
    _approve_all(world)
    before = _snapshot()
    review = client.post(URL, _form(world, "apply")).context["review"]
    assert (review.count, review.blockers) == (5, [])
    assert _snapshot() == before


def _block_by_authorship(world):
    # The HR manager reviewing is the author of one of the drafts.
    PlannedChange.objects.filter(pk=world["changes"][2].pk).update(author=world["hr"])
    return "approve", "must be approved by someone other than its author (hr)."


def _block_by_clash(world):
    # The ICB already numbers a post as one of the moving posts will be numbered.
    _approve_all(world)
    moving = world["changes"][1]
    factories.PostFactory(organisation=world["icb"], position_number=moving.post.position_number)
    return "apply", f"QYG already has a post numbered {moving.post.position_number};"


@pytest.mark.parametrize("block", [_block_by_authorship, _block_by_clash])
def test_a_review_shows_the_refusal_the_real_run_meets_and_writes_nothing(client, world, block):
    """The review is the service's dry run: the same checks, no write."""
    from django.core.exceptions import ValidationError

    from tracker import admin_bulk

    action, expected = block(world)
    client.force_login(world["hr"])
    before = _snapshot()
    review = client.post(URL, _form(world, action)).context["review"]
    assert _snapshot() == before
    with pytest.raises(ValidationError) as real:
        admin_bulk._run(
            action,
            user=world["hr"],
            programme=world["programme"],
            organisation=world["ccg"],
            reason="Transition board 14 June",
            changes=list(admin_bulk._targets(action, world["programme"], world["ccg"])),
        )
    assert review.blockers == real.value.messages
    assert expected in " ".join(review.blockers)
    assert _snapshot() == before
