"""A guarantee page's review date: approaching (lead days configurable) and passed, told to the
page's owner and the CMS editors, once, e-mailed like every alert."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from employment.models import Alert, AlertRecipient
from tests.employment.conftest import user_in
from tracker import roles

REVIEW_ON = dt.date(2026, 9, 30)


@pytest.fixture
def page(db):
    owner = user_in(None, username="page-owner")  # wrote the page; not in the editors' group
    index = HomePage.objects.get().add_child(
        instance=GuaranteeIndexPage(title="Guarantees", slug="guarantees")
    )
    return index.add_child(
        instance=GuaranteePage(
            title="Employment commitment", slug="commitment", summary="Lift and shift.",
            review_on=REVIEW_ON, owner=owner,
        )
    )


@pytest.fixture
def people(page):
    return {
        "editor": user_in(roles.CMS_EDITOR, username="editor"),
        "gone": user_in(roles.CMS_EDITOR, username="gone-editor", is_active=False),
        "hr": user_in(roles.HR_MANAGER, username="hr"),
        "approver": user_in(roles.PARTNERSHIP_APPROVER, username="approver"),
    }


def _sweep(today, *extra):
    call_command("run_alerts", "--today", today, *extra, stdout=None)


def _keys():
    return sorted(Alert.objects.values_list("dedupe_key", flat=True))


def test_review_approaching_then_passed_each_once(page, people):
    _sweep("2026-08-30")  # 31 days ahead: outside the default 30
    assert _keys() == []
    _sweep("2026-08-31")
    _sweep("2026-09-15")
    assert _keys() == [f"clock:page:{page.pk}:review:approaching:2026-09-30"]
    alert = Alert.objects.get()
    assert (alert.page_id, alert.organisation, alert.due_on) == (page.pk, None, REVIEW_ON)
    assert alert.subject == (
        "Guarantee page review due in 30 days, on 30 September 2026: Employment commitment"
    )
    assert sorted(AlertRecipient.objects.values_list("user__username", flat=True)) == [
        "editor", "page-owner",
    ]
    _sweep("2026-09-30")
    _sweep("2026-10-01")
    assert _keys() == [
        f"clock:page:{page.pk}:review:approaching:2026-09-30",
        f"clock:page:{page.pk}:review:passed:2026-09-30",
    ]
    assert len(mail.outbox) == 4
    message = mail.outbox[0]
    assert message.subject == (
        "The guarantee page \u201cEmployment commitment\u201d is due its review"
    )
    assert f"http://testserver/admin/pages/{page.pk}/edit/" in message.body


def test_lead_days_are_configurable(page, people, settings):
    settings.EMPLOYMENT_GUARANTEE_REVIEW_LEAD_DAYS = 60
    _sweep("2026-08-01")  # 60 days ahead
    assert _keys() == [f"clock:page:{page.pk}:review:approaching:2026-09-30"]


def test_an_unpublished_page_raises_nothing(page, people):
    page.unpublish()
    _sweep("2026-09-30")
    assert _keys() == []
