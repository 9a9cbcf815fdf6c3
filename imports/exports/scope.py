"""Which rows an export made for a user may contain: the same selectors as the screens.

`user=None` is the command line, run by someone with the server's own access, and sees every
organisation; every export made from the admin passes the requesting user, so a file never holds
a row its requester could not open on a screen.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tracker.models import Organisation, User
from tracker.selectors import sees_all_organisations, visible_organisations


def organisation_ids(user: User | None, organisation: Organisation | None = None):
    """Organisation ids to export: None for every one, else a list or a subquery."""
    if organisation is not None:
        if user is not None and not visible_organisations(user).filter(pk=organisation.pk).exists():
            return []
        return [organisation.pk]
    if user is None or sees_all_organisations(user):
        return None
    return visible_organisations(user).values("pk")


def narrow(queryset: QuerySet, field: str, ids) -> QuerySet:
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})
