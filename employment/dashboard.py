"""The admin home for HR managers and union representatives: the day's work, in figures.

Two Wagtail home panels (registered in `employment.wagtail_hooks`):

* `CaseworkPanel` (HR managers, auditors, superusers): cases by status, the clocks due in the
  next 14 days and those overdue, and the collective consultations with their minimum-period and
  HR1 dates. HR managers also see the next clocks by name (their own cases); auditors see figures
  only, so a dashboard view is never an unlogged view of a named case.
* `AtRiskPanel` (union representatives): per organisation covered, open cases by status, band and
  directorate with totals, and the trend since the programme began (a chart with a table beside
  it), every count suppressed below 5 (`employment.rules.disclosure`), plus the consultation
  figures and an aggregated download. Never a name.

Each figure is one aggregated query over the user's scope, so the panels cost the same at demo
scale and at 100,000 posts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from employment.consultation import consultation_figures_for
from employment.models import Case
from employment.rules.dates import add_months
from employment.rules.disclosure import Shown, breakdown, series
from employment.selectors import cases_visible_to, consultations_visible_to
from tracker.models import Organisation, Programme, User
from tracker.roles import AUDITOR, HR_MANAGER, UNION_REP, has_role

DUE_WITHIN_DAYS = 14
NAMED_CLOCKS_SHOWN = 10
TREND_MONTHS_MAX = 24

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


def _cases_url(**filters: object) -> str:
    query = urlencode({k: v for k, v in filters.items() if v is not None})
    return (
        f"{reverse('employment_cases:index')}?{query}"
        if query
        else reverse("employment_cases:index")
    )


@dataclass(frozen=True)
class Figure:
    label: str
    count: int
    url: str = ""


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
        context["cases_url"] = _cases_url()
        return context


# --- union representatives: the at-risk picture, aggregated ------------------------------------


@dataclass
class Breakdown:
    title: str
    cells: list[tuple[str, Shown]]
    total: Shown


#: The trend chart's geometry, in SVG user units: one bar per month, labels above and below.
BAR_WIDTH, BAR_GAP, CHART_HEIGHT, LABEL_SPACE = 44, 12, 120, 20


@dataclass
class TrendPoint:
    month_end: dt.date
    shown: Shown
    height_percent: int = 0
    index: int = 0

    @property
    def x(self) -> int:
        return self.index * (BAR_WIDTH + BAR_GAP) + BAR_GAP // 2

    @property
    def label_x(self) -> int:
        return self.x + BAR_WIDTH // 2

    @property
    def bar_height(self) -> int:
        return round(CHART_HEIGHT * self.height_percent / 100)

    @property
    def y(self) -> int:
        return LABEL_SPACE + CHART_HEIGHT - self.bar_height

    @property
    def value_y(self) -> int:
        return self.y - 4

    @property
    def axis_y(self) -> int:
        return LABEL_SPACE + CHART_HEIGHT + 16


@dataclass
class OrganisationPicture:
    organisation: Organisation
    breakdowns: list[Breakdown]
    trend: list[TrendPoint]
    trend_since: dt.date | None
    consultations: list[tuple[object, object]]

    @property
    def chart_width(self) -> int:
        return max(1, len(self.trend)) * (BAR_WIDTH + BAR_GAP)


def _rep_organisations(user: User) -> QuerySet[Organisation]:
    if user.is_superuser or has_role(user, AUDITOR):
        return Organisation.objects.filter(cases__isnull=False).distinct()
    return user.organisations.all()


def _breakdowns(cases: QuerySet[Case], org_ids: list[int]) -> dict[int, list[Breakdown]]:
    open_cases = cases.open()
    dimensions = (
        ("By status", "status", dict(S.choices)),
        ("By band", "post__band", None),
        ("By directorate", "post__directorate", None),
    )
    result: dict[int, list[Breakdown]] = {pk: [] for pk in org_ids}
    for title, field_name, labels in dimensions:
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for row in (
            open_cases.values("employer_id", field_name)
            .annotate(n=Count("pk", distinct=True))
            .order_by("employer_id", field_name)
        ):
            key = row[field_name] or ""
            counts[row["employer_id"]][key] = row["n"]
        for org_id in org_ids:
            cells, total = breakdown(counts.get(org_id, {}))
            named = [
                ((labels or {}).get(key, key) or "Not recorded", value)
                for key, value in cells.items()
            ]
            result[org_id].append(Breakdown(title, named, total))
    return result


def _month_ends(since: dt.date, today: dt.date) -> list[dt.date]:
    ends = []
    month = since.replace(day=1)
    while month <= today:
        end = add_months(month, 1) - dt.timedelta(days=1)
        ends.append(min(end, today))
        month = add_months(month, 1)
    return ends[-TREND_MONTHS_MAX:]


def _trend(
    cases: QuerySet[Case], org_ids: list[int], since: dict[int, dt.date], today: dt.date
) -> dict[int, list[TrendPoint]]:
    """Open cases at each month end since the programme began: opened on or before the day and
    not closed by it (a closed case's status date is the day it closed; closed is final)."""
    cases = cases.annotate(started_on=Coalesce("at_risk_on", TruncDate("opened_at")))
    all_ends = sorted({end for org_id in org_ids for end in _month_ends(since[org_id], today)})
    if not all_ends:
        return {pk: [] for pk in org_ids}
    aggregates = {
        f"m{i}": Count(
            "pk",
            distinct=True,
            filter=Q(started_on__lte=end)
            & ~Q(status__in=Case.TERMINAL_STATUSES, status_changed_on__lte=end),
        )
        for i, end in enumerate(all_ends)
    }
    rows = {
        row["employer_id"]: row
        for row in cases.values("employer_id").annotate(**aggregates).order_by("employer_id")
    }
    result = {}
    for org_id in org_ids:
        ends = _month_ends(since[org_id], today)
        row = rows.get(org_id, {})
        values = [row.get(f"m{all_ends.index(end)}", 0) for end in ends]
        points = [TrendPoint(end, shown) for end, shown in zip(ends, series(values), strict=True)]
        peak = max((p.shown.value or 0 for p in points), default=0)
        for index, point in enumerate(points):
            point.index = index
            point.height_percent = round(100 * (point.shown.value or 0) / peak) if peak else 0
        result[org_id] = points
    return result


def _programme_starts(org_ids: list[int], today: dt.date) -> dict[int, dt.date]:
    starts: dict[int, dt.date] = {}
    for org_id, announced, consultation, effective in Programme.objects.filter(
        organisations__in=org_ids
    ).values_list("organisations", "announced_on", "consultation_starts_on", "effective_on"):
        begun = min(d for d in (announced, consultation, effective) if d is not None)
        if org_id not in starts or begun < starts[org_id]:
            starts[org_id] = begun
    return {pk: min(starts.get(pk, add_months(today, -12)), today) for pk in org_ids}


def at_risk_picture(user: User, *, today: dt.date | None = None) -> list[OrganisationPicture]:
    today = today or timezone.localdate()
    organisations = list(_rep_organisations(user).order_by("code"))
    org_ids = [o.pk for o in organisations]
    if not org_ids:
        return []
    cases = Case.objects.filter(employer__in=org_ids)
    since = _programme_starts(org_ids, today)
    breakdowns = _breakdowns(cases, org_ids)
    trend = _trend(cases, org_ids, since, today)
    consultations = list(
        consultations_visible_to(user).filter(employer__in=org_ids).select_related("employer")
    )
    figures = consultation_figures_for(consultations)
    by_org: dict[int, list] = defaultdict(list)
    for consultation in consultations:
        by_org[consultation.employer_id].append((consultation, figures[consultation.pk]))
    return [
        OrganisationPicture(
            organisation=o,
            breakdowns=breakdowns[o.pk],
            trend=trend[o.pk],
            trend_since=since[o.pk],
            consultations=by_org[o.pk],
        )
        for o in organisations
    ]


def at_risk_rows(user: User, *, today: dt.date | None = None) -> list[list[str]]:
    """The rep's figures as rows for the aggregated download (suppressed as on screen)."""
    rows = [["Organisation", "ODS code", "Breakdown", "Group", "Open cases"]]
    for picture in at_risk_picture(user, today=today):
        org = picture.organisation
        for block in picture.breakdowns:
            for label, value in block.cells:
                rows.append([org.name, org.code, block.title, label, str(value)])
            rows.append([org.name, org.code, block.title, "Total", str(block.total)])
        for point in picture.trend:
            rows.append(
                [
                    org.name,
                    org.code,
                    "Open cases at month end",
                    point.month_end.isoformat(),
                    str(point.shown),
                ]
            )
    return rows


class AtRiskPanel(Component):
    name = "transition_at_risk"
    order = 100
    template_name = "employment/dashboard/at_risk_panel.html"

    def __init__(self, user: User, *, today: dt.date | None = None) -> None:
        self.user = user
        self.today = today

    @staticmethod
    def shown_to(user: User) -> bool:
        return has_role(user, UNION_REP)

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["pictures"] = at_risk_picture(self.user, today=self.today)
        context["chart_height"] = LABEL_SPACE + CHART_HEIGHT + 24
        context["bar_width"] = BAR_WIDTH
        context["download_url"] = reverse("employment_at_risk_figures_download")
        return context
