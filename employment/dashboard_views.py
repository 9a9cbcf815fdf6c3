"""The aggregated download behind the union representative's dashboard."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone

from employment.dashboard import AtRiskPanel, at_risk_rows
from tracker.spreadsheets import safe_cell


def at_risk_figures_download(request):
    """The figures on the rep's dashboard, suppressed exactly as shown there; never a name."""
    if not AtRiskPanel.shown_to(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="at-risk-figures-{today}.csv"'
    writer = csv.writer(response)
    for row in at_risk_rows(request.user, today=today):
        writer.writerow([safe_cell(cell) for cell in row])
    return response
