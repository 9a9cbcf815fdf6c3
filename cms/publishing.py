"""Who may write and who must approve the public pages.

CMS editors draft and edit pages; nothing is published until the staff side (partnership
approvers) approves it through the "Partnership approval" workflow on the home page, which
covers every page below it. Kept in step after every migrate, like `tracker.roles`.
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


def sync_publishing(*, app_config=None, **kwargs) -> None:
    from cms.models import HomePage

    if not after_last_app_migrated(app_config):
        return

    home = HomePage.objects.first()
    if home is None:
        return
    editors, _ = Group.objects.get_or_create(name=CMS_EDITOR)
    approvers, _ = Group.objects.get_or_create(name=PARTNERSHIP_APPROVER)
    for codename in ("add_page", "change_page"):
        permission = Permission.objects.filter(
            content_type__app_label="wagtailcore", codename=codename
        ).first()
        if permission is None:  # wagtailcore's permissions are created by its own post_migrate
            return
        GroupPagePermission.objects.get_or_create(group=editors, page=home, permission=permission)
    # Approvers need to see a page to approve it.
    change = Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page")
    GroupPagePermission.objects.get_or_create(group=approvers, page=home, permission=change)

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name="Staff-side approval").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Staff-side approval")
        task.groups.set([approvers])
    # WorkflowTask.objects, not workflow.workflow_tasks: modelcluster's child manager would
    # only hold the row in memory until the workflow itself is saved.
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.get_or_create(page=home, defaults={"workflow": workflow})
