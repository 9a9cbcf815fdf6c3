"""Who sees which records: `visible_organisations` and `scoped`, decided once for every
screen, export and command."""

from __future__ import annotations

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

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
from tracker.roles import AUDITOR, HR_MANAGER, has_role


def sees_all_organisations(user: User) -> bool:
    """Superusers and auditors (read-only) see every organisation; everyone else sees the
    organisations their role is assigned to."""
    return user.is_superuser or has_role(user, AUDITOR)


def visible_organisations(user: User) -> QuerySet[Organisation]:
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if sees_all_organisations(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(users=user)


def scoped(model: type[Model], user: User) -> QuerySet:
    """The records of `model` that `user` may see, by organisation."""
    queryset = model._default_manager.all()
    if sees_all_organisations(user):
        return queryset
    org_ids = visible_organisations(user).values("pk")
    if model is Organisation:
        return queryset.filter(pk__in=org_ids)
    if model is Post:
        return queryset.filter(organisation__in=org_ids)
    if model is Assignment:
        return queryset.filter(post__organisation__in=org_ids)
    if model is StaffMember:
        held_here = Q(
            pk__in=Assignment.objects.filter(post__organisation__in=org_ids).values("staff_member")
        )
        if has_role(user, HR_MANAGER):
            # A person who holds no post yet belongs to no organisation: the HR manager who
            # records them must be able to find them again to assign them.
            holds_none = ~Q(Exists(Assignment.objects.filter(staff_member=OuterRef("pk"))))
            return queryset.filter(held_here | holds_none)
        return queryset.filter(held_here)
    if model is PlannedChange:
        return queryset.filter(
            Q(post__organisation__in=org_ids) | Q(destination_organisation__in=org_ids)
        )
    if model is Programme:
        return queryset.filter(organisations__in=org_ids).distinct()
    if model is Succession:
        return queryset.filter(Q(predecessor__in=org_ids) | Q(successor__in=org_ids))
    raise ValueError(f"No organisation scoping is defined for {model.__name__}.")
