"""The e-mail for one alert row: something its reader can act on.

Subject without anyone's name ("A case in NHS Halton CCG needs your attention"); a body with a
greeting, what happened (the row's own text, so an anonymised row stays anonymised), what to do
next and by when, a link to the record on the configured site address, and a sign-off; plain-text
and HTML parts from templates (`employment/email/alert_*`); the sender is `DEFAULT_FROM_EMAIL`.
The transport is whatever `EMAIL_BACKEND` the environment chose (SMTP, GOV.UK Notify, console).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from employment.alerts.events import day
from employment.alerts.raising import record_path
from employment.models import Alert, AlertRecipient

#: Header naming the alert row, so a transport (Notify's `reference`) and a reader's mail
#: client can tie the message to it.
REFERENCE_HEADER = "X-Transition-Tracker-Alert"


def site_url() -> str:
    """The address people use to reach the site: `TRANSITION_SITE_URL`, else the Wagtail admin's
    base URL (both from the environment; never a port written in code)."""
    base = getattr(settings, "TRANSITION_SITE_URL", None) or settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/")


def email_subject(alert: Alert) -> str:
    """No personal names: the organisation, or the page's title."""
    if alert.page_id:
        title = alert.page.title if alert.page else "A guarantee page"
        return f"The guarantee page \u201c{title}\u201d is due its review"[:255]
    org = alert.organisation.name if alert.organisation else "your organisation"
    if alert.case_id:
        return f"A case in {org} needs your attention"
    return f"Collective consultation in {org} needs your attention"


def build_message(row: AlertRecipient, *, connection=None) -> EmailMultiAlternatives:
    alert = row.alert
    user = row.user
    context = {
        "greeting_name": user.first_name or user.get_full_name() or "colleague",
        "what_happened": row.body,
        "action": alert.action,
        "due_on": day(alert.due_on) if alert.due_on else "",
        "link": site_url() + record_path(alert, named=row.named),
        "inbox_link": site_url() + reverse("employment_alert_inbox"),
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Transition Tracker"),
        "anonymised": not row.named and alert.case_id is not None,
    }
    subject = email_subject(alert)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("employment/email/alert_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
        headers={REFERENCE_HEADER: f"alert-recipient-{row.pk}"},
    )
    message.attach_alternative(
        render_to_string("employment/email/alert_body.html", {**context, "subject": subject}),
        "text/html",
    )
    return message
