"""The HR manager's programme panel on the admin home."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests.factories.tracker import (
    OrganisationFactory,
    PlannedChangeFactory,
    PostFactory,
    ProgrammeFactory,
    UserFactory,
)
from tracker import roles
from tracker.dashboard import programme_progress
from tracker.models import PlannedChange

pytestmark = pytest.mark.django_db

A = PlannedChange.Action
S = PlannedChange.Status


def _user(role, organisations=()):
    return UserFactory(
        groups=[Group.objects.get_or_create(name=role)[0]], organisations=list(organisations)
    )


@pytest.fixture
def setting():
    mine, other = (
        OrganisationFactory(name="NHS Mine CCG"),
        OrganisationFactory(name="NHS Other CCG"),
    )
    programme = ProgrammeFactory(name="ICB merger")
    programme.organisations.add(mine, other)
    hr, colleague = _user(roles.HR_MANAGER, [mine]), _user(roles.HR_MANAGER, [mine])
    for _ in range(3):
        PlannedChangeFactory(
            programme=programme,
            post=PostFactory(organisation=mine),
            action=A.TRANSFER_UNCHANGED,
            status=S.DRAFT,
            author=colleague,
        )
    PlannedChangeFactory(
        programme=programme,
        post=PostFactory(organisation=mine),
        action=A.CLOSED,
        status=S.DRAFT,
        author=hr,
    )
    PlannedChangeFactory(
        programme=programme,
        post=PostFactory(organisation=mine),
        action=A.TRANSFER_UNCHANGED,
        status=S.APPROVED,
        author=colleague,
        approved_by=hr,
        approved_at=timezone.now(),
    )
    for _ in range(4):
        PlannedChangeFactory(
            programme=programme,
            post=PostFactory(organisation=other),
            action=A.CLOSED,
            status=S.DRAFT,
            author=colleague,
        )
    return programme, hr


def test_counts_are_the_users_scope_and_drafts_by_others_await_them(setting):
    programme, hr = setting
    (progress,) = programme_progress(hr)
    table = {
        label: {f.label: f.count for f in figures} | {"Total": total.count}
        for label, figures, total in progress.by_action
    }
    assert table == {
        "Transfer unchanged": {"Draft": 3, "Approved": 1, "Applied": 0, "Cancelled": 0, "Total": 4},
        "Closed": {"Draft": 1, "Approved": 0, "Applied": 0, "Cancelled": 0, "Total": 1},
    }
    # Four drafts in scope; the closure is their own, so someone else must approve it. The other
    # organisation's drafts are unseen.
    assert progress.awaiting_approval.count == 4
    assert progress.written_by_you == 1
    assert f"programme={programme.pk}" in progress.awaiting_approval.url
    assert "status=draft" in progress.awaiting_approval.url


def test_the_figures_link_to_a_list_showing_the_same_number(client, setting):
    _, hr = setting
    client.force_login(hr)
    (progress,) = programme_progress(hr)
    listing = client.get(progress.awaiting_approval.url)
    assert listing.status_code == 200
    assert listing.context["page_obj"].paginator.count == progress.awaiting_approval.count == 4
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Where each programme stands" in home
    assert "ICB merger" in home


@pytest.mark.parametrize("role", [roles.UNION_REP, roles.STAFF, roles.CMS_EDITOR])
def test_the_panel_is_not_shown_to_other_roles(client, setting, role):
    client.force_login(_user(role))
    page = client.get(reverse("wagtailadmin_home"))
    assert "Where each programme stands" not in page.content.decode()
