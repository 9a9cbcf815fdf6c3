"""Reads about cases that several screens share, and the one place that decides who sees them.

Who sees which case (`cases_visible_to`):
* superusers: every case;
* HR managers: cases whose employer, or whose post's organisation, is one of their
  `User.organisations`;
* union representatives: only cases where the member asked for representation, in their
  organisations; otherwise only the aggregated figures of `at_risk_summary_for_rep`;
* auditors: every case, read-only;
* anyone else (staff, CMS editors, partnership approvers): none.

Opening a named case goes through `case_for_viewer`, which logs the view when the viewer is a
union representative or an auditor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from employment.models import Case, CaseViewLog, CollectiveConsultation
from tracker.roles import AUDITOR, HR_MANAGER, UNION_REP, has_role

# --- who sees what -----------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _organisation_ids(user) -> QuerySet:
    return user.organisations.values("pk")


def _in_organisations(user) -> Q:
    ids = _organisation_ids(user)
    return Q(employer__in=ids) | Q(post__organisation__in=ids)


def can_see_all_cases(user) -> bool:
    return _active(user) and (user.is_superuser or has_role(user, AUDITOR))


def can_change_cases(user) -> bool:
    """HR managers (for their organisations) and superusers; auditors and reps only read."""
    return _active(user) and (user.is_superuser or has_role(user, HR_MANAGER))


def is_logged_viewer(user) -> bool:
    """Union reps and auditors: every named case they open is logged."""
    return _active(user) and (has_role(user, UNION_REP) or has_role(user, AUDITOR))


def cases_visible_to(user) -> QuerySet[Case]:
    if not _active(user):
        return Case.objects.none()
    if can_see_all_cases(user):
        return Case.objects.all()
    condition = Q(pk__in=[])
    if has_role(user, HR_MANAGER):
        condition |= _in_organisations(user)
    if has_role(user, UNION_REP):
        condition |= _in_organisations(user) & Q(requested_representation=True)
    return Case.objects.filter(condition).distinct()


def cases_changeable_by(user) -> QuerySet[Case]:
    if not _active(user):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    if has_role(user, HR_MANAGER):
        return Case.objects.filter(_in_organisations(user)).distinct()
    return Case.objects.none()


def case_for_viewer(user, pk, *, screen: str = "inspect") -> Case:
    """The named case `pk` if `user` may see it (else Http404), logging the view for union
    representatives and auditors."""
    try:
        case = cases_visible_to(user).select_related(
            "staff_member", "post", "employer", "programme"
        ).get(pk=pk)
    except (Case.DoesNotExist, ValueError) as exc:
        raise Http404("No such case, or not one you may see.") from exc
    if is_logged_viewer(user):
        role = UNION_REP if has_role(user, UNION_REP) else AUDITOR
        CaseViewLog.objects.create(case=case, user=user, role=role, screen=screen)
    return case


def case_for_rep(user, pk) -> Case:
    """A union representative opening a named case: allowed only where the member asked for
    representation, always logged."""
    if not has_role(user, UNION_REP):
        raise PermissionDenied
    return case_for_viewer(user, pk, screen="rep")


def consultations_visible_to(user) -> QuerySet[CollectiveConsultation]:
    if not _active(user):
        return CollectiveConsultation.objects.none()
    if can_see_all_cases(user):
        return CollectiveConsultation.objects.all()
    if has_role(user, HR_MANAGER) or has_role(user, UNION_REP):
        return CollectiveConsultation.objects.filter(employer__in=_organisation_ids(user))
    return CollectiveConsultation.objects.none()


def register_visible_to(user) -> QuerySet[Case]:
    """The redeployment register is a named matching screen: HR and auditors only, never union
    representatives (it must not reveal who asked for representation)."""
    if not _active(user):
        return Case.objects.none()
    if can_see_all_cases(user):
        return Case.objects.all()
    if has_role(user, HR_MANAGER):
        return Case.objects.filter(_in_organisations(user)).distinct()
    return Case.objects.none()


@dataclass(frozen=True)
class AtRiskFigure:
    organisation: str
    status: str
    status_label: str
    count: int


def at_risk_summary_for_rep(user) -> list[AtRiskFigure]:
    """Open cases per organisation and status for the organisations a rep covers: numbers, never
    names."""
    if not _active(user):
        return []
    if user.is_superuser or has_role(user, AUDITOR):
        cases = Case.objects.all()
    else:
        cases = Case.objects.filter(employer__in=_organisation_ids(user))
    rows = (
        cases.open()
        .values("employer__code", "employer__name", "status")
        .annotate(count=Count("pk"))
        .order_by("employer__code", "status")
    )
    return [
        AtRiskFigure(
            organisation=f"{row['employer__name']} ({row['employer__code']})",
            status=row["status"],
            status_label=Case.Status(row["status"]).label,
            count=row["count"],
        )
        for row in rows
    ]


# --- clocks and the status timeline ------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    name: str
    on: dt.date
    days_remaining: int  # negative once the day has passed
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.days_remaining < 0

    @property
    def days_ago(self) -> int:
        return -self.days_remaining


def case_clocks(case: Case, *, today: dt.date | None = None) -> list[Clock]:
    """The case's dates, each with the days remaining from `today` (today by default)."""
    from employment.consultation import consultation_figures

    today = today or timezone.localdate()
    entries: list[tuple[str, dt.date | None, str]] = [("At-risk date", case.at_risk_on, "")]
    consultation_end, note = case.consultation_ends_on, ""
    if consultation_end is None:
        consultation = CollectiveConsultation.objects.filter(
            employer_id=case.employer_id, establishment=case.establishment
        ).first()
        if consultation is not None:
            figures = consultation_figures(consultation)
            consultation_end = figures.minimum_ends_on
            note = f"collective consultation minimum ({figures.minimum_days} days)"
    entries.append(("Consultation minimum end", consultation_end, note))
    if case.trial_starts_on:
        extended = case.trial_extended_to is not None
        entries.append(
            (
                "Trial end",
                case.trial_last_day,
                "extended by written agreement" if extended else "4 calendar weeks",
            )
        )
    entries += [
        ("Notice given", case.notice_starts_on, ""),
        ("Notice end", case.notice_ends_on, ""),
        ("Exit date", case.exit_on, ""),
        ("Clawback end", case.clawback_ends_on, "repayment if re-employed in the NHS before"),
    ]
    return [
        Clock(name=name, on=on, days_remaining=(on - today).days, note=note)
        for name, on, note in entries
        if on is not None
    ]


@dataclass(frozen=True)
class StatusChange:
    when: dt.datetime
    effective_on: dt.date
    who: str
    why: str
    from_status: str | None
    to_status: str

    @property
    def from_label(self) -> str:
        return Case.Status(self.from_status).label if self.from_status else "(opened)"

    @property
    def to_label(self) -> str:
        return Case.Status(self.to_status).label


def case_status_timeline(case: Case) -> list[StatusChange]:
    """Every status change of a case from its history, oldest first: who, when, why."""
    rows = case.history.select_related("history_user").order_by("history_date", "history_id")
    changes, previous = [], None
    for row in rows:
        if row.status != previous:
            user = row.history_user
            changes.append(
                StatusChange(
                    when=row.history_date,
                    effective_on=row.status_changed_on,
                    who=(user.get_full_name() or user.get_username()) if user else "unknown",
                    why=row.history_change_reason or "",
                    from_status=previous,
                    to_status=row.status,
                )
            )
            previous = row.status
    return changes
