"""Who may use the Workbooks screens: upload and confirm files (HR managers and superusers, with
the establishment's change permissions), and view the import history (whoever holds
`imports.view_importrun`; which runs they see is `imports.views.runs_visible_to`)."""

from __future__ import annotations

REQUIRED_PERMISSIONS = (
    "tracker.add_post",
    "tracker.change_post",
    "tracker.change_staffmember",
    "tracker.change_assignment",
    "imports.add_importrun",
)


def may_use_workbooks(user) -> bool:
    return user.is_active and user.is_authenticated and user.has_perms(REQUIRED_PERMISSIONS)


def may_view_imports(user) -> bool:
    return user.is_active and user.is_authenticated and user.has_perm("imports.view_importrun")


def may_confirm(user, run) -> bool:
    """Only the person who uploaded a file confirms it: the history will name them."""
    return may_use_workbooks(user) and (run.user_id == user.pk or user.is_superuser)
