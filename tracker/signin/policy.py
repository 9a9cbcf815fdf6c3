"""Who must sign in with a second factor, and how long their session may last.

Everyone who can see named cases or change data: HR managers, union representatives, auditors,
partnership approvers, CMS editors and superusers, and anyone else who may open the Wagtail
admin (a group made by hand still counts). Staff who only see their own record may enrol but
need not.
"""

from __future__ import annotations

import datetime as dt

from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser

from tracker import roles

PRIVILEGED_ROLES = frozenset(
    {
        roles.HR_MANAGER,
        roles.UNION_REP,
        roles.AUDITOR,
        roles.PARTNERSHIP_APPROVER,
        roles.CMS_EDITOR,
    }
)

# A working day, counted from signing in, however busy the session has been since.
PRIVILEGED_SESSION_AGE = dt.timedelta(hours=10)
# Staff read only their own record, often on a shared or home computer: a visit, not a day.
STAFF_SESSION_AGE = dt.timedelta(hours=4)


def needs_second_factor(user: AbstractBaseUser) -> bool:
    if user.pk is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if any(roles.has_role(user, role) for role in PRIVILEGED_ROLES):
        return True
    return user.has_perm("wagtailadmin.access_admin")


def has_second_factor(user: AbstractBaseUser) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def session_age(user: AbstractBaseUser) -> dt.timedelta:
    return PRIVILEGED_SESSION_AGE if needs_second_factor(user) else STAFF_SESSION_AGE
