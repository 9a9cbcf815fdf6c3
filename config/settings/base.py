"""Settings shared by every environment.

This is the one reader of the environment: the other settings modules only override values.
Secrets never have defaults here; `dev.py` and `test.py` supply throwaway ones and
`production.py` refuses to start without the real ones.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url

from .email import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CONFIG_DIR = BASE_DIR / "config"


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_list(name: str) -> list[str]:
    return [part.strip() for part in (env(name) or "").split(",") if part.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "tracker",
    "tracker.signin",  # before allauth, so its templates (NHS.UK design) win
    "employment",
    "cms",
    "imports",
    "wagtailnhsukfrontend",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "tracker.users_app.TrackerUsersConfig",  # wagtail.users with the tracker's user screens
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracker.signin.csp.SiteAndAdminCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages from the cache, before sessions and routing (cms/cache.py).
    "cms.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.signin.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [CONFIG_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# SQLite when DATABASE_URL is unset; PostgreSQL (psycopg 3) with
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing
    # half-way with "database is locked" after both read the same row.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Reports and exports may read from a replica (`tracker.db_router`); everything else, and every
# write, uses the primary.
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"), conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0"))
    )
# PostgreSQL's JIT compiles a query whose estimated cost is high, which the admin's counts over
# 100,000 rows are: 170 ms of compiling for a 240 ms count (docs/decisions.md, "National
# scale, third pass"). Our queries are short; JIT is off for our connections.
# A transaction left open by a client that vanished without closing its connection (a host
# lost mid-import: the kernel that would have closed the socket went with it) keeps its locks,
# the import's hold on every tracker writer among them, until PostgreSQL notices, which TCP
# alone takes hours to do. None of ours waits idle inside a transaction for more than seconds,
# so PostgreSQL ends any that waits five minutes (docs/scaling.md, "Limits named").
IDLE_IN_TRANSACTION_TIMEOUT = "5min"
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = (
            f"{_options.get('options', '')} -c jit=off "
            f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT}"
        ).strip()
DATABASE_ROUTERS = ["tracker.db_router.ReplicaRouter"]
DATABASE_REPLICA_READS = "replica" in DATABASES

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tracker.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Signing in (tracker/signin; decisions in docs/decisions.md, "Sign-in") -------------------
# One sign-in for the staff site and the admin: allauth's, at /login/, with its MFA module.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my_record"  # staff; privileged users go to the admin (AccountAdapter)
LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "account_login"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

ACCOUNT_ADAPTER = "tracker.signin.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]  # signup itself is closed
ACCOUNT_EMAIL_VERIFICATION = "none"  # accounts are made by administrators
ACCOUNT_SESSION_REMEMBER = False  # every session ends when the browser closes, too
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins are django-axes' to count (one lockout, one unlock path); allauth's own
    # throttle keeps its counts in the cache, where no administrator can clear them.
    "login_failed": None,
}

MFA_ADAPTER = "tracker.signin.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Transition Tracker"
MFA_RECOVERY_CODE_COUNT = 10

# Lockout (django-axes): 5 wrong passwords for one account from one address lock that pair for
# 30 minutes; an administrator unlocks with `manage.py axes_reset_username USERNAME`.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "signin/locked_out.html"
AXES_USERNAME_CALLABLE = "tracker.signin.lockout.username"
AXES_CLIENT_IP_CALLABLE = "tracker.signin.network.client_ip"
AXES_VERBOSE = False

# The client's address: how many proxies of ours append to X-Forwarded-For (0: none, trust
# REMOTE_ADDR only). Read by tracker.signin.network for the lockout and allauth's rate limits.
TRANSITION_TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRANSITION_TRUSTED_PROXY_COUNT

# Sessions: a working day at most (tracker.signin.middleware counts it from signing in, and
# ends staff sessions sooner); never beyond closing the browser.
SESSION_COOKIE_AGE = 10 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy (django-csp 4). Public site: our own origin only, no inline script or
# style; NHS.UK frontend's CSS and JS are served from /static/. Its stylesheet takes the licensed
# Frutiger font from the NHS's own asset host (not shipped in the package; Arial otherwise): fonts
# only. The QR code shown when setting up an authenticator app is a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The Wagtail admin (tracker.signin.csp): still no inline script, but Wagtail's own markup and
# its editors set style attributes, preview pages in frames of our own origin, and show local
# image previews from blob: and data: URLs.
TRANSITION_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [CONFIG_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"


def object_storage() -> dict | None:
    """S3-compatible object storage (django-storages) for uploads and exports when a bucket is
    named, so every app host and task worker reads the same files; else None (the file system).
    """
    bucket = env("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        return None
    options = {
        "bucket_name": bucket,
        "endpoint_url": env("AWS_S3_ENDPOINT_URL"),  # unset: AWS itself
        "region_name": env("AWS_S3_REGION_NAME"),
        "access_key": env("AWS_ACCESS_KEY_ID"),  # unset: the host's role or profile
        "secret_key": env("AWS_SECRET_ACCESS_KEY"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": object_storage() or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background work (alert delivery, large imports) goes through Django's task framework;
# the database backend keeps tasks in PostgreSQL/SQLite so nothing is lost on restart.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail: the transport, sender and link address, from the environment (see settings/email.py).
globals().update(email_settings(env))

# Audit history: reasons are free text of any length; reverting from history is never offered.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

WAGTAIL_SITE_NAME = "Transition Tracker"
WAGTAILADMIN_BASE_URL = env(
    "WAGTAILADMIN_BASE_URL", f"http://{env('HOST', '127.0.0.1')}:{env('PORT', '8000')}"
)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: it would send a hash of every admin user's e-mail to a third party on each page,
# and the admin's Content-Security-Policy allows images from our own origin only.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "txt"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django_tasks": {"level": "INFO"},
        "tracker": {"level": "INFO"},
        "employment": {"level": "INFO"},
        "imports": {"level": "INFO"},
    },
}

# Demo accounts have known passwords: only environments that say so may load them.
TRANSITION_ALLOW_DEMO_DATA = False
