"""The test suite: fast hasher, local-memory cache, tasks run immediately in-process."""

import os
import tempfile
from pathlib import Path

from .base import *
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the shared-cache in-memory database: threads with their own connections
    # (the concurrent case-transition test) get SQLITE_LOCKED from shared cache instead of
    # waiting on the busy timeout. One file per test process, so parallel runs never clash;
    # Django deletes it when the run ends.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"transition-tracker-test-{os.getpid()}.sqlite3")
    }
    DATABASES["default"]["OPTIONS"].pop("init_command", None)
WAGTAILADMIN_BASE_URL = "http://testserver"
TRANSITION_ALLOW_DEMO_DATA = True
# The replica alias is the same database (a test mirror), so the router can be tested; reads go
# to it only in tests that say so (DATABASE_REPLICA_READS), which use both aliases.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_REPLICA_READS = False
