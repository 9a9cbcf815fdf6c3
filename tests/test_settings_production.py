"""Production settings fail closed: no secret, hosts or database from the environment, no start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DJANGO_SECRET_KEY": "x" * 64,
    "DJANGO_ALLOWED_HOSTS": "tracker.example.nhs.uk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
}


def _import_production(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_load_with_everything_set():
    assert _import_production(GOOD).returncode == 0


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS"),
        ("DATABASE_URL", "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _import_production(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_wildcard_host_and_a_short_key():
    assert _import_production({**GOOD, "DJANGO_ALLOWED_HOSTS": "*"}).returncode != 0
    assert _import_production({**GOOD, "DJANGO_SECRET_KEY": "short"}).returncode != 0


# --- sign-in safeguards (MFA, lockout, CSP, cookies, HSTS, session ages) ----------------------

DUMP = """
import json
from config.settings import production as s
names = [
    "DEBUG", "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "AXES_ENABLED", "AXES_FAILURE_LIMIT", "MFA_TOTP_INSECURE_BYPASS_CODE", "MFA_SUPPORTED_TYPES",
    "ACCOUNT_ADAPTER", "WAGTAILADMIN_LOGIN_URL", "AUTHENTICATION_BACKENDS", "MIDDLEWARE",
    "CONTENT_SECURITY_POLICY", "TRANSITION_ADMIN_CONTENT_SECURITY_POLICY", "CACHES",
]
print(json.dumps({n: getattr(s, n, None) for n in names}))
"""

# Environment variables someone might hope would switch a safeguard off.
HOPEFUL = {
    "DJANGO_DEBUG": "1",
    "DEBUG": "true",
    "AXES_ENABLED": "False",
    "DJANGO_AXES_ENABLED": "0",
    "MFA_TOTP_INSECURE_BYPASS_CODE": "000000",
    "DJANGO_SESSION_COOKIE_AGE": "1209600",
    "DJANGO_SESSION_COOKIE_SECURE": "False",
    "DJANGO_SECURE_HSTS_SECONDS": "0",
    "DJANGO_CSP_REPORT_ONLY": "1",
    "DJANGO_MFA_REQUIRED": "false",
}


def _production_settings(extra_env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(  # noqa: S603  (our own script, our own interpreter)
        [sys.executable, "-c", DUMP],
        cwd=ROOT,
        env={**clean, **GOOD, **extra_env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_sign_in_safeguards_cannot_be_switched_off_from_the_environment():
    values = _production_settings(HOPEFUL)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_AGE"] == 36_000  # 10 hours
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["AXES_ENABLED"] is True
    assert values["AXES_FAILURE_LIMIT"] == 5
    assert values["MFA_TOTP_INSECURE_BYPASS_CODE"] is None
    assert "totp" in values["MFA_SUPPORTED_TYPES"]
    assert values["ACCOUNT_ADAPTER"] == "tracker.signin.adapters.AccountAdapter"
    assert values["WAGTAILADMIN_LOGIN_URL"] == "account_login"
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    for name in (
        "tracker.signin.csp.SiteAndAdminCSPMiddleware",
        "tracker.signin.middleware.SessionLifetimeMiddleware",
        "allauth.account.middleware.AccountMiddleware",
        "axes.middleware.AxesMiddleware",
    ):
        assert name in values["MIDDLEWARE"]
    # One cache for every app host: a used sign-in code is refused everywhere.
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    site = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert site["script-src"] == ["'self'"] and site["style-src"] == ["'self'"]
    assert values["TRANSITION_ADMIN_CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["script-src"] == [
        "'self'"
    ]


@pytest.mark.parametrize(
    ("setting", "weakened", "named"),
    [
        ("AXES_ENABLED", False, "AXES_ENABLED"),
        ("AXES_FAILURE_LIMIT", 1000, "AXES_FAILURE_LIMIT"),
        ("MFA_TOTP_INSECURE_BYPASS_CODE", "123456", "MFA_TOTP_INSECURE_BYPASS_CODE"),
        ("ACCOUNT_ADAPTER", "allauth.account.adapter.DefaultAccountAdapter", "ACCOUNT_ADAPTER"),
        ("WAGTAILADMIN_LOGIN_URL", "wagtailadmin_login", "WAGTAILADMIN_LOGIN_URL"),
        ("SESSION_COOKIE_AGE", 1_209_600, "SESSION_COOKIE_AGE"),
        ("SESSION_COOKIE_SECURE", False, "SESSION_COOKIE_SECURE"),
        ("CSRF_COOKIE_SECURE", False, "CSRF_COOKIE_SECURE"),
        ("SECURE_HSTS_SECONDS", 0, "SECURE_HSTS_SECONDS"),
        ("AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"], "axes"),
        ("MIDDLEWARE", [], "MIDDLEWARE"),
        (
            "CONTENT_SECURITY_POLICY",
            {
                "DIRECTIVES": {
                    "default-src": ["'self'"],
                    "script-src": ["'self'", "'unsafe-inline'"],
                }
            },
            "script-src",
        ),
        ("CONTENT_SECURITY_POLICY", {}, "CONTENT_SECURITY_POLICY"),
    ],
)
def test_each_weakened_safeguard_is_named_by_the_deploy_check(settings, setting, weakened, named):
    from tracker.signin.checks import signin_safeguards

    # The production values pass...
    for name, value in _production_values().items():
        setattr(settings, name, value)
    assert signin_safeguards() == []
    # ...and weakening one is an error that names it.
    setattr(settings, setting, weakened)
    errors = signin_safeguards()
    assert errors and all(e.level >= 40 for e in errors)  # checks.ERROR
    assert any(named in e.msg for e in errors)


def _production_values() -> dict:
    return {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
    }


def test_production_refuses_to_start_when_a_safeguard_is_weakened(tmp_path):
    # A settings module that imports production and then tries to switch the lockout off
    # cannot: production itself checks at import, so such a module would need to reimplement
    # production.py; here we check the import-time guard directly on a weakened copy.
    weakened = tmp_path / "weakened_settings.py"
    source = (ROOT / "config" / "settings" / "production.py").read_text()
    source = source.replace("from .base import", "from config.settings.base import")
    source = source.replace("AXES_ENABLED = True", "AXES_ENABLED = False")
    weakened.write_text(source)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import weakened_settings"],
        cwd=ROOT,
        env={**clean, **GOOD, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Sign-in safeguards are off" in result.stderr and "AXES_ENABLED" in result.stderr


def test_check_deploy_is_clean_under_production():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **clean,
            **GOOD,
            "DJANGO_SECRET_KEY": "p9Xk2-" + "".join(chr(65 + (i * 7) % 26) for i in range(60)),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
