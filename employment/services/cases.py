"""Every write to a case goes through a function here.

`case_transition` is the only way a case changes status. It locks the case row, checks the acting
user may change it (`OutOfScope` otherwise), re-checks the status the caller saw, checks
`Case.TRANSITIONS`, sets the dates the new status starts (the clocks), and saves with the acting
user and reason on the history row. Two people moving the same case at once: the second waits
for the first's lock, then finds the status moved and gets a `CaseConflict` naming it (on SQLite
the IMMEDIATE transaction mode serialises the writers).

Alerts are raised through the one entry point `employment.alerts.case_status_entered`, which
queues the raise on commit; alerts never import services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from employment import alerts
from employment.models import Case
from employment.rules.dates import add_months, four_weeks_beginning_with
from employment.rules.notice import notice
from employment.services.common import (
    UNSET,
    CaseConflict,
    CaseError,
    TransitionRefused,
    require_case_in_scope,
    require_post_in_scope,
    require_staff_member_in_scope,
    set_changed,
)
from tracker.access import require_change
from tracker.audit import audited_save, require_reason
from tracker.models import Organisation, Post, Programme, StaffMember, User
from tracker.unions import Union

#: VR/MARS packages above this total carry the 12-month clawback, like very senior managers.
#: [assumed] The 2025 national model VR scheme speaks of "large packages" without a published
#: figure here; override with settings.EMPLOYMENT_VR_CLAWBACK_PACKAGE_THRESHOLD.
VR_CLAWBACK_PACKAGE_THRESHOLD = Decimal("100000.00")
CLAWBACK_MONTHS = 6
CLAWBACK_MONTHS_SENIOR_OR_LARGE = 12

def clawback_package_threshold() -> Decimal:
    configured = getattr(settings, "EMPLOYMENT_VR_CLAWBACK_PACKAGE_THRESHOLD", None)
    return VR_CLAWBACK_PACKAGE_THRESHOLD if configured is None else Decimal(str(configured))


def clawback_months(case: Case) -> int:
    """6 months; 12 for very senior managers and packages over the threshold."""
    large = case.package_total is not None and case.package_total > clawback_package_threshold()
    return CLAWBACK_MONTHS_SENIOR_OR_LARGE if case.is_very_senior or large else CLAWBACK_MONTHS


def _status_label(status: str) -> str:
    return Case.Status(status).label


def _allowed_text(status: str) -> str:
    allowed = Case.allowed_from(status)
    if not allowed:
        return "none: it is a final status"
    return ", ".join(f"{_status_label(s)} ({s})" for s in allowed)


# --- derived dates -----------------------------------------------------------------------------


def _notice_ends_on(case: Case, given_on: dt.date) -> dt.date:
    """The last day of the notice due: the later of the statutory weeks and the contractual
    months for the band (a month counted on the calendar, as the contract gives it)."""
    person = case.staff_member
    if person.nhs_service_start is None:
        raise CaseError(
            f"{person.full_name} has no continuous NHS service start date, so the statutory "
            "notice cannot be worked out: record it before issuing notice."
        )
    if case.post is None:
        raise CaseError(
            "The case has no post, so the contractual notice for the band cannot be worked "
            "out: record the post before issuing notice."
        )
    due = notice(
        band=case.post.band, service_start=person.nhs_service_start, notice_given_on=given_on
    )
    statutory_end = given_on + dt.timedelta(weeks=due.statutory_weeks)
    contractual_end = add_months(given_on, due.contractual_months or 0)
    return max(statutory_end, contractual_end)


def _refresh_derived(case: Case, changed: list[str]) -> None:
    """Dates that follow from others: the trial's 4 calendar weeks and the clawback."""
    if case.trial_starts_on is not None:
        set_changed(case, changed, trial_ends_on=four_weeks_beginning_with(case.trial_starts_on))
    clawback = None
    if case.route in (Case.Route.VOLUNTARY_REDUNDANCY, Case.Route.MARS) and case.exit_on:
        clawback = add_months(case.exit_on, clawback_months(case))
    set_changed(case, changed, clawback_ends_on=clawback)


def _enter(case: Case, to: str, on: dt.date, changed: list[str]) -> None:
    """Set what entering status `to` on day `on` starts; `changed` collects the fields."""
    S, R = Case.Status, Case.Route
    previous = case.status
    set_changed(case, changed, status=to, status_changed_on=on)
    if to == S.AT_RISK:
        set_changed(case, changed, route=R.NONE)
        if case.at_risk_on is None:
            set_changed(case, changed, at_risk_on=on)
    elif to in (S.PROTECTED, S.SLOTTED_IN, S.RING_FENCED, S.REDEPLOYED, S.WITHDRAWN):
        set_changed(case, changed, route=R.NONE)
    elif to == S.REDEPLOYMENT_TRIAL:
        # A fresh trial: 4 calendar weeks beginning with its first day; any earlier
        # extension belonged to an earlier trial. The route is kept, so a trial taken during
        # notice can fall back to notice_issued with its notice dates intact.
        set_changed(
            case,
            changed,
            trial_starts_on=on,
            trial_extended_to=None,
            trial_extension_agreed_in_writing_on=None,
        )
    elif to == S.VR_REQUESTED:
        set_changed(case, changed, route=R.VOLUNTARY_REDUNDANCY)
    elif to == S.MARS_REQUESTED:
        set_changed(case, changed, route=R.MARS)
    elif to == S.NOTICE_ISSUED:
        if previous == S.REDEPLOYMENT_TRIAL and case.notice_starts_on is not None:
            # The trial was taken during notice and failed: the notice already given stands.
            set_changed(case, changed, route=R.COMPULSORY_REDUNDANCY)
        else:
            ends = _notice_ends_on(case, on)
            set_changed(
                case,
                changed,
                route=R.COMPULSORY_REDUNDANCY,
                notice_starts_on=on,
                notice_ends_on=ends,
                exit_on=ends,
            )
    elif to in (S.LEFT, S.RETIRED):
        if previous == S.AT_RISK:
            set_changed(case, changed, route=R.RESIGNATION)
        set_changed(case, changed, exit_on=on)
    _refresh_derived(case, changed)


# --- writes ------------------------------------------------------------------------------------


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock (a no-op on SQLite, where BEGIN IMMEDIATE already holds
    the database write lock)."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("staff_member", "post")
        .get(pk=case.pk)
    )


@transaction.atomic
def case_open(
    *,
    staff_member: StaffMember,
    employer: Organisation,
    acting_user: User,
    reason: str,
    on: dt.date,
    status: str = Case.Status.AT_RISK,
    post: Post | None = None,
    programme: Programme | None = None,
    establishment: str = "",
    proposed_dismissal_on: dt.date | None = None,
    consultation_ends_on: dt.date | None = None,
    is_very_senior: bool = False,
    package_total: Decimal | None = None,
    has_statutory_redeployment_priority: bool = False,
) -> Case:
    """Open a case for an affected person, at risk by default (or protected, or as a volunteer
    for VR or MARS). A person has at most one open case at a time."""
    require_reason(reason)
    # Scope first, so an out-of-scope caller learns nothing about the person's cases.
    require_change(acting_user, [employer, post.organisation_id if post else None])
    require_staff_member_in_scope(acting_user, staff_member)
    if status not in Case.OPENING_STATUSES:
        raise CaseError(
            f"A case cannot open as {_status_label(status)}: open it as one of "
            + ", ".join(f"{_status_label(s)} ({s})" for s in Case.OPENING_STATUSES)
            + "."
        )
    if not employer.is_legal_employer:
        raise CaseError(f"{employer} is not a legal employer: a case names the employer.")
    existing = Case.objects.open().filter(staff_member=staff_member).first()
    if existing is not None:
        raise CaseError(
            f"{staff_member.full_name} already has an open case "
            f"({existing.get_status_display()}); progress that one instead."
        )
    case = Case(
        staff_member=staff_member,
        employer=employer,
        post=post,
        programme=programme,
        establishment=establishment,
        proposed_dismissal_on=proposed_dismissal_on,
        consultation_ends_on=consultation_ends_on,
        is_very_senior=is_very_senior,
        package_total=package_total,
        has_statutory_redeployment_priority=has_statutory_redeployment_priority,
        status=status,
        status_changed_on=on,
    )
    if status == Case.Status.AT_RISK:
        case.at_risk_on = on
    elif status == Case.Status.VR_REQUESTED:
        case.route = Case.Route.VOLUNTARY_REDUNDANCY
    elif status == Case.Status.MARS_REQUESTED:
        case.route = Case.Route.MARS
    audited_save(case, acting_user=acting_user, reason=reason, changed=None)
    alerts.case_status_entered(case)
    return case


@transaction.atomic
def case_transition(*, case: Case, to: str, acting_user: User, reason: str, on: dt.date) -> Case:
    """Move `case` to status `to`, effective on `on`.

    `case.status` is the status the caller saw. If the case has moved since, `CaseConflict`
    names the status it is in now; if the move is not in `Case.TRANSITIONS`, `TransitionRefused`
    names the allowed ones. Otherwise the dates the new status starts are set and one history
    row records who, when and why. `case` is updated in place and returned.
    """
    require_reason(reason)
    if to not in Case.Status.values:
        raise CaseError(
            f"'{to}' is not a case status; statuses are: {', '.join(Case.Status.values)}."
        )
    expected = case.status
    locked = _lock(case)
    require_case_in_scope(acting_user, locked)
    if locked.status != expected:
        raise CaseConflict(
            f"This case was moved to {_status_label(locked.status)} ({locked.status}) by "
            f"someone else after you opened it as {_status_label(expected)}; nothing was "
            "changed. Reload it and decide again.",
            expected=expected,
            actual=locked.status,
        )
    allowed = Case.allowed_from(locked.status)
    if to not in allowed:
        raise TransitionRefused(
            f"A case cannot move from {_status_label(locked.status)} to {_status_label(to)}. "
            f"Allowed from {_status_label(locked.status)}: {_allowed_text(locked.status)}.",
            current=locked.status,
            requested=to,
            allowed=allowed,
        )
    changed: list[str] = []
    _enter(locked, to, on, changed)
    audited_save(locked, acting_user=acting_user, reason=reason, changed=changed)
    alerts.case_status_entered(locked)
    _copy_into(case, locked)
    return case


def _copy_into(target: Case, source: Case) -> None:
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


@transaction.atomic
def case_trial_extend(
    *,
    case: Case,
    extended_to: dt.date,
    agreed_in_writing_on: dt.date | None,
    acting_user: User,
    reason: str,
) -> Case:
    """Extend a redeployment trial for retraining. ERA 1996 s.138(6): only by an agreement in
    writing, made before the person starts work in the new post, that names the end date; so the
    agreement's date is required and may not be after the trial's first day."""
    require_reason(reason)
    locked = _lock(case)
    require_case_in_scope(acting_user, locked)
    if locked.status != Case.Status.REDEPLOYMENT_TRIAL:
        raise CaseError(
            f"Only a case in a redeployment trial can have its trial extended; this one is "
            f"{locked.get_status_display()}."
        )
    if agreed_in_writing_on is None:
        raise CaseError(
            "A trial can be extended only with a written agreement: record the date it was "
            "agreed in writing."
        )
    if locked.trial_starts_on is None or locked.trial_ends_on is None:
        raise CaseError("This trial has no start date recorded, so it cannot be extended.")
    if agreed_in_writing_on > locked.trial_starts_on:
        raise CaseError(
            f"The written agreement ({agreed_in_writing_on:%d %b %Y}) must be made before the "
            f"trial started on {locked.trial_starts_on:%d %b %Y} (ERA 1996 s.138(6)); an "
            "agreement made during the trial does not extend the statutory trial period."
        )
    if extended_to <= locked.trial_ends_on:
        raise CaseError(
            f"An extension must end after the 4-week trial's last day "
            f"({locked.trial_ends_on:%d %b %Y})."
        )
    changed: list[str] = []
    set_changed(
        locked,
        changed,
        trial_extended_to=extended_to,
        trial_extension_agreed_in_writing_on=agreed_in_writing_on,
    )
    audited_save(locked, acting_user=acting_user, reason=reason, changed=changed)
    _copy_into(case, locked)
    return case


#: Fields HR may correct on a case outside a transition. Status, route and the dates transitions
#: set (trial, notice, clawback) are not here: they change only through their own services.
CASE_EDITABLE_FIELDS = (
    "post",
    "programme",
    "establishment",
    "at_risk_on",
    "consultation_ends_on",
    "proposed_dismissal_on",
    "exit_on",
    "is_very_senior",
    "package_total",
    "has_statutory_redeployment_priority",
)


@transaction.atomic
def case_update(
    *,
    case: Case,
    acting_user: User,
    reason: str,
    post: Post | None = UNSET,
    programme: Programme | None = UNSET,
    establishment: str = UNSET,
    at_risk_on: dt.date | None = UNSET,
    consultation_ends_on: dt.date | None = UNSET,
    proposed_dismissal_on: dt.date | None = UNSET,
    exit_on: dt.date | None = UNSET,
    is_very_senior: bool = UNSET,
    package_total: Decimal | None = UNSET,
    has_statutory_redeployment_priority: bool = UNSET,
) -> Case:
    """Record or correct a case's details (the arguments given; the rest are left alone). A
    call that changes nothing writes nothing. Status and the dates it sets change through
    `case_transition` and `case_trial_extend`, never here."""
    require_reason(reason)
    locked = _lock(case)
    require_case_in_scope(acting_user, locked)
    if post is not UNSET:
        require_post_in_scope(acting_user, post)
    changed: list[str] = []
    set_changed(
        locked,
        changed,
        post=post,
        programme=programme,
        establishment=establishment,
        at_risk_on=at_risk_on,
        consultation_ends_on=consultation_ends_on,
        proposed_dismissal_on=proposed_dismissal_on,
        exit_on=exit_on,
        is_very_senior=is_very_senior,
        package_total=package_total,
        has_statutory_redeployment_priority=has_statutory_redeployment_priority,
    )
    if changed:
        _refresh_derived(locked, changed)
    audited_save(locked, acting_user=acting_user, reason=reason, changed=changed)
    _copy_into(case, locked)
    return case


@transaction.atomic
def case_representation_record(
    *, case: Case, requested: bool, union_name: str = "", acting_user: User, reason: str
) -> Case:
    """Record that the member asked for (or no longer wants) representation by a union.

    `union_name` is a `tracker.unions.Union` value: special-category data, kept only while
    representation is requested, cleared when it is not, and left out of the case history. A
    union representative sees the named case only when this is their own union.
    """
    require_reason(reason)
    union_name = union_name.strip() if requested else ""
    if union_name and union_name not in Union.values:
        raise CaseError(
            f"'{union_name}' is not one of the recognised unions; choose one of: "
            + ", ".join(Union.values)
            + "."
        )
    locked = _lock(case)
    require_case_in_scope(acting_user, locked)
    changed: list[str] = []
    set_changed(locked, changed, requested_representation=requested, union_name=union_name)
    audited_save(locked, acting_user=acting_user, reason=reason, changed=changed)
    _copy_into(case, locked)
    return case
