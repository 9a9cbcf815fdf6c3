"""The alerts inbox in the Wagtail admin: own rows only, acknowledge by POST, flat queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employment.models import AlertRecipient
from tests.employment.conftest import user_in
from tests.factories.employment import AlertRecipientFactory
from tracker import roles

INBOX = reverse("employment_alert_inbox")


def ack_url(row):
    return reverse("employment_alert_acknowledge", args=[row.pk])


@pytest.fixture
def rep(employer):
    return user_in(roles.UNION_REP, organisations=[employer], username="rep")


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "/login/" in response.url


def test_shows_own_rows_newest_first_and_never_anothers(client, hr_user, rep):
    older = AlertRecipientFactory(user=hr_user, subject="Older alert for HR")
    newer = AlertRecipientFactory(user=hr_user, subject="Newer alert for HR")
    AlertRecipientFactory(user=rep, subject="Alert for the rep only")
    client.force_login(hr_user)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [newer.pk, older.pk]
    html = response.content.decode()
    assert "Alert for the rep only" not in html
    assert html.index("Newer alert for HR") < html.index("Older alert for HR")
    assert "Alerts (2)" in html  # the menu label carries the unacknowledged count


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.CMS_EDITOR, roles.HR_MANAGER])
def test_users_with_no_rows_see_an_empty_inbox(client, employer, hr_user, role):
    AlertRecipientFactory(user=hr_user, subject="Someone else's alert")
    user = user_in(role, organisations=[employer], username="nobody")
    client.force_login(user)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert list(response.context["rows"]) == []
    assert "Someone else&#x27;s alert" not in response.content.decode()
    assert "No alerts." in response.content.decode()


def test_staff_role_without_admin_access_is_kept_out(client, hr_user):
    AlertRecipientFactory(user=hr_user, subject="HR alert")
    staffer = user_in(roles.STAFF, username="staffer", is_staff=False)
    client.force_login(staffer)
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "HR alert" not in response.content.decode()


def test_acknowledge_own_row(client, hr_user):
    row = AlertRecipientFactory(user=hr_user)
    client.force_login(hr_user)
    response = client.post(ack_url(row))
    assert response.status_code == 302
    assert response.url == INBOX
    row.refresh_from_db()
    assert row.acknowledged_at is not None
    first = row.acknowledged_at
    client.post(ack_url(row))
    row.refresh_from_db()
    assert row.acknowledged_at == first
    assert "Alerts (" not in client.get(INBOX).content.decode()


def test_cannot_acknowledge_anothers_row(client, hr_user, rep):
    theirs = AlertRecipientFactory(user=rep)
    client.force_login(hr_user)
    assert client.post(ack_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None


def test_acknowledge_is_post_only_and_csrf_protected(hr_user):
    from django.test import Client

    row = AlertRecipientFactory(user=hr_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr_user)
    assert client.get(ack_url(row)).status_code == 405
    assert client.post(ack_url(row)).status_code == 403
    row.refresh_from_db()
    assert row.acknowledged_at is None


def test_inbox_query_count_is_flat(client, hr_user):
    client.force_login(hr_user)

    def queries_with(n):
        AlertRecipient.objects.filter(user=hr_user).delete()
        AlertRecipientFactory.create_batch(n, user=hr_user)
        client.get(INBOX)  # warm per-session caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(INBOX)
        assert len(response.context["rows"]) == n
        return len(ctx)

    assert queries_with(5) == queries_with(25)


def test_each_row_links_to_its_record_for_its_audience(client, employer, hr_user, rep):
    from employment import alerts
    from tests.employment.conftest import case_in

    case = case_in("at_risk", employer=employer)
    alerts.raise_case_status_alert(case=case, status="at_risk", on=case.status_changed_on)
    client.force_login(hr_user)
    assert f'href="/admin/employment/cases/inspect/{case.pk}/"' in client.get(INBOX).text
    client.force_login(rep)
    html = client.get(INBOX).text
    assert 'href="/admin/employment/at-risk/"' in html
    assert f"/cases/inspect/{case.pk}/" not in html
