"""The HR manager's panel: cases by status, the clocks due in the next 14 days and those
overdue, and the collective consultations with their minimum-period and HR1 dates. HR managers
also see the next clocks by name (their own cases); auditors see figures only, so a dashboard
view is never an unlogged view of a named case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from employment.consultation import consultation_figures_for
from employment.models import Case
from employment.selectors import cases_visible_to, consultations_visible_to
from tracker.dashboard import Figure, filtered_list_url
from tracker.models import User
from tracker.roles import AUDITOR, HR_MANAGER, has_role

DUE_WITHIN_DAYS = 14
NAMED_CLOCKS_SHOWN = 10

S = Case.Status


@dataclass(frozen=True)
class ClockRule:
    """A clock on the dashboard: the date it runs to, and the statuses in which it still matters
    (a trial end matters while the trial runs; once the outcome is recorded it is history)."""

    key: str
    label: str
    date_field: str
    statuses: tuple[str, ...]
    overdue_means: str


CLOCK_RULES = (
    ClockRule(
        "consultation",
        "Individual consultation ends",
        "consultation_ends_on",
        (S.AT_RISK,),
        "consultation has ended: decide the outcome",
    ),
    ClockRule(
        "trial",
        "Redeployment trial ends",
        "trial_last_day_db",
        (S.REDEPLOYMENT_TRIAL,),
        "the trial has ended: record its outcome",
    ),
    ClockRule(
        "notice",
        "Notice ends",
        "notice_ends_on",
        (S.NOTICE_ISSUED,),
        "notice has run out: record the exit",
    ),
    ClockRule(
        "exit",
        "Agreed exit date",
        "exit_on",
        (S.VR_APPROVED, S.MARS_APPROVED),
        "the exit date has passed: record the exit",
    ),
    ClockRule(
        "clawback",
        "Clawback period ends",
        "clawback_ends_on",
        (S.LEFT,),
        "",
    ),
)


def _with_clock_dates(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.annotate(trial_last_day_db=Coalesce("trial_extended_to", "trial_ends_on"))


_cases_url = partial(filtered_list_url, "employment_cases:index")


@dataclass(frozen=True)
class ClockFigure:
    rule: ClockRule
    due: int
    overdue: int
    url: str


@dataclass(frozen=True)
class NamedClock:
    case: Case
    label: str
    on: dt.date
    days: int
    url: str

    @property
    def overdue_days(self) -> int:
        return -self.days


@dataclass
class Casework:
    by_status: list[Figure] = field(default_factory=list)
    open_total: int = 0
    clocks: list[ClockFigure] = field(default_factory=list)
    next_clocks: list[NamedClock] = field(default_factory=list)
    consultations: list[tuple[object, object]] = field(default_factory=list)


def _clock_q(rule: ClockRule, *, start: dt.date | None, end: dt.date | None) -> Q:
    q = Q(status__in=rule.statuses)
    if start is not None:
        q &= Q(**{f"{rule.date_field}__gte": start})
    if end is not None:
        q &= Q(**{f"{rule.date_field}__lte": end})
    return q


def casework(user: User, *, today: dt.date | None = None) -> Casework:
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    cases = _with_clock_dates(cases_visible_to(user))
    result = Casework()
    counts = dict(cases.values_list("status").annotate(n=Count("pk", distinct=True)))
    for status, label in S.choices:
        if counts.get(status):
            result.by_status.append(Figure(label, counts[status], _cases_url(status=status)))
    result.open_total = sum(n for s, n in counts.items() if s not in Case.TERMINAL_STATUSES)

    aggregates = {}
    for rule in CLOCK_RULES:
        aggregates[f"{rule.key}_due"] = Count(
            "pk", distinct=True, filter=_clock_q(rule, start=today, end=horizon)
        )
        if rule.overdue_means:
            aggregates[f"{rule.key}_overdue"] = Count(
                "pk", distinct=True, filter=_clock_q(rule, start=None, end=today - dt.timedelta(1))
            )
    totals = cases.aggregate(**aggregates)
    result.clocks = [
        ClockFigure(
            rule,
            totals[f"{rule.key}_due"],
            totals.get(f"{rule.key}_overdue", 0),
            _cases_url(status=rule.statuses[0]),
        )
        for rule in CLOCK_RULES
    ]

    if user.is_superuser or has_role(user, HR_MANAGER):
        # Named, for the HR manager's own cases only (auditors and reps get figures).
        named: list[NamedClock] = []
        window = Q()
        for rule in CLOCK_RULES:
            window |= _clock_q(
                rule,
                start=None if rule.overdue_means else today,
                end=horizon,
            )
        rows = cases.filter(window).select_related("staff_member", "employer")
        for case in rows.order_by("pk")[: NAMED_CLOCKS_SHOWN * 5]:
            for rule in CLOCK_RULES:
                on = getattr(case, rule.date_field)
                if on is None or case.status not in rule.statuses or on > horizon:
                    continue
                if on < today and not rule.overdue_means:
                    continue
                named.append(
                    NamedClock(
                        case,
                        rule.label,
                        on,
                        (on - today).days,
                        reverse("employment_cases:inspect", args=[case.pk]),
                    )
                )
        named.sort(key=lambda c: (c.on, c.case.pk))
        result.next_clocks = named[:NAMED_CLOCKS_SHOWN]

    consultations = list(consultations_visible_to(user).select_related("employer")[:20])
    figures = consultation_figures_for(consultations)
    result.consultations = [(c, figures[c.pk]) for c in consultations]
    return result


class CaseworkPanel(Component):
    name = "transition_casework"
    order = 110
    template_name = "employment/dashboard/casework_panel.html"

    def __init__(self, user: User, *, today: dt.date | None = None) -> None:
        self.user = user
        self.today = today

    @staticmethod
    def shown_to(user: User) -> bool:
        return bool(user.is_superuser or has_role(user, HR_MANAGER) or has_role(user, AUDITOR))

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        today = self.today or timezone.localdate()
        context["work"] = casework(self.user, today=today)
        context["today"] = today
        context["due_within_days"] = DUE_WITHIN_DAYS
        context["horizon"] = today + dt.timedelta(days=DUE_WITHIN_DAYS)
        context["cases_url"] = _cases_url()
        return context
