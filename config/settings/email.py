"""The e-mail part of the settings: which transport, from the environment. Pure (it is given
the environment reader), so the choice is tested without reloading settings.

First match wins:
* `GOVUK_NOTIFY_API_KEY` (with `GOVUK_NOTIFY_ALERT_TEMPLATE_ID`): GOV.UK Notify, through
  notifications-python-client (`employment.alerts.notify.NotifyEmailBackend`);
* `EMAIL_URL` (for example ``smtp://user:password@smtp.example.org:587/?tls=True``
  or ``submission://user:password@smtp.example.org``, read by
  dj-email-url): SMTP;
* `EMAIL_HOST` (with `EMAIL_PORT`, `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS`,
  `EMAIL_USE_SSL`): SMTP;
* otherwise `DJANGO_EMAIL_BACKEND`, by default the console (e-mails are written to the log).

`DEFAULT_FROM_EMAIL` (or the older `DJANGO_DEFAULT_FROM_EMAIL`) is the sender;
`TRANSITION_SITE_URL` is the address in links (unset: `WAGTAILADMIN_BASE_URL`).
"""

from __future__ import annotations

from collections.abc import Callable

import dj_email_url
from django.core.exceptions import ImproperlyConfigured

NOTIFY_BACKEND = "employment.alerts.notify.NotifyEmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def _flag(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def email_settings(env: Callable[..., str | None]) -> dict[str, object]:
    sender = env("DEFAULT_FROM_EMAIL") or env(
        "DJANGO_DEFAULT_FROM_EMAIL", "Transition Tracker <transition-tracker@localhost>"
    )
    settings: dict[str, object] = {
        "DEFAULT_FROM_EMAIL": sender,
        "SERVER_EMAIL": sender,
        "EMAIL_TIMEOUT": int(env("EMAIL_TIMEOUT", "30")),
        "TRANSITION_SITE_URL": env("TRANSITION_SITE_URL"),
        "GOVUK_NOTIFY_API_KEY": env("GOVUK_NOTIFY_API_KEY"),
        "GOVUK_NOTIFY_BASE_URL": env(
            "GOVUK_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
        ),
        "GOVUK_NOTIFY_TEMPLATE_IDS": {"alert": env("GOVUK_NOTIFY_ALERT_TEMPLATE_ID")},
        "GOVUK_NOTIFY_REPLY_TO_ID": env("GOVUK_NOTIFY_REPLY_TO_ID"),
    }
    if env("GOVUK_NOTIFY_API_KEY"):
        settings["EMAIL_BACKEND"] = NOTIFY_BACKEND
    elif env("EMAIL_URL"):
        parsed = dj_email_url.parse(env("EMAIL_URL"))
        if "EMAIL_BACKEND" not in parsed:
            raise ImproperlyConfigured(
                "EMAIL_URL must start smtp://, submission:// (SMTP with STARTTLS) or console://."
            )
        settings.update(
            {
                key: parsed[key]
                for key in (
                    "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
                    "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL",
                )
            }
        )
    elif env("EMAIL_HOST"):
        settings.update(
            EMAIL_BACKEND=SMTP_BACKEND,
            EMAIL_HOST=env("EMAIL_HOST"),
            EMAIL_PORT=int(env("EMAIL_PORT", "587")),
            EMAIL_HOST_USER=env("EMAIL_HOST_USER", ""),
            EMAIL_HOST_PASSWORD=env("EMAIL_HOST_PASSWORD", ""),
            EMAIL_USE_TLS=_flag(env("EMAIL_USE_TLS"), True),
            EMAIL_USE_SSL=_flag(env("EMAIL_USE_SSL"), False),
        )
    else:
        settings["EMAIL_BACKEND"] = env("DJANGO_EMAIL_BACKEND", CONSOLE_BACKEND)
    return settings
