"""Who may reach what: a user's role, the organisations they cover and their union, changed only
by an administrator, each change logged with who and why (`UserAccessChange`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from tracker import access
from tracker.audit import (
    UNSET,
    Unset,
    require_reason,
)
from tracker.models import (
    Organisation,
    User,
    UserAccessChange,
)


def _names(values: Iterable[Any]) -> str:
    return ", ".join(sorted(str(v) for v in values))


@transaction.atomic
def user_access_update(
    *,
    user: User,
    acting_user: User,
    reason: str,
    groups: Iterable[Group] | Unset = UNSET,
    organisations: Iterable[Organisation] | Unset = UNSET,
    union: str | Unset = UNSET,
    is_superuser: bool | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> list[str]:
    """Set what a user may reach, writing one `UserAccessChange` row (before, after, who, why)
    per thing that changed; returns what changed. Only administrators manage users: an HR
    manager or an auditor granting access would widen their own reach."""
    if not (acting_user.is_active and acting_user.is_superuser):
        raise access.OutOfScope("Only an administrator changes a user's role or scope.")
    reason = require_reason(reason)
    now = timezone.now()
    rows: list[UserAccessChange] = []

    def record(what: str, before: str, after: str) -> None:
        rows.append(
            UserAccessChange(
                user=user,
                what=what,
                before=before,
                after=after,
                changed_by=acting_user,
                changed_at=now,
                reason=reason,
            )
        )

    if not isinstance(groups, Unset):
        wanted_groups = list(groups)
        before = _names(user.groups.all())
        if {g.pk for g in wanted_groups} != set(user.groups.values_list("pk", flat=True)):
            user.groups.set(wanted_groups)
            record(UserAccessChange.What.ROLES, before, _names(wanted_groups))
    if not isinstance(organisations, Unset):
        wanted_orgs = list(organisations)
        current = list(user.organisations.all())
        if {o.pk for o in wanted_orgs} != {o.pk for o in current}:
            user.organisations.set(wanted_orgs)
            record(
                UserAccessChange.What.ORGANISATIONS,
                _names(o.code for o in current),
                _names(o.code for o in wanted_orgs),
            )
    fields = []
    for name, value, what in (
        ("union", union, UserAccessChange.What.UNION),
        ("is_superuser", is_superuser, UserAccessChange.What.ADMINISTRATOR),
        ("is_active", is_active, UserAccessChange.What.ACTIVE),
    ):
        if isinstance(value, Unset) or getattr(user, name) == value:
            continue
        record(what, str(getattr(user, name)), str(value))
        setattr(user, name, value)
        fields.append(name)
    if fields:
        user.save(update_fields=fields)
    UserAccessChange.objects.bulk_create(rows)
    # Cached role and scope answers on this instance are stale now.
    for cached in ("_role_names", "_changeable_org_ids"):
        user.__dict__.pop(cached, None)
    return [row.what for row in rows]
