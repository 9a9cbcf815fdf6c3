"""Partnership approval, driven through the Wagtail admin screens as each role.

An editor writes a guarantee page and submits it; only a partnership approver's approval puts
it live, and the page history names the approver. Everyone else's approve or reject is refused
and leaves the page as it was.
"""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageLogEntry, TaskState

from cms.models import GuaranteeIndexPage, GuaranteePage, HomePage
from tests import factories
from tracker import roles

pytestmark = pytest.mark.django_db


def _user(username, role, **extra):
    return factories.UserFactory(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        groups=[Group.objects.get(name=role)],
        **extra,
    )


@pytest.fixture
def index():
    home = HomePage.objects.get()
    return home.add_child(instance=GuaranteeIndexPage(title="Guarantees", slug="guarantees"))


@pytest.fixture
def editor():
    return _user("editor", roles.CMS_EDITOR)


@pytest.fixture
def approver():
    return _user("approver", roles.PARTNERSHIP_APPROVER)


def _form(**overrides):
    data = {
        "title": "Stable employment guarantee",
        "slug": "stable",
        "kind": "guarantee",
        "summary": "No compulsory redundancy while the transfer happens.",
        "covers": "below_board",
        "body-count": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def submitted(client, index, editor):
    """The editor creates the page and submits it to Partnership approval in one POST."""
    client.force_login(editor)
    response = client.post(
        f"/admin/pages/add/cms/guaranteepage/{index.pk}/", _form(**{"action-submit": "1"})
    )
    assert response.status_code == 302
    client.logout()
    page = GuaranteePage.objects.get(slug="stable")
    (task_state,) = TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)
    return page, task_state


def _action_url(page, action, task_state):
    return f"/admin/pages/workflow/action/{page.pk}/{action}/{task_state.pk}/"


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_submitting_leaves_the_page_off_the_site_until_approved(client, submitted):
    page, task_state = submitted
    assert not page.live
    assert page.workflow_in_progress
    assert task_state.task.name == "Staff-side approval"
    assert client.get("/guarantees/stable/").status_code == 404


def test_an_editor_cannot_publish_directly(client, index, editor):
    client.force_login(editor)
    client.post(f"/admin/pages/add/cms/guaranteepage/{index.pk}/", _form(**{"action-publish": "1"}))
    page = GuaranteePage.objects.get(slug="stable")
    assert not page.live
    # The edit screen offers submitting, never publishing.
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html


def test_the_approver_approves_and_the_page_goes_live(client, submitted, approver):
    page, task_state = submitted
    client.force_login(approver)
    # The approver sees it waiting on their dashboard.
    assert "Stable employment guarantee" in client.get("/admin/").content.decode()
    response = client.post(_action_url(page, "approve", task_state), follow=True)
    assert response.status_code == 200
    assert not any("do not have permission" in m for m in _messages(response))

    page.refresh_from_db()
    task_state.refresh_from_db()
    assert page.live
    assert task_state.status == TaskState.STATUS_APPROVED
    assert task_state.finished_by == approver
    assert page.live_revision.user.username == "editor"  # the editor's words, as submitted
    client.logout()
    public = client.get("/guarantees/stable/")
    assert public.status_code == 200
    assert "No compulsory redundancy while the transfer happens." in public.content.decode()


def test_the_page_history_shows_who_approved(client, submitted, approver, editor):
    page, task_state = submitted
    client.force_login(approver)
    client.post(_action_url(page, "approve", task_state), {"comment": "Agreed by staff side"})
    entries = {
        (e.action, e.user.username)
        for e in PageLogEntry.objects.filter(page=page).select_related("user")
    }
    assert ("wagtail.workflow.approve", "approver") in entries
    assert ("wagtail.publish", "approver") in entries
    assert ("wagtail.workflow.start", "editor") in entries
    client.force_login(editor)
    html = client.get(f"/admin/pages/{page.pk}/history/").content.decode()
    assert "Approver Tester" in html
    assert "Approved" in html


def test_the_approver_rejects_with_a_comment(client, submitted, approver, editor):
    page, task_state = submitted
    client.force_login(approver)
    client.post(
        _action_url(page, "reject", task_state),
        {"comment": "Say which programmes this covers."},
    )
    page.refresh_from_db()
    task_state.refresh_from_db()
    assert not page.live
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.comment == "Say which programmes this covers."
    assert PageLogEntry.objects.filter(
        page=page, action="wagtail.workflow.reject", user=approver
    ).exists()
    # The editor sees the comment on the page's workflow history.
    client.force_login(editor)
    workflow_state = page.workflow_states.get()
    html = client.get(
        f"/admin/pages/{page.pk}/workflow_history/detail/{workflow_state.pk}/"
    ).content.decode()
    assert "Say which programmes this covers." in html


@pytest.mark.parametrize(
    ("role", "is_staff"),
    [
        (roles.CMS_EDITOR, True),
        (roles.HR_MANAGER, True),
        (roles.UNION_REP, True),
        (roles.AUDITOR, True),
        (roles.STAFF, False),
    ],
)
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_nobody_else_may_approve_or_reject(client, submitted, role, is_staff, action):
    page, task_state = submitted
    client.force_login(_user("someone", role, is_staff=is_staff))
    response = client.post(_action_url(page, action, task_state), {"comment": "no"})
    assert response.status_code == 302  # refused with a message or sent to sign in, not a 500
    page.refresh_from_db()
    task_state.refresh_from_db()
    assert not page.live
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    assert not PageLogEntry.objects.filter(
        page=page, action__in=["wagtail.workflow.approve", "wagtail.workflow.reject"]
    ).exists()


def test_an_edit_after_rejection_is_resubmitted_and_approved(client, submitted, approver, editor):
    page, task_state = submitted
    client.force_login(approver)
    client.post(_action_url(page, "reject", task_state), {"comment": "Too vague"})
    client.force_login(editor)
    client.post(
        f"/admin/pages/{page.pk}/edit/",
        _form(
            summary="Nobody below board level is made compulsorily redundant.",
            **{"action-submit": "1"},
        ),
    )
    second = TaskState.objects.get(status=TaskState.STATUS_IN_PROGRESS)
    client.force_login(approver)
    client.post(_action_url(page, "approve", second))
    page.refresh_from_db()
    assert page.live
    assert page.summary == "Nobody below board level is made compulsorily redundant."


def test_the_approver_can_open_and_preview_what_they_approve(client, submitted, approver):
    page, task_state = submitted
    client.force_login(approver)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    preview = client.get(f"/admin/pages/workflow/preview/{page.pk}/{task_state.task_id}/")
    assert preview.status_code == 200
    assert "No compulsory redundancy while the transfer happens." in preview.content.decode()
    # The approve-with-comment form opens in the admin's modal.
    modal = client.get(_action_url(page, "approve", task_state))
    assert modal.status_code == 200


def test_sync_is_idempotent_and_resets_page_permissions():
    from wagtail.models import GroupPagePermission

    from cms.publishing import sync_publishing

    editors = Group.objects.get(name=roles.CMS_EDITOR)
    home = HomePage.objects.get()
    publish = GroupPagePermission.objects.filter(permission__codename="publish_page").first()
    GroupPagePermission.objects.create(group=editors, page=home, permission=publish.permission)
    sync_publishing()
    sync_publishing()
    granted = {
        (p.group.name, p.permission.codename)
        for p in GroupPagePermission.objects.filter(page=home).select_related("group", "permission")
    }
    assert granted == {
        (roles.CMS_EDITOR, "add_page"),
        (roles.CMS_EDITOR, "change_page"),
        (roles.PARTNERSHIP_APPROVER, "change_page"),
        (roles.PARTNERSHIP_APPROVER, "publish_page"),
    }
