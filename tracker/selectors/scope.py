"""Who sees which records: `visible_organisations` and `scoped`, decided once for every
screen, export and command."""

from __future__ import annotations

from collections.abc import Iterable

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


def held_in(org_ids: Iterable[int] | QuerySet) -> Q:
    """People who hold or held a post in these organisations."""
    return Q(
        Exists(
            Assignment.objects.filter(staff_member=OuterRef("pk"), post__organisation__in=org_ids)
        )
    )


def people_in(org_ids: Iterable[int] | QuerySet) -> Q:
    """People who hold or held a post in these organisations, or hold no post at all (whom an
    HR manager must be able to find again to assign them)."""
    return held_in(org_ids) | ~Q(Exists(Assignment.objects.filter(staff_member=OuterRef("pk"))))


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
    org_ids: Iterable[int] | QuerySet = visible_organisations(user).values("pk")
    if model is Organisation:
        return queryset.filter(pk__in=org_ids)
    if model in (Post, Assignment, StaffMember, PlannedChange):
        # The large tables are filtered by the organisations' ids as values, read first (one
        # small query), not by a subquery: PostgreSQL then estimates the rows in scope from the
        # posts' own statistics. Through the subquery it guessed one organisation's worth (the
        # users' organisations are a small table it rarely re-analyses) and, for an HR manager
        # covering every organisation, looked up 100,000 assignments one by one: the staff list
        # took 1.2-1.4 s, and 0.55-0.63 s with the ids and the EXISTS below (docs/performance.md,
        # "Admin lists, sixth pass").
        org_ids = sorted(visible_organisations(user).values_list("pk", flat=True))
    if model is Post:
        return queryset.filter(organisation__in=org_ids)
    # Assignments and people are scoped by a correlated EXISTS rather than `IN (subquery)`:
    # a page of their lists (in assignment-number or name order, by index) then reads rows in
    # that order until it has 50 that qualify, where the IN form collected or joined every row
    # in scope and sorted them first: at 100,000 of each, 0.34 s and 0.25 s a page on SQLite
    # against under a millisecond (docs/performance.md, "Admin lists, sixth pass").
    if model is Assignment:
        return queryset.filter(
            Exists(Post.objects.filter(pk=OuterRef("post_id"), organisation__in=org_ids))
        )
    if model is StaffMember:
        if has_role(user, HR_MANAGER):
            # A person who holds no post yet belongs to no organisation: the HR manager who
            # records them must be able to find them again to assign them.
            return queryset.filter(people_in(org_ids))
        return queryset.filter(held_in(org_ids))
    if model is PlannedChange:
        return queryset.filter(
            Q(post__organisation__in=org_ids) | Q(destination_organisation__in=org_ids)
        )
    if model is Programme:
        return queryset.filter(organisations__in=org_ids).distinct()
    if model is Succession:
        return queryset.filter(Q(predecessor__in=org_ids) | Q(successor__in=org_ids))
    raise ValueError(f"No organisation scoping is defined for {model.__name__}.")
