"""Sign-in journeys through the real forms: staff to /my/, and a partnership approver with their
second factor approving a page in the Wagtail admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from wagtail.models import TaskState

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from tests import factories
from tests.browser.conftest import assert_accessible, screenshot
from tracker import roles
from tracker.signin.demo import current_code, demo_authenticators_seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-test-password-42"


def _user(username, role, **extra):
    user = factories.UserFactory(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        groups=[Group.objects.get_or_create(name=role)[0]],
        **extra,
    )
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _sign_in(page, username):
    page.goto("/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_staff_sign_in_and_see_their_own_record(open_page, width):
    user = _user("jordan", roles.STAFF)
    org = factories.OrganisationFactory(name="NHS Liverpool CCG", code="99A")
    person = factories.StaffMemberFactory(first_name="Jordan", last_name="Reid", user=user)
    factories.AssignmentFactory(
        staff_member=person,
        post=factories.PostFactory(organisation=org, title="Contracts Officer", band="5"),
        annual_salary=33000,
        start_on=dt.date(2015, 4, 1),
    )
    page = open_page(width=width)
    _sign_in(page, "jordan")
    page.goto("/my/")
    main = page.inner_text("main")
    assert "Contracts Officer" in main
    assert "NHS Liverpool CCG" in main
    assert_accessible(page, f"my-record-{width}")


def test_a_wrong_password_says_so_without_saying_which_part(open_page):
    _user("jordan", roles.STAFF)
    page = open_page()
    page.goto("/login/")
    page.fill("#id_login", "jordan")
    page.fill("#id_password", "wrong")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/my/" not in page.url
    assert_accessible(page, "login-error")


def test_approver_signs_in_with_a_code_and_approves_a_page(open_page):
    editor = _user("editor", roles.CMS_EDITOR)
    approver = _user("approver", roles.PARTNERSHIP_APPROVER)
    demo_authenticators_seed(users=[approver])
    home = HomePage.objects.get()
    index = home.add_child(instance=GuaranteeIndexPage(title="Guarantees", slug="guarantees"))
    page_obj = index.add_child(
        instance=GuaranteePage(
            title="Stable employment guarantee",
            slug="stable",
            summary="No compulsory redundancy while the transfer happens.",
            live=False,
        )
    )
    revision = page_obj.save_revision(user=editor)
    page_obj.get_workflow().start(page_obj, editor)
    assert not GuaranteePage.objects.get(pk=page_obj.pk).live

    page = open_page()
    page.goto("/admin/")
    page.fill("#id_login", "approver")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#id_code").wait_for()
    assert_accessible(page, "signin-second-factor")
    code, _ = current_code(approver)
    page.fill("#id_code", code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/admin/**")

    page.goto(f"/admin/pages/{page_obj.pk}/edit/")
    footer = page.locator("footer")
    footer.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "approver-approved")
    assert GuaranteePage.objects.get(pk=page_obj.pk).live
    assert TaskState.objects.get(revision=revision).status == TaskState.STATUS_APPROVED
