"""The test settings with the database task backend, for `db_worker` subprocesses."""

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
