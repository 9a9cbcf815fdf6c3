"""django-csp's middleware with a second policy for the Wagtail admin.

The public site gets `CONTENT_SECURITY_POLICY` (strict: our own origin only, no inline script or
style). The admin, under `/admin/`, gets `TRANSITION_ADMIN_CONTENT_SECURITY_POLICY`, which
allows what Wagtail's own pages need (see `docs/decisions.md`, "Sign-in").
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

ADMIN_PREFIX = "/admin/"


class SiteAndAdminCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path_info.startswith(ADMIN_PREFIX):
            parts.config = settings.TRANSITION_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts
