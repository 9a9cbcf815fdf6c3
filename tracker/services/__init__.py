"""Every write to the establishment goes through a function in this package:
`organisations`, `establishment` (posts, staff, assignments), `changes` (planned changes and
the bulk lift and shift) and `users` (role and scope). Import them from here.

Each service is keyword-only, atomic, and takes the acting user and a reason, which land on the
history row of every record it touches (`tracker.audit.stamp`). A save that would change nothing
is skipped, so history only ever records real changes. Bulk paths use django-simple-history's
bulk helpers with the same who and why.
"""

from tracker.services.changes import (
    planned_change_apply,
    planned_change_approve,
    planned_change_cancel,
    planned_change_create,
    planned_change_update,
    planned_changes_approve,
    programme_apply_changes,
)
from tracker.services.common import (
    ChangeRefused,
)
from tracker.services.establishment import (
    assignment_create,
    assignment_update,
    post_create,
    post_update,
    staff_member_create,
    staff_member_update,
)
from tracker.services.organisations import (
    organisation_create,
    organisation_update,
    programme_create,
    programme_update,
    succession_create,
    succession_update,
)
from tracker.services.users import (
    user_access_update,
)

__all__ = [
    "ChangeRefused",
    "assignment_create",
    "assignment_update",
    "organisation_create",
    "organisation_update",
    "planned_change_apply",
    "planned_change_approve",
    "planned_change_cancel",
    "planned_change_create",
    "planned_change_update",
    "planned_changes_approve",
    "post_create",
    "post_update",
    "programme_apply_changes",
    "programme_create",
    "programme_update",
    "staff_member_create",
    "staff_member_update",
    "succession_create",
    "succession_update",
    "user_access_update",
]
