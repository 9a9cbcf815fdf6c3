"""What every employment write shares: the errors it raises, the scope checks it makes first,
and the helper that records which fields changed.

Scope (issue 7) is `tracker.access`'s: HR managers change records only in the organisations
assigned to them, superusers and the scheduled jobs' system account everywhere, nobody else; a
write naming organisations calls `tracker.access.require_change`. A case is in an HR manager's
scope when its employer or its post's organisation is one they cover (the same rule as
`employment.selectors.cases_changeable_by`, so a screen never offers what the service would
refuse); a new case must name an employer, a post and a person all within their organisations.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from employment.models import Case
from tracker.access import (
    OutOfScope,
    changeable_organisation_ids,
    require_change,
    require_may_change,
)
from tracker.audit import UNSET as _UNSET
from tracker.audit import set_changed_fields
from tracker.models import Assignment, Post, StaffMember, User


class CaseError(ValidationError):
    """A case write that cannot be done; the message says why and what is possible."""


class TransitionRefused(CaseError):
    """The status machine does not allow this move; the message names the allowed ones."""

    def __init__(self, message: str, *, current: str, requested: str, allowed: tuple[str, ...]):
        super().__init__(message, code="transition_refused")
        self.current = current
        self.requested = requested
        self.allowed = allowed


class CaseConflict(CaseError):
    """Someone else moved the case since the caller read it; the message names where it went."""

    def __init__(self, message: str, *, expected: str, actual: str):
        super().__init__(message, code="case_conflict")
        self.expected = expected
        self.actual = actual


# The tracker's "not given" sentinel, so both apps' update services mean the same by it.
UNSET: Any = _UNSET


def set_changed(instance: Any, changed: list[str], **values: Any) -> None:
    """`tracker.audit.set_changed_fields`, collecting into `changed` (each name once): the
    transition code sets fields in several steps and saves them together."""
    for name in set_changed_fields(instance, values):
        if name not in changed:
            changed.append(name)


def require_case_in_scope(user: User, case: Case) -> None:
    """Refuse unless `user` may change `case` (its employer or its post's organisation is one
    they cover). `case` must be the row as stored (the locked re-read), not a caller's copy."""
    require_may_change(user)
    allowed = changeable_organisation_ids(user)
    if allowed is None:
        return
    post_org = case.post.organisation_id if case.post is not None else None
    if not ({case.employer_id, post_org} & allowed):
        raise OutOfScope("This case is not in an organisation you cover.")


def require_post_in_scope(user: User, post: Post | None) -> None:
    if post is not None:
        require_change(user, [post.organisation_id])


def require_staff_member_in_scope(user: User, staff_member: StaffMember) -> None:
    """A person is in scope when they hold, or held, a post in one of the user's
    organisations (the rule `tracker.selectors.scoped(StaffMember, ...)` uses for seeing).
    Stricter than `tracker.access.require_change_staff_member`, which also lets HR change
    someone holding no post: a case is opened for someone an employer in scope employs."""
    require_may_change(user)
    allowed = changeable_organisation_ids(user)
    if allowed is None:
        return
    if not Assignment.objects.filter(
        staff_member=staff_member, post__organisation__in=allowed
    ).exists():
        raise OutOfScope("That person does not hold a post in an organisation you cover.")
