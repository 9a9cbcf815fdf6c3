"""The one place that decides who sees which case, and the log of named-case views.

Who sees which case (`cases_visible_to`):
* superusers: every case;
* HR managers: cases whose employer, or whose post's organisation, is one of their
  `User.organisations`;
* union representatives: only cases in their organisations where the member asked for
  representation by the representative's own union (`Case.union_name == User.union`); a
  representative with no union recorded sees no named case. Otherwise only the aggregated
  figures of `employment.selectors.summaries`;
* auditors: every case, read-only;
* anyone else (staff, CMS editors, partnership approvers): none.

Every screen that shows named cases to a union representative or an auditor calls
`log_case_views` with the cases it shows (list screens: the cases on the page), which writes one
`CaseViewLog` entry naming them. The statutory redeployment priority is shown only to those
`sees_priority_flag` allows (HR and superusers).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from employment.models import Case, CaseViewLog, CollectiveConsultation, RedeploymentOffer
from tracker.models import Organisation, User
from tracker.roles import AUDITOR, HR_MANAGER, UNION_REP, has_role
from tracker.selectors import visible_organisations


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _organisation_ids(user: User) -> QuerySet:
    return user.organisations.values("pk")


def _in_organisations(user: User) -> Q:
    ids = _organisation_ids(user)
    return Q(employer__in=ids) | Q(post__organisation__in=ids)


def can_see_all_cases(user: User) -> bool:
    return _active(user) and (user.is_superuser or has_role(user, AUDITOR))


def can_change_cases(user: User) -> bool:
    """HR managers (for their organisations) and superusers; auditors and reps only read."""
    return _active(user) and (user.is_superuser or has_role(user, HR_MANAGER))


def sees_priority_flag(user: User) -> bool:
    """The statutory redeployment priority (pregnancy, maternity, adoption, shared parental
    leave) is for HR: never auditors or union representatives."""
    return can_change_cases(user)


def is_logged_viewer(user: User) -> bool:
    """Union reps and auditors: every named case they are shown is logged. Someone who is also
    an HR manager or a superuser acts as HR and is not logged."""
    return (
        _active(user)
        and not can_change_cases(user)
        and (has_role(user, UNION_REP) or has_role(user, AUDITOR))
    )


def viewer_role(user: User) -> str:
    return UNION_REP if has_role(user, UNION_REP) else AUDITOR


def _rep_condition(user: User) -> Q:
    if not user.union:
        return Q(pk__in=[])
    return _in_organisations(user) & Q(requested_representation=True, union_name=user.union)


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not _active(user):
        return Case.objects.none()
    if can_see_all_cases(user):
        return Case.objects.all()
    condition = Q(pk__in=[])
    if has_role(user, HR_MANAGER):
        condition |= _in_organisations(user)
    if has_role(user, UNION_REP):
        condition |= _rep_condition(user)
    return Case.objects.filter(condition)


def case_employers_visible_to(user: User) -> QuerySet[Organisation]:
    """The employers a case list may offer to filter by: every organisation to those who see
    every case (auditors, superusers); otherwise the user's own organisations and the employers
    of the cases they see (a case is theirs by its post's organisation too), so the filter names
    no organisation the list itself would not."""
    if can_see_all_cases(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        Q(pk__in=visible_organisations(user).values("pk"))
        | Q(pk__in=cases_visible_to(user).values("employer"))
    )


def cases_changeable_by(user: User) -> QuerySet[Case]:
    if not _active(user):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    if has_role(user, HR_MANAGER):
        return Case.objects.filter(_in_organisations(user))
    return Case.objects.none()


def log_case_views(
    user: User, cases: Iterable[Case | int], *, screen: str, path: str = ""
) -> CaseViewLog | None:
    """One log entry for one screen view, naming every case it showed, when `user` is a union
    representative or an auditor: two inserts however many cases. Nothing shown, nothing
    logged."""
    if not is_logged_viewer(user):
        return None
    case_ids = list(dict.fromkeys(c if isinstance(c, int) else c.pk for c in cases))
    if not case_ids:
        return None
    entry = CaseViewLog.objects.create(
        user=user, role=viewer_role(user), screen=screen, path=path[:500]
    )
    through = CaseViewLog.cases.through
    through.objects.bulk_create(
        [through(caseviewlog_id=entry.pk, case_id=case_id) for case_id in case_ids]
    )
    return entry


def case_for_viewer(
    user: User, pk, *, screen: str = CaseViewLog.Screen.CASE_INSPECT, path: str = ""
) -> Case:
    """The named case `pk` if `user` may see it (else Http404), logging the view for union
    representatives and auditors."""
    try:
        case = cases_visible_to(user).select_related(
            "staff_member", "post", "employer", "programme"
        ).get(pk=pk)
    except (Case.DoesNotExist, ValueError) as exc:
        raise Http404("No such case, or not one you may see.") from exc
    log_case_views(user, [case], screen=screen, path=path)
    return case


def consultations_visible_to(user: User) -> QuerySet[CollectiveConsultation]:
    if not _active(user):
        return CollectiveConsultation.objects.none()
    if can_see_all_cases(user):
        return CollectiveConsultation.objects.all()
    if has_role(user, HR_MANAGER) or has_role(user, UNION_REP):
        return CollectiveConsultation.objects.filter(employer__in=_organisation_ids(user))
    return CollectiveConsultation.objects.none()


def consultations_changeable_by(user: User) -> QuerySet[CollectiveConsultation]:
    if not _active(user):
        return CollectiveConsultation.objects.none()
    if user.is_superuser:
        return CollectiveConsultation.objects.all()
    if has_role(user, HR_MANAGER):
        return CollectiveConsultation.objects.filter(employer__in=_organisation_ids(user))
    return CollectiveConsultation.objects.none()


def register_visible_to(user: User) -> QuerySet[Case]:
    """The redeployment register is a named matching screen: HR (their organisations) and
    auditors only, never union representatives (it must not reveal who asked for
    representation)."""
    if not _active(user):
        return Case.objects.none()
    if can_see_all_cases(user):
        return Case.objects.all()
    if has_role(user, HR_MANAGER):
        return Case.objects.filter(_in_organisations(user))
    return Case.objects.none()


def offers_visible_to(user: User) -> QuerySet[RedeploymentOffer]:
    return RedeploymentOffer.objects.filter(case__in=register_visible_to(user).values("pk"))


def offers_changeable_by(user: User) -> QuerySet[RedeploymentOffer]:
    return RedeploymentOffer.objects.filter(case__in=cases_changeable_by(user).values("pk"))
