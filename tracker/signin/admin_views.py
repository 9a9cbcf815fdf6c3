"""Locked sign-ins, and unlocking them, in the Wagtail admin (superusers only).

django-axes keeps one row per (account, address) that has failed; a row at the failure limit is
a lock. Unlocking deletes the account's rows through axes' own `reset`, and says in the log who
unlocked whom and why.
"""

from __future__ import annotations

import logging

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

logger = logging.getLogger("tracker.signin")


def _require_superuser(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def lockouts(request: HttpRequest) -> HttpResponse:
    _require_superuser(request)
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        reason = request.POST.get("reason", "").strip()
        if not username or not reason:
            messages.error(request, "Give the account and a reason to unlock it.")
        else:
            removed = reset(username=username)
            logger.info(
                "Sign-in lock on %r removed by %s (%d records): %s",
                username,
                request.user.get_username(),
                removed,
                reason,
            )
            messages.success(request, f"{username} can sign in again.")
        return redirect("signin_lockouts")
    attempts = AccessAttempt.objects.order_by("-attempt_time").only(
        "username", "ip_address", "failures_since_start", "attempt_time"
    )[:200]
    limit = settings.AXES_FAILURE_LIMIT
    return TemplateResponse(
        request,
        "signin/admin/lockouts.html",
        {
            "attempts": [(a, a.failures_since_start >= limit) for a in attempts],
            "limit": limit,
            "page_title": "Sign-in locks",
            "header_title": "Sign-in locks",
        },
    )
