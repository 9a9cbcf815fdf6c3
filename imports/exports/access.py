"""Who may make which export from the admin, and what its filters resolve to for them.

Asked when the export is requested and again when its file is downloaded, so a file is served
only while its requester may still make the same export (a deactivated account, a lost role or
an organisation taken off a user's list closes the download too).

| kind               | who                                                                  |
|--------------------|----------------------------------------------------------------------|
| establishment      | HR managers (their organisations), auditors, superusers              |
| transfer-schedule  | the same: changes from or to their organisations                     |
| at-risk, cases     | HR, auditors, superusers; union reps: only the cases they may open   |
| consultation       | HR, union reps (their organisations), auditors, superusers           |
| audit              | HR (their organisations' records), auditors, superusers              |
| listing            | whoever may open that admin list, its rows as the list shows them    |

Staff, CMS editors and partnership approvers make no exports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from imports.exports import listing
from tracker.models import Organisation, Programme, User
from tracker.roles import UNION_REP, has_role
from tracker.selectors import scoped, visible_organisations

KIND_LABELS = {
    "establishment": "Establishment as at a date",
    "transfer-schedule": "Transfer schedule",
    "at-risk": "At-risk list",
    "consultation": "Collective consultation",
    "audit": "Audit trail",
    "cases": "Case list",
}
_PERMISSIONS = {
    "establishment": ("tracker.view_post", "tracker.view_staffmember"),
    "transfer-schedule": ("tracker.view_plannedchange", "tracker.view_staffmember"),
    "at-risk": ("employment.view_case",),
    "cases": ("employment.view_case",),
    "consultation": ("employment.view_collectiveconsultation",),
    "audit": ("tracker.view_post", "tracker.view_staffmember"),
}
_REPS_MAY = {"at-risk", "cases", "consultation"}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def kinds_for(user: User) -> list[str]:
    return [kind for kind in KIND_LABELS if may_make(user, kind)]


def may_make(user: User, kind: str) -> bool:
    if kind == listing.KIND:
        return _active(user)  # which list, and whether its user may see it: `resolve`
    if not _active(user) or kind not in _PERMISSIONS:
        return False
    if user.has_perms(_PERMISSIONS[kind]):
        return True
    return kind in _REPS_MAY and has_role(user, UNION_REP)


class NotAllowed(Exception):
    """The export, or one of its filters, is not one this user may make."""


def resolve(user: User, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The export function's keyword arguments for `params` (as stored on the run), checked
    against what `user` may see now; NotAllowed otherwise."""
    if not may_make(user, kind):
        raise NotAllowed(kind)
    if kind == listing.KIND:
        if not listing.still_covers(user, params.get("organisations")):
            raise NotAllowed("organisation")
        try:
            return {
                "view": listing.view_for(user, params.get("listing", ""), params.get("query", ""))
            }
        except listing.UnknownListing as exc:
            raise NotAllowed(f"the {exc} list") from None
    out: dict[str, Any] = {}
    if params.get("organisation"):
        organisation = visible_organisations(user).filter(pk=params["organisation"]).first()
        if organisation is None:
            raise NotAllowed("organisation")
        out["organisation"] = organisation
    if params.get("programme"):
        programme = scoped(Programme, user).filter(pk=params["programme"]).first()
        if programme is None:
            raise NotAllowed("programme")
        out["programme"] = programme
    elif kind == "transfer-schedule":
        raise NotAllowed("programme")
    for name in ("as_of", "since", "until"):
        if params.get(name):
            out[name] = dt.date.fromisoformat(params[name])
    if kind == "establishment":
        out.setdefault("as_of", timezone.localdate())
    if params.get("status") and kind == "cases":
        out["status"] = params["status"]
    return out


def may_download(user: User, run) -> bool:
    if not _active(user) or run.user_id != user.pk:
        return False
    try:
        resolve(user, run.kind, run.params)
    except NotAllowed:
        return False
    return True


def organisation_label(pk) -> str:
    org = Organisation.objects.filter(pk=pk).first()
    return org.code if org else "all"


def run_label(run) -> str:
    """What a run is called on its page: the kind's name, or the list a list export came from."""
    if run.kind == listing.KIND:
        return f"{str(run.params.get('listing', '')).replace('_', ' ').capitalize()} list"
    return KIND_LABELS.get(run.kind, run.kind)


def run_filters(user: User, run) -> list[str] | None:
    """For a list export, what the list was narrowed to (empty: every row the user sees); None
    for the other kinds, whose page says nothing of it."""
    if run.kind != listing.KIND:
        return None
    return listing.describe(user, run.params)
