"""Who may see and who may change which rows: the one policy every path asks.

Screens, forms, choosers, exports, commands and services all call these functions, so a forged
form, a script or a command cannot do what the screen would not offer. Seeing is decided by
`tracker.selectors.scoped` (the rows of a model in a user's organisations); changing is decided
here: only HR managers, and only in the organisations assigned to them (superusers everywhere).
Auditors and union representatives change nothing.

This is the first cut of the module, giving the names other code calls; the access work
(issue 7) fills in the per-model table and the admin permission policies behind it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from tracker.models import Organisation, User
from tracker.roles import HR_MANAGER, has_role


class OutOfScope(ValidationError):
    """A write to a record outside the acting user's organisations, or by a role that changes
    nothing. A ValidationError so a form shows it as an error, never a 500."""


def may_change_anything(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or has_role(user, HR_MANAGER))
    )


def changeable_organisation_ids(user: User) -> set[int] | None:
    """The organisations `user` may change records in; None means every organisation."""
    if not may_change_anything(user):
        return set()
    if user.is_superuser:
        return None
    cache = getattr(user, "_changeable_org_ids", None)
    if cache is None:
        cache = set(user.organisations.values_list("pk", flat=True))
        user._changeable_org_ids = cache
    return cache


def require_change(user: User, organisations: Iterable[Organisation | int | None]) -> None:
    """Refuse (OutOfScope) unless `user` may change records in every organisation given."""
    allowed = changeable_organisation_ids(user)
    if allowed is None:
        return
    if not may_change_anything(user):
        raise OutOfScope(f"{user.get_username()} may not change records.")
    for org in organisations:
        if org is None:
            continue
        org_id = org if isinstance(org, int) else org.pk
        if org_id not in allowed:
            label = org if isinstance(org, Organisation) else Organisation.objects.get(pk=org_id)
            raise OutOfScope(f"{label} is not one of the organisations you cover.")
