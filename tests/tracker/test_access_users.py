"""The Wagtail user screens set a user's role, organisations and union, each change logged with
who and why; only administrators manage users."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tracker import roles, services
from tracker.access import OutOfScope
from tracker.models import User, UserAccessChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users["admin"])
    return client


def _account(**extra):
    return {
        "username": "newhr",
        "email": "newhr@example.nhs.uk",
        "first_name": "Nadia",
        "last_name": "Okafor",
        "password1": "a-Long-enough-pass-9",
        "password2": "a-Long-enough-pass-9",
        **extra,
    }


def _log(user):
    return sorted(
        (c.what, c.before, c.after, c.changed_by.username, c.reason)
        for c in UserAccessChange.objects.filter(user=user)
    )


def test_an_administrator_creates_an_hr_manager_for_one_organisation(admin_client, world):
    hr_group = Group.objects.get(name=roles.HR_MANAGER)
    response = admin_client.post(
        "/admin/users/new/",
        _account(
            groups=[hr_group.pk],
            organisations=[world.home.org.pk],
            union="",
            change_reason="New HR manager for Homefield",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newhr")
    assert list(user.groups.values_list("name", flat=True)) == [roles.HR_MANAGER]
    assert list(user.organisations.values_list("code", flat=True)) == ["01A"]
    assert _log(user) == [
        ("organisations", "", "01A", "admin", "New HR manager for Homefield"),
        ("roles", "", "HR manager", "admin", "New HR manager for Homefield"),
    ]


def test_widening_a_reps_scope_and_setting_their_union_is_logged(admin_client, world):
    rep = world.users["rep"]
    rep_group = Group.objects.get(name=roles.UNION_REP)
    response = admin_client.post(
        f"/admin/users/edit/{rep.pk}/",
        {
            "username": rep.username,
            "email": rep.email,
            "first_name": "Rita",
            "last_name": "Rep",
            "is_active": "on",
            "groups": [rep_group.pk],
            "organisations": [world.home.org.pk, world.home.icb.pk, world.away.org.pk],
            "union": "RCN",
            "change_reason": "Now covers Awayvale for the RCN",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rep.refresh_from_db()
    assert rep.union == "RCN"
    assert _log(rep) == [
        ("organisations", "01A, QA1", "01A, 02B, QA1", "admin", "Now covers Awayvale for the RCN"),
        ("union", "UNISON", "RCN", "admin", "Now covers Awayvale for the RCN"),
    ]
    page = admin_client.get(f"/admin/users/edit/{rep.pk}/").content.decode()
    assert "Now covers Awayvale for the RCN" in page


def test_a_change_without_a_reason_is_refused_and_nothing_changes(admin_client, world):
    rep = world.users["rep"]
    response = admin_client.post(
        f"/admin/users/edit/{rep.pk}/",
        {
            "username": rep.username,
            "email": rep.email,
            "first_name": "Rita",
            "last_name": "Rep",
            "is_active": "on",
            "groups": [Group.objects.get(name=roles.HR_MANAGER).pk],
            "organisations": [world.away.org.pk],
            "union": "",
            "change_reason": "",
        },
    )
    assert response.status_code == 200
    rep.refresh_from_db()
    assert list(rep.groups.values_list("name", flat=True)) == [roles.UNION_REP]
    assert sorted(rep.organisations.values_list("code", flat=True)) == ["01A", "QA1"]
    assert not UserAccessChange.objects.exists()


# Auditors may read the list of users (who has access is part of an audit), nothing more.
@pytest.mark.parametrize(
    ("username", "list_status"),
    [("hr_a", 302), ("auditor", 200), ("rep", 302), ("approver", 302)],
)
def test_only_administrators_manage_users(client, world, username, list_status):
    client.force_login(world.users[username])
    target = world.users["staff"]
    assert client.get("/admin/users/").status_code == list_status
    for url in ("/admin/users/new/", f"/admin/users/edit/{target.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" not in response["Location"], url
    client.post(
        f"/admin/users/edit/{target.pk}/",
        {"username": "staff", "is_superuser": "on", "change_reason": "me"},
    )
    target.refresh_from_db()
    assert not target.is_superuser
    with pytest.raises(OutOfScope):
        services.user_access_update(
            user=target,
            organisations=[world.away.org],
            acting_user=world.users[username],
            reason="r",
        )
    assert not UserAccessChange.objects.exists()


def test_saving_the_same_access_again_logs_nothing(world):
    admin, rep = world.users["admin"], world.users["rep"]
    changed = services.user_access_update(
        user=rep,
        groups=list(rep.groups.all()),
        organisations=list(rep.organisations.all()),
        union="UNISON",
        acting_user=admin,
        reason="Checked",
    )
    assert changed == [] and not UserAccessChange.objects.exists()
