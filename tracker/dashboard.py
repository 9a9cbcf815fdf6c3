"""The HR manager's first screen: where each programme stands for the organisations they cover.

A Wagtail home panel (registered in `tracker.wagtail_hooks`). Every figure is one aggregated
query over the user's scope (`tracker.selectors.scoped`), so the panel costs the same number of
queries at 300 posts and at 100,000, and every figure links to the filtered list behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from wagtail.admin.ui.components import Component

from tracker.access import may_change_anything
from tracker.models import PlannedChange, Programme, User
from tracker.roles import AUDITOR, has_role
from tracker.selectors import scoped

#: How many programmes the panel shows (the latest by effective date); the rest are a link away.
PROGRAMMES_SHOWN = 5


@dataclass(frozen=True)
class Figure:
    """A count on a home panel and the filtered list behind it ("" where there is none).
    Shared with the employment panels (`employment.dashboard`)."""

    label: str
    count: int
    url: str = ""


def filtered_list_url(viewname: str, **filters: object) -> str:
    """The list at `viewname` with these filters in its query string (None means left out)."""
    url = reverse(viewname)
    query = urlencode({k: v for k, v in filters.items() if v is not None})
    return f"{url}?{query}" if query else url


@dataclass
class ProgrammeProgress:
    programme: Programme
    by_action: list[tuple[str, list[Figure], Figure]] = field(default_factory=list)
    by_status: list[Figure] = field(default_factory=list)
    awaiting_approval: Figure | None = None
    written_by_you: int = 0


_changes_url = partial(filtered_list_url, "planned_changes:index")


def programme_progress(user: User) -> list[ProgrammeProgress]:
    """Planned changes per programme by action and status, within the user's scope, and how
    many of the drafts this user wrote (someone else must approve those)."""
    programmes = list(scoped(Programme, user).order_by("-effective_on", "name")[:PROGRAMMES_SHOWN])
    if not programmes:
        return []
    changes = scoped(PlannedChange, user).filter(programme__in=programmes)
    counts: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    rows = changes.values("programme_id", "action", "status").annotate(n=Count("pk", distinct=True))
    for row in rows:
        counts[row["programme_id"]][(row["action"], row["status"])] = row["n"]
    own_drafts: dict[int, int] = {}
    if may_change_anything(user):
        drafts = changes.filter(status=PlannedChange.Status.DRAFT, author=user)
        own_drafts = {
            row["programme_id"]: row["n"]
            for row in drafts.values("programme_id").annotate(n=Count("pk", distinct=True))
        }
    result = []
    for programme in programmes:
        cells = counts.get(programme.pk, {})
        progress = ProgrammeProgress(programme=programme)
        for action, action_label in PlannedChange.Action.choices:
            figures = [
                Figure(
                    status_label,
                    cells.get((action, status), 0),
                    _changes_url(programme=programme.pk, action=action, status=status),
                )
                for status, status_label in PlannedChange.Status.choices
            ]
            total = sum(f.count for f in figures)
            if total:
                progress.by_action.append(
                    (
                        action_label,
                        figures,
                        Figure("Total", total, _changes_url(programme=programme.pk, action=action)),
                    )
                )
        progress.by_status = [
            Figure(
                label,
                sum(n for (_, s), n in cells.items() if s == status),
                _changes_url(programme=programme.pk, status=status),
            )
            for status, label in PlannedChange.Status.choices
        ]
        if may_change_anything(user):
            drafts_total = sum(n for (_, s), n in cells.items() if s == PlannedChange.Status.DRAFT)
            progress.awaiting_approval = Figure(
                "Drafts awaiting approval",
                drafts_total,
                _changes_url(programme=programme.pk, status=PlannedChange.Status.DRAFT),
            )
            progress.written_by_you = own_drafts.get(programme.pk, 0)
        result.append(progress)
    return result


class ProgrammePanel(Component):
    """Where each programme stands: shown to HR managers, auditors and superusers."""

    name = "transition_programmes"
    order = 100
    template_name = "tracker/dashboard/programmes_panel.html"

    def __init__(self, user: User) -> None:
        self.user = user

    @staticmethod
    def shown_to(user: User) -> bool:
        return bool(user.is_superuser or may_change_anything(user) or has_role(user, AUDITOR))

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["programmes"] = programme_progress(self.user)
        context["statuses"] = PlannedChange.Status.choices
        context["all_changes_url"] = reverse("planned_changes:index")
        return context
