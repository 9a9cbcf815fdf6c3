"""The union representative's panel: per organisation covered, open cases by status, band and
directorate with totals, and the trend since the programme began (a chart with a table beside
it), every count suppressed below 5 (`employment.rules.disclosure`), the consultation figures
and an aggregated download. Never a name."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from employment.consultation import consultation_figures_for
from employment.models import Case
from employment.rules.dates import add_months
from employment.rules.disclosure import Shown, breakdown, series
from employment.selectors import consultations_visible_to
from tracker.models import Organisation, Programme, User
from tracker.roles import AUDITOR, UNION_REP, has_role

S = Case.Status
TREND_MONTHS_MAX = 24


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

    @property
    def is_quiet(self) -> bool:
        """No open case now and none at any month end shown: one line, not empty tables."""
        return (
            all(b.total.value == 0 for b in self.breakdowns)
            and all(p.shown.value == 0 for p in self.trend)
            and not self.consultations
        )


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
    pictures = [
        OrganisationPicture(
            organisation=o,
            breakdowns=breakdowns[o.pk],
            trend=trend[o.pk],
            # The first month shown (the trend keeps at most TREND_MONTHS_MAX months).
            trend_since=trend[o.pk][0].month_end.replace(day=1) if trend[o.pk] else since[o.pk],
            consultations=by_org[o.pk],
        )
        for o in organisations
    ]
    # Organisations with work first; quiet ones after, in code order.
    return sorted(pictures, key=lambda p: p.is_quiet)


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
