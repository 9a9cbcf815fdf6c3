"""Production: everything secret or host-specific comes from the environment, or we refuse to
start. `manage.py check --deploy` is clean under these settings."""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import DATABASES, STORAGES, env, env_list

DEBUG = False

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to at least 50 random characters.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names (no '*').")
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

if not env("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DATABASE_CONN_MAX_AGE", "60"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "config.static_storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0]}")

# Signing in: the second factor, the lockout, the Content-Security-Policy, secure cookies, HSTS
# and the session ages come from base.py and nothing in the environment changes them. Should an
# edit weaken any of them, production refuses to start (and `check --deploy` reports it).
SESSION_COOKIE_AGE = 10 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AXES_ENABLED = True
MFA_TOTP_INSECURE_BYPASS_CODE = None
CONTENT_SECURITY_POLICY_REPORT_ONLY = None

from tracker.signin import safeguards  # noqa: E402  (pure Python: imports no Django app)

_weakened = safeguards.problems(globals())
if _weakened:
    raise ImproperlyConfigured("Sign-in safeguards are off: " + " ".join(_weakened))
# One cache shared by every app host and worker: a TOTP code used on one host is refused on
# every other (allauth remembers used codes, and counts wrong ones, in the cache); a publish
# purges the public-page cache for all (cms/cache.py). The table is created after every migrate
# (cms/apps.py), and by `manage.py createcachetable` at deploy.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}

