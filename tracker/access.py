"""Who may see and who may change which rows: the one policy every path asks.

Screens, forms, choosers, exports, commands and services all call these functions, so a forged
form, a script or a command cannot do what the screen would not offer.

- **See**: `tracker.selectors.scoped(model, user)` (the rows of a model in a user's
  organisations; auditors and superusers see every row). Re-exported here as `visible`.
- **Change**: `changeable(model, user)`, the rows a user may change, and the `require_*`
  checks the services call before they write. Only HR managers change, and only in the
  organisations assigned to them; superusers change everything. Auditors, union
  representatives, partnership approvers, CMS editors and staff change nothing. The
  scheduled jobs' system account (`tracker.audit.system_user`) changes everything, like a
  superuser: it cannot sign in, so only code acting for the organisation as a whole uses it.

Per model, a row is changeable when (the table `changeable` implements):

| model | in scope when |
|---|---|
| Organisation | it is one of the user's organisations |
| Succession | both its predecessor and its successor are |
| Programme | it has at least one organisation and all of them are the user's |
| Post | its organisation is the user's |
| StaffMember | they hold or held a post in the user's organisations, or hold no post at all (new) |
| Assignment | its post is in scope and so is its person |
| PlannedChange | its post's organisation is the user's, and so is its destination (if any) |
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from tracker.audit import is_system_account, require_user
from tracker.models import (
    Assignment,
    Organisation,
    PlannedChange,
    Post,
    Programme,
    StaffMember,
    Succession,
    User,
)
from tracker.roles import HR_MANAGER, has_role
from tracker.selectors import people_in, scoped, visible_organisations

__all__ = [
    "OutOfScope",
    "changeable",
    "changeable_organisation_ids",
    "may_change",
    "may_change_anything",
    "require_change",
    "scoped",
    "visible",
    "visible_organisations",
]

#: What a user may see: one function, kept in `tracker.selectors` where the reads live.
visible = scoped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    AnyUser = User | AnonymousUser
else:
    AnyUser = Any


class OutOfScope(ValidationError):
    """A write to a record outside the acting user's organisations, or by a role that changes
    nothing. A ValidationError so a form shows it as an error, never a 500."""


def may_change_anything(user: AnyUser) -> bool:
    if is_system_account(user):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or has_role(user, HR_MANAGER))
    )


def changeable_organisation_ids(user: AnyUser) -> set[int] | None:
    """The organisations `user` may change records in; None means every organisation."""
    if not isinstance(user, User) or not may_change_anything(user):
        return set()
    if user.is_superuser or is_system_account(user):
        return None
    cache: set[int] | None = getattr(user, "_changeable_org_ids", None)
    if cache is None:
        cache = set(user.organisations.values_list("pk", flat=True))
        user._changeable_org_ids = cache  # type: ignore[attr-defined]
    return cache


def _org_label(org: Organisation | int) -> str:
    if isinstance(org, Organisation):
        return str(org)
    found = Organisation.objects.filter(pk=org).first()
    return str(found) if found else f"Organisation {org}"


def require_may_change(user: AnyUser | None) -> None:
    acting: AnyUser = require_user(user)
    if not may_change_anything(acting):
        raise OutOfScope(f"{acting.get_username() or 'An anonymous user'} may not change records.")


def require_change(user: AnyUser, organisations: Iterable[Organisation | int | None]) -> None:
    """Refuse (OutOfScope) unless `user` may change records in every organisation given."""
    require_may_change(user)
    allowed = changeable_organisation_ids(user)
    if allowed is None:
        return
    for org in organisations:
        if org is None:
            continue
        org_id = org if isinstance(org, int) else org.pk
        if org_id not in allowed:
            raise OutOfScope(f"{_org_label(org)} is not one of the organisations you cover.")


# --- per model: the rows a user may change -----------------------------------------------------


def changeable(model: type[Model], user: AnyUser) -> QuerySet:
    """The rows of `model` that `user` may change (the table in the module docstring)."""
    queryset = model._default_manager.all()
    allowed = changeable_organisation_ids(user)
    if allowed is None:
        return queryset
    if not allowed:
        return queryset.none()
    ids = sorted(allowed)
    if model is Organisation:
        return queryset.filter(pk__in=ids)
    if model is Succession:
        return queryset.filter(predecessor__in=ids, successor__in=ids)
    if model is Programme:
        outside = Programme.organisations.through.objects.filter(programme=OuterRef("pk")).exclude(
            organisation__in=ids
        )
        return queryset.filter(organisations__in=ids).exclude(Exists(outside)).distinct()
    if model is Post:
        return queryset.filter(organisation__in=ids)
    if model is StaffMember:
        return queryset.filter(people_in(ids))
    if model is Assignment:
        return queryset.filter(
            post__organisation__in=ids,
            staff_member__in=StaffMember.objects.filter(people_in(ids)).values("pk"),
        )
    if model is PlannedChange:
        return queryset.filter(post__organisation__in=ids).filter(
            Q(destination_organisation__isnull=True) | Q(destination_organisation__in=ids)
        )
    raise ValueError(f"No change scoping is defined for {model.__name__}.")


def may_change(user: AnyUser, instance: Model) -> bool:
    return changeable(type(instance), user).filter(pk=instance.pk).exists()


# --- the checks services make before they write ------------------------------------------------


def require_change_staff_member(user: AnyUser, staff_member: StaffMember) -> None:
    require_may_change(user)
    if changeable_organisation_ids(user) is None or staff_member.pk is None:
        return
    if not changeable(StaffMember, user).filter(pk=staff_member.pk).exists():
        raise OutOfScope(
            f"{staff_member} holds no post in the organisations you cover; ask HR there."
        )


def require_change_programme(user: AnyUser, programme: Programme) -> None:
    require_may_change(user)
    if changeable_organisation_ids(user) is None:
        return
    if not changeable(Programme, user).filter(pk=programme.pk).exists():
        raise OutOfScope(
            f"{programme} covers organisations you do not; only someone covering all of them "
            "may change it."
        )


def require_change_organisations_of(user: AnyUser, organisations: Iterable[Organisation]) -> None:
    """A programme's organisations: at least one, all in scope (superusers: any, or none)."""
    organisations = list(organisations)
    require_may_change(user)
    if changeable_organisation_ids(user) is None:
        return
    if not organisations:
        raise OutOfScope("Name at least one of the organisations you cover.")
    require_change(user, organisations)


def require_change_planned_change(user: AnyUser, change: PlannedChange) -> None:
    require_change(user, [change.post.organisation_id, change.destination_organisation_id])
