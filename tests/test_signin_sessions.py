"""Sessions: a privileged session ends 10 hours after signing in however busy it has been
(absolute, not sliding); a staff session after 4; any session at once when its account is
deactivated, and reactivating the account does not bring it back."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tracker import roles

pytestmark = pytest.mark.django_db

SIGNED_IN = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def user_with(role, **kwargs):
    user = factories.UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def at(moment):
    return mock.patch.object(timezone, "now", return_value=moment)


def test_privileged_session_ends_ten_hours_after_signing_in_however_busy(client):
    user = user_with(roles.HR_MANAGER)
    with at(SIGNED_IN):
        client.force_login(user)
    # Busy all day: a request every hour does not push the end back.
    for hour in range(1, 10):
        with at(SIGNED_IN + dt.timedelta(hours=hour)):
            assert client.get("/admin/").status_code == 200, hour
    with at(SIGNED_IN + dt.timedelta(hours=9, minutes=59)):
        assert client.get("/admin/").status_code == 200
    with at(SIGNED_IN + dt.timedelta(hours=10)):
        response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_staff_session_ends_four_hours_after_signing_in(client):
    user = user_with(roles.STAFF, is_staff=False)
    with at(SIGNED_IN):
        client.force_login(user)
    with at(SIGNED_IN + dt.timedelta(hours=3, minutes=59)):
        assert client.get("/my/").status_code == 200
    with at(SIGNED_IN + dt.timedelta(hours=4)):
        response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_superuser_session_is_a_working_day(client):
    user = factories.UserFactory(is_superuser=True)
    with at(SIGNED_IN):
        client.force_login(user)
    with at(SIGNED_IN + dt.timedelta(hours=5)):
        assert client.get("/admin/").status_code == 200
    with at(SIGNED_IN + dt.timedelta(hours=10, seconds=1)):
        assert client.get("/admin/").status_code == 302


def test_deactivation_ends_the_session_at_once_and_reactivation_does_not_revive_it(client):
    user = user_with(roles.UNION_REP)
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    session_key = client.session.session_key

    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Session.objects.filter(session_key=session_key).exists()

    user.is_active = True
    user.save(update_fields=["is_active"])
    client.cookies["sessionid"] = session_key
    assert client.get("/admin/").status_code == 302


def test_a_session_without_a_recorded_sign_in_is_ended(client):
    user = user_with(roles.AUDITOR)
    client.force_login(user)
    session = client.session
    session.pop("signin_session_ends_at")
    session.save()
    assert client.get("/admin/").status_code == 302


def test_session_cookie_ends_with_the_browser_and_never_outlasts_a_working_day(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60


def test_checking_the_session_costs_no_extra_query_on_a_public_page(client):
    user = user_with(roles.STAFF, is_staff=False)
    client.force_login(user)
    client.get("/")  # warm caches (site root, etc.)
    with CaptureQueriesContext(connection) as signed_in:
        client.get("/")
    client.logout()
    client.get("/")
    with CaptureQueriesContext(connection) as anonymous:
        client.get("/")
    # Signed in costs the session row and the user row (Django's own), nothing more.
    assert len(signed_in) - len(anonymous) <= 2
