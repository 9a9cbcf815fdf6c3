"""The alerts inbox in the Wagtail admin: the signed-in user's own rows only, with acknowledge.

Rows are looked up through `employment.alerts.alerts_for(request.user)`, never by id alone, so
another person's alert is a 404 whatever the URL says.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from employment import alerts
from employment.alerts.raising import record_path
from employment.models import AlertRecipient

INBOX_LIMIT = 200


def alert_inbox_view(request):
    rows = list(alerts.alerts_for(request.user).select_related("alert")[:INBOX_LIMIT])
    for row in rows:
        row.link = record_path(row.alert, named=row.named)
    return TemplateResponse(
        request,
        "employment/admin/alert_inbox.html",
        {
            "page_title": "Alerts",
            "header_icon": "warning",
            "rows": rows,
            "unacknowledged": sum(1 for row in rows if row.acknowledged_at is None),
        },
    )


@require_POST
def alert_acknowledge_view(request, pk):
    try:
        alerts.alert_acknowledge(user=request.user, pk=pk)
    except AlertRecipient.DoesNotExist as exc:
        raise Http404("No such alert.") from exc
    messages.success(request, "Alert acknowledged.")
    return redirect("employment_alert_inbox")
