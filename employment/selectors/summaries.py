"""Aggregated figures: numbers, never names, and never a number that singles anyone out.

Small-number suppression (also in `docs/decisions.md`):
1. A count of 1 to 4 is shown as "fewer than 5"; 0 and 5 or more are shown as they are.
2. No totals are shown beside suppressed cells (no row or column totals on the figures screen).
3. Complementary suppression: where any cell of an organisation's figures is suppressed, its
   smallest cell of 5 or more is withheld too, so a total known from elsewhere (announced at a
   meeting, say) cannot simply be differenced back to the small cells.
4. Collective-consultation figures shown to union representatives are the threshold band
   ("below 20", "20 or more", "100 or more") and the dates, not the exact counts: the exact
   numbers reach them through HR's written statutory disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from employment.models import Case
from tracker.models import User
from tracker.roles import AUDITOR, has_role

SMALL_NUMBER_LIMIT = 5
FEWER_THAN_5 = "fewer than 5"
WITHHELD = "withheld"


def shown_count(count: int) -> str:
    """How a count of people is shown: "fewer than 5" for 1 to 4."""
    if 0 < count < SMALL_NUMBER_LIMIT:
        return FEWER_THAN_5
    return str(count)


def threshold_band(count: int) -> str:
    """A consultation count as its statutory band (TULRCA s.188(1A))."""
    if count >= 100:
        return "100 or more"
    if count >= 20:
        return "20 or more"
    return "below 20"


@dataclass(frozen=True)
class AtRiskFigure:
    organisation: str
    status: str
    status_label: str
    count: int
    shown: str  # what the screen prints: the count, "fewer than 5" or "withheld"


def suppress_group(counts: list[int]) -> list[str]:
    """The shown values for one organisation's counts, with rules 1 and 3 applied."""
    shown = [shown_count(n) for n in counts]
    if any(0 < n < SMALL_NUMBER_LIMIT for n in counts):
        large = [i for i, n in enumerate(counts) if n >= SMALL_NUMBER_LIMIT]
        if large:
            shown[min(large, key=lambda i: (counts[i], i))] = WITHHELD
    return shown


def at_risk_summary_for_rep(user: User) -> list[AtRiskFigure]:
    """Open cases per organisation and status for the organisations a user covers (auditors and
    superusers: all), suppressed as the module says."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    if user.is_superuser or has_role(user, AUDITOR):
        cases = Case.objects.all()
    else:
        cases = Case.objects.filter(employer__in=user.organisations.values("pk"))
    rows = list(
        cases.open()
        .values("employer__code", "employer__name", "status")
        .annotate(count=Count("pk"))
        .order_by("employer__code", "status")
    )
    figures: list[AtRiskFigure] = []
    start = 0
    while start < len(rows):
        code = rows[start]["employer__code"]
        end = start
        while end < len(rows) and rows[end]["employer__code"] == code:
            end += 1
        group = rows[start:end]
        for row, shown in zip(group, suppress_group([r["count"] for r in group]), strict=True):
            figures.append(
                AtRiskFigure(
                    organisation=f"{row['employer__name']} ({row['employer__code']})",
                    status=row["status"],
                    status_label=Case.Status(row["status"]).label,
                    count=row["count"],
                    shown=shown,
                )
            )
        start = end
    return figures
