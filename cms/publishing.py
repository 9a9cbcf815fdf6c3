"""Who may write and who must approve the public pages.

CMS editors draft, edit and submit pages; nothing is published until the staff side
(partnership approvers) approves it through the "Partnership approval" workflow on the home
page, which covers every page below it. Kept in step after every migrate, like `tracker.roles`.

Why approvers hold `publish_page`: when the last task of a workflow is approved, Wagtail
publishes the revision *as the approving user* and checks that user's publish permission
(`PublishPageRevisionAction.check`). Without it the approval is refused with "Sorry, you do not
have permission to access this area" and the task stays in progress. Editors never hold it, so
for them the only way to the live site is "Submit to Partnership approval".
"""

from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from tracker.roles import CMS_EDITOR, PARTNERSHIP_APPROVER, after_last_app_migrated

WORKFLOW_NAME = "Partnership approval"
TASK_NAME = "Staff-side approval"

# Page permissions on the home page (and so on every page below it), per group: exactly these.
PAGE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    CMS_EDITOR: ("add_page", "change_page"),
    # change_page: to open the page and its revisions for review; publish_page: see above.
    PARTNERSHIP_APPROVER: ("change_page", "publish_page"),
}


def sync_publishing(*, app_config=None, **kwargs) -> None:
    from cms.models import HomePage

    if not after_last_app_migrated(app_config):
        return

    home = HomePage.objects.first()
    if home is None:
        return
    page_permissions = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="wagtailcore",
            codename__in={c for codes in PAGE_PERMISSIONS.values() for c in codes},
        )
    }
    if len(page_permissions) < 3:  # wagtailcore's permissions come from its own post_migrate
        return
    groups = {}
    for name, codenames in PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        wanted = [page_permissions[c] for c in codenames]
        for permission in wanted:
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
        GroupPagePermission.objects.filter(group=group, page=home).exclude(
            permission__in=wanted
        ).delete()

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set([groups[PARTNERSHIP_APPROVER]])
    # WorkflowTask.objects, not workflow.workflow_tasks: modelcluster's child manager would
    # only hold the row in memory until the workflow itself is saved.
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.get_or_create(page=home, defaults={"workflow": workflow})
