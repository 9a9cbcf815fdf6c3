"""What production may not switch off, as one list of rules over the settings.

Pure Python (no Django imports), so `config/settings/production.py` can refuse to start when a
rule is broken, and the `signin` deploy checks report the same rules under
`manage.py check --deploy`.
"""

from __future__ import annotations

from typing import Any

MFA_STAGE = "tracker.signin.stages.EnrolSecondFactorStage"
REQUIRED_APPS = ("allauth", "allauth.account", "allauth.mfa", "axes", "tracker.signin")
REQUIRED_MIDDLEWARE = (
    "tracker.signin.csp.SiteAndAdminCSPMiddleware",
    "tracker.signin.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
)
MAX_SESSION_SECONDS = 10 * 60 * 60
MIN_HSTS_SECONDS = 31_536_000


def _get(settings: Any, name: str, default: Any = None) -> Any:
    if isinstance(settings, dict):
        return settings.get(name, default)
    return getattr(settings, name, default)


def problems(settings: Any) -> list[str]:
    """Every rule the given settings break, as sentences naming the setting."""
    found: list[str] = []
    apps = _get(settings, "INSTALLED_APPS", [])
    middleware = _get(settings, "MIDDLEWARE", [])
    backends = _get(settings, "AUTHENTICATION_BACKENDS", [])

    found += [f"INSTALLED_APPS must include {app!r}." for app in REQUIRED_APPS if app not in apps]
    found += [
        f"MIDDLEWARE must include {name!r}."
        for name in REQUIRED_MIDDLEWARE
        if name not in middleware
    ]
    if _get(settings, "ACCOUNT_ADAPTER") != "tracker.signin.adapters.AccountAdapter":
        found.append(
            "ACCOUNT_ADAPTER must be tracker.signin.adapters.AccountAdapter (it adds "
            "the second-factor enrolment stage)."
        )
    if _get(settings, "MFA_ADAPTER") != "tracker.signin.adapters.MFAAdapter":
        found.append("MFA_ADAPTER must be tracker.signin.adapters.MFAAdapter.")
    if _get(settings, "MFA_TOTP_INSECURE_BYPASS_CODE"):
        found.append("MFA_TOTP_INSECURE_BYPASS_CODE must not be set.")
    if "totp" not in (_get(settings, "MFA_SUPPORTED_TYPES") or []):
        found.append("MFA_SUPPORTED_TYPES must include 'totp'.")
    if _get(settings, "WAGTAILADMIN_LOGIN_URL") != "account_login":
        found.append("WAGTAILADMIN_LOGIN_URL must be 'account_login' (the sign-in with MFA).")

    if _get(settings, "AXES_ENABLED", True) is not True:
        found.append("AXES_ENABLED must be True.")
    if not backends or backends[0] != "axes.backends.AxesStandaloneBackend":
        found.append("AUTHENTICATION_BACKENDS must start with axes.backends.AxesStandaloneBackend.")
    limit = _get(settings, "AXES_FAILURE_LIMIT")
    if not isinstance(limit, int) or not 1 <= limit <= 10:
        found.append("AXES_FAILURE_LIMIT must be between 1 and 10.")
    if _get(settings, "AXES_CLIENT_IP_CALLABLE") != "tracker.signin.network.client_ip":
        found.append("AXES_CLIENT_IP_CALLABLE must be tracker.signin.network.client_ip.")

    policy = (_get(settings, "CONTENT_SECURITY_POLICY") or {}).get("DIRECTIVES", {})
    for directive in ("default-src", "script-src", "style-src"):
        values = policy.get(directive) or policy.get("default-src") or ()
        if not values or "'unsafe-inline'" in values or "*" in values:
            found.append(
                f"CONTENT_SECURITY_POLICY {directive} must be set, without 'unsafe-inline' or '*'."
            )
    admin = (_get(settings, "TRANSITION_ADMIN_CONTENT_SECURITY_POLICY") or {}).get("DIRECTIVES")
    if not admin or "'unsafe-inline'" in (admin.get("script-src") or ("'unsafe-inline'",)):
        found.append(
            "TRANSITION_ADMIN_CONTENT_SECURITY_POLICY script-src must be set, without "
            "'unsafe-inline'."
        )
    if _get(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY") and not policy:
        found.append("The Content-Security-Policy must be enforced, not only reported.")

    if not isinstance(_get(settings, "SESSION_COOKIE_AGE"), int) or not (
        0 < _get(settings, "SESSION_COOKIE_AGE") <= MAX_SESSION_SECONDS
    ):
        found.append(f"SESSION_COOKIE_AGE must be at most {MAX_SESSION_SECONDS} seconds.")
    for name in (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
    ):
        if _get(settings, name) is not True:
            found.append(f"{name} must be True.")
    if (_get(settings, "SECURE_HSTS_SECONDS") or 0) < MIN_HSTS_SECONDS:
        found.append(f"SECURE_HSTS_SECONDS must be at least {MIN_HSTS_SECONDS}.")
    if _get(settings, "DEBUG"):
        found.append("DEBUG must be False.")
    return found
