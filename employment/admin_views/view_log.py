"""The log of named-case views by union representatives and auditors, read by auditors."""

from __future__ import annotations

from django.db.models import Count
from wagtail.admin.views.generic import IndexView

from employment.admin_views.common import (
    view_log_policy,
)
from employment.models import (
    CaseViewLog,
)


class CaseViewLogIndexView(IndexView):
    """Read-only: who (a rep or an auditor) was shown which cases, on which screen, when. Case
    numbers only, so reading the log shows no names."""

    def get_base_queryset(self):
        return (
            view_log_policy.instances_user_has_any_permission_for(self.request.user, ["view"])
            .select_related("user")
            .annotate(case_count=Count("cases"))
        )

    def get_table(self, object_list):
        object_list = list(object_list)
        through = CaseViewLog.cases.through
        ids: dict[int, list[int]] = {entry.pk: [] for entry in object_list}
        for log_id, case_id in through.objects.filter(caseviewlog_id__in=ids).values_list(
            "caseviewlog_id", "case_id"
        ).order_by("caseviewlog_id", "case_id"):
            ids[log_id].append(case_id)
        for entry in object_list:
            entry.case_numbers = ", ".join(str(pk) for pk in ids[entry.pk])
        return super().get_table(object_list)
