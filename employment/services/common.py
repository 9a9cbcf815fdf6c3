"""What every employment write shares: the errors it raises, the scope check it makes first,
and the helper that records which fields changed.

Scope (issue 7): HR managers change records only in the organisations assigned to them,
superusers everywhere, nobody else. A case is in an HR manager's scope when its employer or its
post's organisation is one they cover (the same rule as `employment.selectors.cases_changeable_by`,
so a screen never offers what the service would refuse); a new case must name an employer, a
post and a person all within their organisations.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from employment.models import Case
from tracker.access import OutOfScope, changeable_organisation_ids, may_change_anything
from tracker.audit import SYSTEM_USERNAME, MissingAuditContext, set_changed_fields
from tracker.audit import UNSET as _UNSET
from tracker.models import Assignment, Organisation, Post, StaffMember, User


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


def is_system_account(user: User) -> bool:
    """The account scheduled jobs act as (`tracker.audit.system_user`): inactive, no usable
    password, so nobody signs in as it; it acts for the organisation as a whole."""
    return (
        user.get_username() == SYSTEM_USERNAME
        and not user.is_active
        and not user.has_usable_password()
    )


def _scope(user: User) -> set[int] | None:
    """The organisations `user` may change cases in (None: all); refuses anyone else."""
    if user is None:
        raise MissingAuditContext("Every change needs an acting user for the audit history.")
    if is_system_account(user):
        return None
    if not may_change_anything(user):
        raise OutOfScope(f"{user.get_username()} may not change cases or consultations.")
    return changeable_organisation_ids(user)


def require_organisations(user: User, organisations: list[Organisation | int | None]) -> None:
    """Refuse unless `user` may change records in every organisation given (None is skipped)."""
    allowed = _scope(user)
    if allowed is None:
        return
    for org in organisations:
        if org is None:
            continue
        org_id = org if isinstance(org, int) else org.pk
        if org_id not in allowed:
            raise OutOfScope("That organisation is not one of the organisations you cover.")


def require_case_in_scope(user: User, case: Case) -> None:
    """Refuse unless `user` may change `case` (its employer or its post's organisation is one
    they cover). `case` must be the row as stored (the locked re-read), not a caller's copy."""
    allowed = _scope(user)
    if allowed is None:
        return
    post_org = case.post.organisation_id if case.post is not None else None
    if not ({case.employer_id, post_org} & allowed):
        raise OutOfScope("This case is not in an organisation you cover.")


def require_post_in_scope(user: User, post: Post | None) -> None:
    if post is not None:
        require_organisations(user, [post.organisation_id])


def require_staff_member_in_scope(user: User, staff_member: StaffMember) -> None:
    """A person is in scope when they hold, or held, a post in one of the user's
    organisations (the rule `tracker.selectors.scoped(StaffMember, ...)` uses for seeing)."""
    allowed = _scope(user)
    if allowed is None:
        return
    if not Assignment.objects.filter(
        staff_member=staff_member, post__organisation__in=allowed
    ).exists():
        raise OutOfScope(
            "That person does not hold a post in an organisation you cover."
        )
