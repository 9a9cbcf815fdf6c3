"""GOV.UK Notify as a Django e-mail backend, so alert delivery is the same code whatever the
transport (`EMAIL_BACKEND = "employment.alerts.notify.NotifyEmailBackend"`, chosen by the
environment in `config/settings/base.py` when `GOVUK_NOTIFY_API_KEY` is set).

Notify sends only from templates made in its own dashboard. The alert template (its id in
`GOVUK_NOTIFY_TEMPLATE_IDS["alert"]`) should have subject ``((subject))`` and body ``((body))``;
we send the plain-text part as ``body``. The alert row's reference header becomes Notify's
`reference`, so a message can be traced from Notify back to the row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.notifications import NotificationsAPIClient

from employment.alerts.email import REFERENCE_HEADER

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently)
        api_key = getattr(settings, "GOVUK_NOTIFY_API_KEY", None)
        template_ids = getattr(settings, "GOVUK_NOTIFY_TEMPLATE_IDS", {}) or {}
        self.template_id = template_ids.get("alert")
        if not api_key or not self.template_id:
            raise ImproperlyConfigured(
                "GOV.UK Notify needs GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_ALERT_TEMPLATE_ID."
            )
        self.reply_to_id = getattr(settings, "GOVUK_NOTIFY_REPLY_TO_ID", None)
        self.client = NotificationsAPIClient(
            api_key, base_url=getattr(settings, "GOVUK_NOTIFY_BASE_URL", None) or DEFAULT_BASE_URL
        )

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            try:
                for address in message.recipients():
                    self.client.send_email_notification(
                        email_address=address,
                        template_id=self.template_id,
                        personalisation={"subject": message.subject, "body": message.body},
                        reference=message.extra_headers.get(REFERENCE_HEADER),
                        email_reply_to_id=self.reply_to_id,
                    )
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent
