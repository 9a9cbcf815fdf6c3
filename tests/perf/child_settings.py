"""Settings for the processes the import benchmark runs the command in: the test settings, but
with background tasks queued in the database as in production (config/settings/base.py) rather
than run inline, so work an import hands to the worker (the ANALYZE after a large import on
PostgreSQL, imports/engine/statistics.py) is not timed as the import's own."""

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
